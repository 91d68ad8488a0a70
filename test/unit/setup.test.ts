import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { render } from '../../src/core/compile';
import { runbook } from '../../src/core/runbook';
import { analyzeFile, ROOT, ZED } from './helpers';

describe('a fresh machine: what npm test sets up', () => {
  it('stops at once with the exact apt-get command when it may not install a missing package', () => {
    // As root the check runs as nobody (root would install it); anyone else runs it as themselves.
    const script = `import(${JSON.stringify(path.join(ROOT, 'scripts', 'debian.mjs'))}).then((m) => m.ensurePackages(['ostopo-no-such-package', 'bash'], 'the tests'))`;
    const argv = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--', process.execPath, '-e', script] : [process.execPath, '-e', script];
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: os.tmpdir() });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /the tests need Debian packages that are not installed: ostopo-no-such-package\n/);
    assert.match(
      r.stderr,
      /sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ostopo-no-such-package\n/,
      'only what is missing, ready to paste',
    );
  });
});

describe('RUNBOOK.sh writes a managed block as the deploy does', function () {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-block-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The runbook's own helper functions, run by bash against a file of ours. */
  function writeBlock(file: string, block: string): { code: number | null; err: string } {
    const n = render(analyzeFile(ZED)).nodes.find((x) => x.name === 'compute1')!;
    const text = runbook({ name: 'guide-zed', profile: 'p', profileTitle: 'p', nodes: [n] }, n, 'p', () => 'x');
    const functions = text.slice(text.indexOf('OSTOPO_CHANGED=" "'), text.indexOf('\n}\n', text.indexOf('ostopo_write_block()')) + 3);
    const owner = os.userInfo().username;
    const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
    const script = `set -euo pipefail\n${functions}\nostopo_write_block "$1" "${owner}" "${group}" 0644 '# BEGIN ostopo' '# END ostopo' $'127.0.0.1 localhost\\n' <<'EOF'\n${block}EOF\n`;
    const r = spawnSync('bash', ['-c', script, 'runbook', file], { encoding: 'utf8' });
    return { code: r.status, err: r.stderr };
  }

  it('new file, existing block, no block, broken block', () => {
    const f = path.join(dir, 'hosts');
    assert.equal(writeBlock(f, '# BEGIN ostopo\n10.0.0.11 controller\n# END ostopo\n').code, 0);
    assert.equal(fs.readFileSync(f, 'utf8'), '# BEGIN ostopo\n10.0.0.11 controller\n# END ostopo\n127.0.0.1 localhost\n');
    fs.writeFileSync(f, `127.0.1.1 compute1\n${fs.readFileSync(f, 'utf8')}10.9.9.9 other\n`);
    assert.equal(writeBlock(f, '# BEGIN ostopo\n10.0.0.11 controller\n10.0.0.31 compute1\n# END ostopo\n').code, 0);
    assert.equal(fs.readFileSync(f, 'utf8'), '127.0.1.1 compute1\n# BEGIN ostopo\n10.0.0.11 controller\n10.0.0.31 compute1\n# END ostopo\n127.0.0.1 localhost\n10.9.9.9 other\n');
    assert.match(fs.readFileSync(`${f}.ostopo.bak`, 'utf8'), /^127\.0\.1\.1 compute1\n# BEGIN ostopo\n10\.0\.0\.11 controller\n# END ostopo\n/, 'the previous file is the backup');
    fs.writeFileSync(f, '127.0.0.1 localhost\n');
    assert.equal(writeBlock(f, '# BEGIN ostopo\n10.0.0.11 controller\n# END ostopo\n').code, 0);
    assert.equal(fs.readFileSync(f, 'utf8'), '# BEGIN ostopo\n10.0.0.11 controller\n# END ostopo\n127.0.0.1 localhost\n', 'a file without the block gets it on top');
    const broken = '# BEGIN ostopo\n10.0.0.11 controller\n10.9.9.9 other\n';
    fs.writeFileSync(f, broken);
    const r = writeBlock(f, '# BEGIN ostopo\n10.0.0.12 controller\n# END ostopo\n');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /has the line "# BEGIN ostopo" but no "# END ostopo" after it/);
    assert.equal(fs.readFileSync(f, 'utf8'), broken, 'a broken block is never truncated');
  });
});

describe('RUNBOOK.sh: a skip-when test', () => {
  it('whose quoted string spans lines (a Python script) stays as written, runs in bash, and skips or runs its command', () => {
    const n = render(analyzeFile(ZED)).nodes.find((x) => x.name === 'compute1')!;
    const check = (code: number) => `python3 -c 'import sys\nsys.exit(${code})'`;
    for (const [code, ran] of [
      [0, false],
      [1, true],
    ] as const) {
      const node = { ...n, artifacts: [{ kind: 'command' as const, id: 's/c', step: 's', service: 'chrony' as const, title: 'the command', run: 'echo RAN', check: check(code) }] };
      const text = runbook({ name: 'c', profile: 'p', profileTitle: 'p', nodes: [node] }, node, 'p', () => 'x');
      assert.ok(text.includes(`if ! (\n${check(code)}\n) >/dev/null 2>&1; then`), 'the test as written');
      assert.ok(text.includes(`#   sys.exit(${code})'`), 'shown in the comment line by line');
      const block = text.slice(text.indexOf('# skip when'), text.indexOf('\nfi\n', text.indexOf('# skip when')) + 4);
      const r = spawnSync('bash', ['-c', `set -euo pipefail\n${block}`], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.includes('RAN'), ran);
    }
  });
});
