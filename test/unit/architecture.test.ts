import * as assert from 'node:assert/strict';
import { analyze } from '../../src/core/compile';
import { FINDING_CODES } from '../../src/core/findings';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listFiles, ROOT } from './helpers';

const IMPORT = /(?:^|\n)\s*(?:import\s[^'"]*?from\s*|import\s*|export\s[^'"]*?from\s*)['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

describe('architecture', () => {
  const core = path.join(ROOT, 'src', 'core');
  const coreFiles = listFiles(core).filter((f) => f.endsWith('.ts'));

  it('src/core never imports vscode, nor the editor or CLI layers', () => {
    assert.ok(coreFiles.length > 10);
    const bad: string[] = [];
    for (const rel of coreFiles) {
      for (const spec of importsOf(path.join(core, rel))) {
        const resolved = spec.startsWith('.') ? path.resolve(core, path.dirname(rel), spec) : spec;
        if (spec === 'vscode' || resolved.startsWith(path.join(ROOT, 'src', 'vscode')) || resolved.startsWith(path.join(ROOT, 'src', 'cli'))) bad.push(`${rel}: ${spec}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('the import scanner sees the imports it must catch', () => {
    const tmp = path.join(ROOT, 'out', 'arch-probe.ts');
    fs.mkdirSync(path.dirname(tmp), { recursive: true });
    fs.writeFileSync(tmp, "import * as vscode from 'vscode';\nimport { x } from \"vscode\";\nconst v = require('vscode');\nexport { y } from '../vscode/z';\nawait import('vscode');\n");
    try {
      assert.deepEqual(importsOf(tmp), ['vscode', 'vscode', 'vscode', '../vscode/z', 'vscode']);
    } finally {
      fs.rmSync(tmp);
    }
  });

  it('the command table, package.json and the typed command ids name the same commands; no test-only command ships', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { COMMAND_IDS } = require('../../src/vscode/commandIds') as { COMMAND_IDS: readonly string[] };
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const contributed = (pkg.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.deepEqual([...contributed].sort(), [...COMMAND_IDS].sort());
    const table = [...fs.readFileSync(path.join(ROOT, 'src', 'vscode', 'commands.ts'), 'utf8').matchAll(/^ {4}'(ostopo\.[A-Za-z.]+)'/gm)].map((m) => m[1]);
    assert.deepEqual([...table].sort(), [...COMMAND_IDS].sort());
    assert.ok(!COMMAND_IDS.some((c) => /\.test\./.test(c)));
  });

  it('in a workspace not trusted, the commands that reach hosts, show secrets or write files are hidden (and refused in code)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { TRUSTED_ONLY } = require('../../src/vscode/commandIds') as { TRUSTED_ONLY: readonly string[] };
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    const entries = Object.values(pkg.contributes.menus as Record<string, { command: string; when?: string }[]>).flat();
    for (const c of TRUSTED_ONLY) {
      const mine = entries.filter((e) => e.command === c);
      assert.ok(
        mine.some((e) => e.when?.includes('isWorkspaceTrusted') && (pkg.contributes.menus.commandPalette as { command: string }[]).includes(e as { command: string })),
        `${c} is hidden from the command palette when the workspace is not trusted`,
      );
      for (const e of mine) assert.match(e.when ?? '', /isWorkspaceTrusted/, `${c} in a menu: ${e.when}`);
    }
    assert.ok(TRUSTED_ONLY.includes('ostopo.deployNode') && TRUSTED_ONLY.includes('ostopo.revealSecrets'));
    const commands = fs.readFileSync(path.join(ROOT, 'src', 'vscode', 'commands.ts'), 'utf8');
    assert.match(commands, /TRUSTED_ONLY as readonly string\[\]\)\.includes\(id\) && !vscode\.workspace\.isTrusted/);
  });

  it('extension.ts stays a short composition root', () => {
    const lines = fs.readFileSync(path.join(ROOT, 'src', 'vscode', 'extension.ts'), 'utf8').split('\n').length;
    assert.ok(lines <= 80, `extension.ts has ${lines} lines`);
  });
});

describe('documentation', () => {
  it("the README lists every finding code the core can produce, and only those (FINDING_CODES, the type of a finding's code)", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `([a-z]+\/[a-z-]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual([...documented].sort(), [...FINDING_CODES].sort());
    // Every code the source spells is one of them (the type says so for findings; this catches strings elsewhere).
    const src = listFiles(path.join(ROOT, 'src', 'core'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(path.join(ROOT, 'src', 'core', f), 'utf8'))
      .join('\n');
    const spelt = new Set([...src.matchAll(/'((?:yaml|schema|ref|node|ntp|network|service|secret|value|config|profile|repositories|verify)\/[a-z-]+)'/g)].map((m) => m[1]));
    assert.deepEqual(
      [...spelt].filter((c) => !(FINDING_CODES as readonly string[]).includes(c)),
      [],
    );
  });

  it("the end-to-end cloud is the README's topology, written the same way (roles, overrides)", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const yaml = /## The topology file\n\n```yaml\n([\s\S]*?)```/.exec(readme)![1];
    const env = { OS_ADMIN_PASS: 'x', OS_RABBIT_PASS: 'x' };
    const doc = analyze(yaml, env);
    const e2e = analyze(fs.readFileSync(path.join(ROOT, 'test', 'e2e', 'cloud.ostopo.yaml'), 'utf8'), {});
    const shape = (a: typeof doc) => a.cloud.nodes.map((n) => ({ name: n.name, roles: n.roles, services: n.services }));
    assert.deepEqual(shape(e2e), shape(doc), 'the same nodes with the same roles place the same services');
    assert.ok(
      e2e.cloud.nodes.every((n) => n.roles.length > 0),
      'placed by roles',
    );
    assert.deepEqual(e2e.cloud.config, doc.cloud.config, 'the same overrides for every node');
    assert.equal(e2e.cloud.release, doc.cloud.release);
    assert.equal(e2e.cloud.os, doc.cloud.os);
    for (const n of doc.cloud.nodes) {
      // The README's node overrides are there too (the e2e adds the fake driver, where nova-compute reads it).
      const mine = e2e.cloud.nodes.find((x) => x.name === n.name)!;
      for (const [project, files] of Object.entries(n.config)) for (const [file, v] of Object.entries(files ?? {})) assert.deepEqual(mine.config[project]?.[file], v, `${n.name}: ${project} ${file}`);
    }
  });

  it('npm test needs nothing beside the clone: no test or script it runs reaches for ../shared', () => {
    // What npm test runs: its scripts, the unit and integration tests, the VS Code test host. The node and
    // end-to-end tests (test/nodes, test/e2e) may use the team's test-node tool: they live outside npm test.
    const files = [
      ...['test/unit', 'test/integration', 'test/host', 'test/oslo', 'test/support'].flatMap((d) => listFiles(path.join(ROOT, d)).map((f) => path.join(d, f))),
      'scripts/test-setup.mjs',
      'scripts/debian.mjs',
      'scripts/vscode-host.mjs',
      'scripts/test-integration.mjs',
      'scripts/build.mjs',
    ].filter((f) => /\.(ts|mjs|js|py)$/.test(f) && !f.endsWith('architecture.test.ts')); // (this test names what it looks for)
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    // A path to ../shared, or the variable that points to it, read from the environment.
    const reaches = (f: string) => /\.\.\/shared|['"]\.\.['"],\s*['"]shared['"]|process\.env\.OSTOPO_SHARED/.test(fs.readFileSync(path.join(ROOT, f), 'utf8'));
    assert.deepEqual(files.filter(reaches), []);
    assert.ok(reaches('test/nodes/testnodes.ts') && reaches('test/e2e/run.mjs'), 'the scan sees the tests that do use the test-node tool');
    for (const s of ['pretest', 'test']) assert.doesNotMatch(pkg.scripts[s], /shared/);
  });

  it('the README starts with the two commands a new user runs, and they exist', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /```sh\n([\s\S]*?)```/.exec(readme)!;
    assert.ok(block.index < 200, 'the commands are at the top');
    assert.match(block[1], /^npm ci && npm run demo/m);
    assert.match(block[1], /^npm test/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.ok(pkg.scripts.demo && pkg.scripts.test);
    assert.match(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'), /^npm test$/m);
  });

  it('ready for the Marketplace and Open VSX: a 128×128 PNG icon, keywords, a changelog in the VSIX, no placeholder host', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const icon = fs.readFileSync(path.join(ROOT, pkg.icon));
    assert.equal(icon.subarray(1, 4).toString('latin1'), 'PNG', 'the marketplaces reject SVG icons');
    assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128]);
    assert.ok(pkg.keywords.length >= 5 && pkg.keywords.length <= 30 && pkg.keywords.includes('openstack'));
    assert.match(fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8'), /^# Changelog/);
    assert.match(fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8'), /^!CHANGELOG\.md$/m);
    // A repository, bugs or homepage entry names a real place or is absent (vsce is told so: no warning).
    for (const k of ['repository', 'bugs', 'homepage']) assert.doesNotMatch(JSON.stringify(pkg[k] ?? ''), /\.invalid|example\.(com|org)|localhost/, k);
    if (!pkg.repository) assert.match(pkg.scripts.package, /--allow-missing-repository/);
    // Images of the README that the VSIX ships resolve inside it.
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const [, img] of readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)) assert.ok(fs.existsSync(path.join(ROOT, img!)) && img!.startsWith('media/'), img);
  });
});
