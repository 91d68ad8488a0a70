import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { Journal, sha256 } from '../../src/core/deploy/journal';
import { buildPlan, planText } from '../../src/core/deploy/plan';
import { minimal, ROOT, TEST_ENV, ZED } from './helpers';

function run(argv: string[], env: Record<string, string | undefined> = TEST_ENV, cwd = ROOT): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, { out: (s) => (out += s), err: (s) => (err += s), env, cwd });
  assert.equal(typeof code, 'number', 'validate and render answer synchronously');
  return { code: code as number, out, err };
}

describe('CLI', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-cli-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('--help and --version', () => {
    const h = run(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.out, /ostopo validate FILE/);
    assert.match(h.out, /ostopo render FILE --out DIR/);
    assert.equal(run([]).code, 2);
    assert.match(run(['--version']).out, /^\d+\.\d+\.\d+\n$/);
  });

  it('validate: exit 0 on the examples, file:line:col lines and exit 1 on errors', () => {
    assert.equal(run(['validate', 'examples/train-centos7.ostopo.yaml']).code, 0);
    assert.equal(run(['validate', 'examples/zed-debian12.ostopo.yaml']).code, 0);
    const bad = path.join(tmp, 'bad.ostopo.yaml');
    fs.writeFileSync(bad, minimal().replace('10.0.0.31', '10.0.0.11').replace('release: zed', 'release: zedd'));
    const r = run(['validate', bad]);
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:10: error schema/enum .*did you mean \`zed\``, 'm'));
    assert.match(r.out, /:\d+:14: error node\/duplicate-address Address 10\.0\.0\.11 is already used by node `controller`/);
    assert.match(r.err, /2 error\(s\)/);
    const json = JSON.parse(run(['validate', bad, '--json']).out);
    assert.equal(json.findings.length, 2);
  });

  it('validate: a broken YAML file is a located error, not a crash', () => {
    const bad = path.join(tmp, 'broken.ostopo.yaml');
    fs.writeFileSync(bad, 'ostopo: 1\nnodes:\n  controller: {address: 10.0.0.11\n');
    const r = run(['validate', bad]);
    assert.equal(r.code, 1);
    assert.match(r.out, /broken\.ostopo\.yaml:\d+:\d+: error yaml\/syntax /);
  });

  it('clear errors on bad arguments (exit 2)', () => {
    assert.match(run(['frobnicate']).err, /unknown command 'frobnicate'/);
    assert.equal(run(['validate']).code, 2);
    assert.match(run(['validate', 'nope.yaml']).err, /cannot read nope\.yaml: no such file/);
    assert.match(run(['render', 'examples/train-centos7.ostopo.yaml']).err, /render needs --out DIR/);
    const n = run(['render', 'examples/train-centos7.ostopo.yaml', '--out', tmp, '--node', 'compute9']);
    assert.equal(n.code, 2);
    assert.match(n.err, /no node 'compute9'.*nodes: controller, compute1, block1, object1, object2/);
    const u = run(['validate', 'x', '--bogus']);
    assert.equal(u.code, 2);
    assert.match(u.err, /bogus/);
  });

  it('render: files at DIR/<node>/<path>, a RUNBOOK.sh that bash accepts, secrets masked', () => {
    const r = run(['render', 'examples/zed-debian12.ostopo.yaml', '--out', tmp]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /secrets masked/);
    const nova = fs.readFileSync(path.join(tmp, 'controller/etc/nova/nova.conf'), 'utf8');
    assert.match(nova, /^password = <secret:NOVA_PASS>$/m);
    for (const node of ['controller', 'compute1']) {
      const rb = path.join(tmp, node, 'RUNBOOK.sh');
      execFileSync('bash', ['-n', rb]);
      execFileSync('bash', ['-n', path.join(tmp, node, 'VERIFY.sh')]);
      assert.equal(fs.statSync(rb).mode & 0o777, 0o755);
    }
    const all = fs.readFileSync(path.join(tmp, 'controller/RUNBOOK.sh'), 'utf8');
    assert.ok(!all.includes('N0va-Ex4mple-Zed-Cloud'), 'no secret in a masked runbook');
  });

  it('a masked RUNBOOK.sh refuses to run and says how to get one that does', () => {
    assert.equal(run(['render', ZED, '--out', tmp]).code, 0);
    // Restricted bash with no PATH: whatever the script tried, it could neither run a program nor
    // redirect into a file, so a runbook that failed to refuse could not touch this machine.
    const r = spawnSync('/bin/bash', ['-r', path.join(tmp, 'compute1', 'RUNBOOK.sh')], { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /This RUNBOOK\.sh has masked secrets \(NEUTRON_PASS, NOVA_PASS, PLACEMENT_PASS, RABBIT_PASS\)/);
    assert.match(r.stderr, /--reveal-secrets/);
    // A revealed one has no such guard.
    assert.equal(run(['render', ZED, '--out', path.join(tmp, 'r'), '--node', 'compute1', '--reveal-secrets']).code, 0);
    const revealed = fs.readFileSync(path.join(tmp, 'r', 'compute1', 'RUNBOOK.sh'), 'utf8');
    assert.doesNotMatch(revealed, /masked secrets/);
    // Exported: a command that reads a secret from its environment (a Python script) finds it.
    assert.equal(run(['render', ZED, '--out', path.join(tmp, 'r'), '--node', 'controller', '--reveal-secrets']).code, 0);
    assert.match(fs.readFileSync(path.join(tmp, 'r', 'controller', 'RUNBOOK.sh'), 'utf8'), /^export NOVA_PASS=N0va-Ex4mple-Zed-Cloud$/m);
  });

  it('render --node renders one node; --reveal-secrets writes private files with the values', () => {
    const r = run(['render', ZED, '--out', tmp, '--node', 'compute1', '--reveal-secrets']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(fs.readdirSync(tmp), ['compute1']);
    const nova = path.join(tmp, 'compute1/etc/nova/nova.conf');
    assert.match(fs.readFileSync(nova, 'utf8'), /^password = N0va-Ex4mple-Zed-Cloud$/m);
    assert.equal(fs.statSync(nova).mode & 0o777, 0o600);
  });

  it('render refuses a topology with errors, and reveal without a secret value names the variable', () => {
    const bad = path.join(tmp, 'bad.ostopo.yaml');
    fs.writeFileSync(bad, minimal().replace(/ {2}NOVA_PASS: .*\n/, ''));
    const r = run(['render', bad, '--out', path.join(tmp, 'o')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /secret\/missing Missing secret `NOVA_PASS`/);
    assert.ok(!fs.existsSync(path.join(tmp, 'o')));
    const e = run(['render', ZED, '--out', path.join(tmp, 'o2'), '--reveal-secrets'], {});
    assert.equal(e.code, 1);
    // Every secret without a value is named at once, not one per attempt.
    assert.match(e.err, /cannot reveal secrets without values: ADMIN_PASS \(environment variable OSTOPO_ADMIN_PASS is not set\), DEMO_PASS \(environment variable OSTOPO_DEMO_PASS is not set\)\n/);
    assert.ok(!fs.existsSync(path.join(tmp, 'o2')), 'nothing written when a secret is missing');
  });

  it('plan: what a first deploy would do, from an empty journal, also without every secret', async () => {
    let out = '';
    let err = '';
    const code = await main(['plan', ZED, '--state-dir', path.join(tmp, 'state'), '--node', 'compute1'], { out: (s) => (out += s), err: (s) => (err += s), env: {}, cwd: ROOT });
    assert.equal(code, 0, err);
    assert.match(out, /without contacting the nodes/);
    assert.match(out, /^compute1 \(10\.0\.0\.31\)$/m);
    assert.match(out, /^ {6}\+ write \/etc\/nova\/nova\.conf {3}— not written by ostopo yet$/m);
    assert.match(out, /^ {2}● nova-compute {3}\(after controller\/nova-controller\)$/m);
    assert.doesNotMatch(out, /^controller /m, '--node shows one node');
  });

  it('plan says it did not contact the nodes, and how to compare with them', () => {
    // A journal that has the only file written with the same content: the plan has nothing to do.
    const journal = Journal.open(path.join(tmp, 'state'), 't');
    journal.node('n1').files['/etc/x'] = { sha256: sha256('x\n'), at: 'now' };
    const cloud = {
      name: 't',
      profile: 'p',
      profileTitle: 'p',
      nodes: [
        {
          name: 'n1',
          address: '10.0.0.1',
          artifacts: [
            {
              kind: 'file' as const,
              id: 's/x',
              step: 's',
              service: 'base' as const,
              path: '/etc/x',
              owner: 'root',
              group: 'root',
              mode: '0644',
              language: 'plaintext' as const,
              content: 'x\n',
              description: 'x',
            },
          ],
        },
      ],
    };
    const text = planText(buildPlan(cloud), journal, () => undefined);
    assert.match(text, /= write \/etc\/x/);
    assert.match(text, /Nothing to do according to the journal\. The nodes were not contacted: .*`ostopo plan --check`/);
    assert.equal(run(['plan', ZED, '--check', '--bogus']).code, 2, 'plan --check takes the deploy options, strictly');
  });

  it('the bundled dist/cli.js runs as a program with the same exit codes', () => {
    const cli = path.join(ROOT, 'dist', 'cli.js');
    const ok = spawnSync(process.execPath, [cli, 'validate', 'examples/train-centos7.ostopo.yaml'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const missing = spawnSync(process.execPath, [cli, 'validate', 'missing.yaml'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(missing.status, 2);
  });

  it('output piped into a reader that stops early (| head) ends quietly with the usual exit code', async () => {
    // Thousands of findings: far more than a pipe holds, so the CLI still writes when the reader is gone.
    const big = path.join(tmp, 'big.ostopo.yaml');
    fs.writeFileSync(big, minimal('config:\n  nova:\n    nova.conf:\n      DEFAULT:\n' + Array.from({ length: 5000 }, (_, i) => `        unknown_option_${i}: x\n`).join('')));
    // A plan of 100 nodes: thousands of lines, exit 0.
    const many = path.join(tmp, 'many.ostopo.yaml');
    fs.writeFileSync(many, minimal(Array.from({ length: 100 }, (_, i) => `  c${i}:\n    address: 10.0.0.${100 + i}\n    roles: [compute]\n`).join('')));
    const cli = path.join(ROOT, 'dist', 'cli.js');
    for (const [argv, code] of [
      [['validate', big], 1],
      [['plan', many, '--state-dir', path.join(tmp, 'state')], 0],
    ] as [string[], number][]) {
      // `ostopo ... | head -c 100`: head reads 100 bytes and exits, closing the pipe.
      const r = spawnSync('/bin/bash', ['-c', 'set -o pipefail; "$0" "$@" | head -c 100 >/dev/null', process.execPath, cli, ...argv], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r.status, code, `${argv[0]}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /EPIPE|Error|at /, argv[0]);
    }
  });
});
