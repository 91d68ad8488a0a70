import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { analyze, render } from '../../src/core/compile';
import { emptyNode, sha256 } from '../../src/core/deploy/journal';
import { buildPlan, commandHash, planMarks } from '../../src/core/deploy/plan';
import { readerBeside } from '../../src/core/localFiles';
import { materialize } from '../../src/core/render/template';
import { secretLookup, weakness } from '../../src/core/secrets';
import { ReadFile } from '../../src/core/secretsFile';
import { keychainEdit } from '../../src/core/editor/fixes';
import { at, lineOf, minimal, only } from './helpers';

/** minimal() without the named secrets, naming `secretsFile` when given. */
function topology(drop: string[], file?: string, extra = ''): string {
  const lines = minimal(extra)
    .split('\n')
    .filter((l) => !drop.some((d) => l.startsWith(`  ${d}:`)));
  if (file !== undefined) lines.splice(lines.indexOf('secrets:'), 0, `secretsFile: ${file}`);
  return lines.join('\n');
}

const reader =
  (files: Record<string, { text: string; mode?: number }>): ReadFile =>
  (p) =>
    files[p] ?? { error: 'no such file', missing: true };

function run(argv: string[], cwd: string, env: Record<string, string | undefined> = {}): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, { out: (s) => (out += s), err: (s) => (err += s), env, cwd });
  assert.equal(typeof code, 'number');
  return { code: code as number, out, err };
}

describe('the secrets file (secretsFile)', () => {
  it("fills the secrets the topology's `secrets` do not set; the topology wins, and says so", () => {
    const text = topology(['NOVA_PASS', 'RABBIT_PASS'], 'cloud.secrets.yaml');
    const a = analyze(text, {}, reader({ 'cloud.secrets.yaml': { text: "NOVA_PASS: 'N0va-From-The-File-1'\nRABBIT_PASS: R4bbit-From-File-22\nGLANCE_PASS: Other-Gl4nce-Value-3\n", mode: 0o100600 } }));
    assert.deepEqual(
      a.findings.filter((f) => f.severity === 'error'),
      [],
    );
    assert.equal(a.cloud.secrets.get('NOVA_PASS')?.value, 'N0va-From-The-File-1');
    assert.equal(a.cloud.secrets.get('NOVA_PASS')?.file, 'cloud.secrets.yaml');
    assert.equal(a.cloud.secrets.get('GLANCE_PASS')?.value, 'Str0ng-Glance-Pass-1', "the topology's value");
    const shadowed = only(a.findings, 'secret/shadowed');
    assert.equal(shadowed.length, 1);
    assert.equal(at(shadowed[0]!), `${lineOf(text, 'GLANCE_PASS:')}:3`);
    assert.match(shadowed[0]!.message, /`GLANCE_PASS` is also in cloud\.secrets\.yaml/);
    // The values reach the rendered files.
    const r = render(a);
    const conf = r.nodes.find((n) => n.name === 'controller')!.artifacts.find((x) => x.kind === 'file' && x.path === '/etc/nova/nova.conf');
    assert.ok(conf && conf.kind === 'file' && materialize(conf.content, secretLookup(a.cloud.secrets)).includes('N0va-From-The-File-1'));
  });

  it('every problem of the file is a finding on the `secretsFile` line, and none quotes a value', () => {
    const text = topology(['NOVA_PASS'], 'cloud.secrets.yaml');
    const line = `${lineOf(text, 'secretsFile:')}:14`;
    const check = (content: string | undefined, mode: number | undefined, code: string, message: RegExp) => {
      const files: Record<string, { text: string; mode?: number }> = content === undefined ? {} : { 'cloud.secrets.yaml': { text: content, mode } };
      const f = only(analyze(text, {}, reader(files)).findings, code);
      assert.equal(f.length, 1, `${code} for ${JSON.stringify(content)}`);
      assert.equal(at(f[0]!), line);
      assert.match(f[0]!.message, message);
      assert.ok(!f[0]!.message.includes('Pa55-word-S3cret'), f[0]!.message);
    };
    check(undefined, undefined, 'secret/file-unreadable', /cannot read the secrets file `cloud\.secrets\.yaml`: no such file\. `ostopo secrets generate` creates it/);
    check('NOVA_PASS: [Pa55-word-S3cret\n', 0o600, 'secret/file-invalid', /not valid YAML at line 2 \(BAD_INDENT\)/);
    check('NOVA_PASS: Pa55-word-S3cret\nNOVA_PASS: Pa55-word-S3cret\n', 0o600, 'secret/file-invalid', /line 2/);
    check('- Pa55-word-S3cret\n', 0o600, 'secret/file-invalid', /must be a map of `NAME: value` lines/);
    check('nova_pass: Pa55-word-S3cret\n', 0o600, 'secret/file-invalid', /cloud\.secrets\.yaml:1: a secret name is upper-case/);
    check('NOVA_PASS: { a: Pa55-word-S3cret }\n', 0o600, 'secret/file-invalid', /cloud\.secrets\.yaml:1: `NOVA_PASS` needs a text value/);
    check('NOVA_PASS: Pa55-word-S3cret\n', 0o100644, 'secret/file-permissions', /can be read by other users \(mode 0644\): `chmod 600 cloud\.secrets\.yaml`/);
    check('NOVA_PASS: Pa55-word-S3cret\nNOVA_PAS: Pa55-word-S3cret\n', 0o600, 'secret/unknown-name', /cloud\.secrets\.yaml: ostopo uses no secret named `NOVA_PAS` — did you mean `NOVA_PASS`\?/);
    check('NOVA_PASS: nova\n', 0o600, 'secret/weak', /`NOVA_PASS` is weak: it is a well-known password\. \(from cloud\.secrets\.yaml\)/);
    // Without a reader (an unsaved document in the editor), the file cannot be found.
    assert.match(only(analyze(text, {}).findings, 'secret/file-unreadable')[0]!.message, /save the topology to a file first/);
    // A missing secret says where it may go.
    assert.match(
      only(analyze(topology(['NOVA_PASS', 'GLANCE_PASS'], 'cloud.secrets.yaml'), {}, reader({ 'cloud.secrets.yaml': { text: '', mode: 0o600 } })).findings, 'secret/missing')[0]!.message,
      /to cloud\.secrets\.yaml \(`ostopo secrets generate` fills it\)/,
    );
  });

  it('is read beside the topology on this machine, with its mode', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-sf-'));
    try {
      fs.writeFileSync(path.join(dir, 's.yaml'), 'NOVA_PASS: x\n', { mode: 0o640 });
      const r = readerBeside(path.join(dir, 'c.ostopo.yaml'))('s.yaml');
      assert.ok('text' in r && r.text === 'NOVA_PASS: x\n' && (r.mode! & 0o777) === 0o640);
      assert.deepEqual(readerBeside(path.join(dir, 'c.ostopo.yaml'))('none.yaml'), { missing: true, error: 'no such file' });
      assert.equal((readerBeside(path.join(dir, 'c.ostopo.yaml'))('.') as { error: string }).error, 'it is a directory');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ostopo secrets generate', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-gen-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fills what has no value into a private file the topology then names; never prints a value; keeps what exists', () => {
    const topo = path.join(dir, 'lab.ostopo.yaml');
    const text = topology(['NOVA_PASS', 'RABBIT_PASS', 'GLANCE_DBPASS', 'ADMIN_PASS'], undefined).replace('secrets:\n', '# the passwords\nsecrets:\n  ADMIN_PASS: ${env:LAB_ADMIN}\n');
    fs.writeFileSync(topo, text, { mode: 0o644 });
    assert.equal(run(['validate', topo], dir, { LAB_ADMIN: 'Adm1n-Lab-Value-77' }).code, 1, 'secrets missing');

    const g = run(['secrets', 'generate', 'lab.ostopo.yaml'], dir, { LAB_ADMIN: 'Adm1n-Lab-Value-77' });
    assert.equal(g.code, 0, g.err);
    assert.equal(g.out, 'generated 3 secret(s) into lab.secrets.yaml (mode 0600): RABBIT_PASS, GLANCE_DBPASS, NOVA_PASS\nlab.ostopo.yaml now names it: secretsFile: lab.secrets.yaml\n');
    const file = path.join(dir, 'lab.secrets.yaml');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const a = analyze(fs.readFileSync(topo, 'utf8'), { LAB_ADMIN: 'Adm1n-Lab-Value-77' }, readerBeside(topo));
    assert.deepEqual(a.findings, [], 'valid, no warning (the values are strong)');
    const values = ['RABBIT_PASS', 'GLANCE_DBPASS', 'NOVA_PASS'].map((n) => a.cloud.secrets.get(n)!.value!);
    for (const v of values) {
      assert.match(v, /^[A-Za-z2-9]{24}$/);
      assert.equal(weakness('X', v), undefined);
      assert.ok(!g.out.includes(v) && !g.err.includes(v), 'never printed');
    }
    assert.equal(new Set(values).size, 3);
    // The topology kept its text, with one line added before `secrets:`; its mode is kept.
    assert.equal(fs.readFileSync(topo, 'utf8'), text.replace('# the passwords\nsecrets:', '# the passwords\nsecretsFile: lab.secrets.yaml\nsecrets:'));
    assert.equal(fs.statSync(topo).mode & 0o777, 0o644);

    // Again: nothing to do, nothing changes.
    const before = fs.readFileSync(file, 'utf8');
    const again = run(['secrets', 'generate', topo], dir, { LAB_ADMIN: 'Adm1n-Lab-Value-77' });
    assert.equal(again.code, 0);
    assert.match(again.out, /nothing generated/);
    assert.equal(fs.readFileSync(file, 'utf8'), before);

    // A service added later: only its secret is added, below what the user wrote in the file.
    fs.writeFileSync(file, before + '# rotated 2026-12-01\n', { mode: 0o600 });
    fs.writeFileSync(topo, fs.readFileSync(topo, 'utf8').replace('  KEYSTONE_DBPASS: Str0ng-Keystone-Db-1\n', ''));
    const more = run(['secrets', 'generate', topo], dir, { LAB_ADMIN: 'Adm1n-Lab-Value-77' });
    assert.equal(more.out, 'generated 1 secret(s) into lab.secrets.yaml (mode 0600): KEYSTONE_DBPASS\n');
    assert.ok(fs.readFileSync(file, 'utf8').startsWith(before + '# rotated 2026-12-01\nKEYSTONE_DBPASS: '));
  });

  it('does not generate what the topology takes from an unset variable, and says so (exit 1)', () => {
    const topo = path.join(dir, 'c.ostopo.yaml');
    fs.writeFileSync(topo, topology(['ADMIN_PASS', 'NOVA_PASS']).replace('secrets:\n', 'secrets:\n  ADMIN_PASS: ${env:UNSET_ADMIN}\n'));
    const g = run(['secrets', 'generate', topo], dir);
    assert.equal(g.code, 1);
    assert.match(g.out, /generated 1 secret\(s\) into c\.secrets\.yaml \(mode 0600\): NOVA_PASS/);
    assert.match(g.err, /not generated: ADMIN_PASS comes from environment variable UNSET_ADMIN, which is not set/);
  });

  it('refuses, writing nothing, when the secrets file or the topology cannot be read safely', () => {
    const topo = path.join(dir, 'c.ostopo.yaml');
    fs.writeFileSync(topo, topology(['NOVA_PASS'], 'c.secrets.yaml'));
    fs.writeFileSync(path.join(dir, 'c.secrets.yaml'), 'GLANCE_PASS: [broken\n', { mode: 0o600 });
    const g = run(['secrets', 'generate', topo], dir);
    assert.equal(g.code, 1);
    assert.match(g.err, /the secrets file `c\.secrets\.yaml` has problems: fix them first/);
    assert.equal(fs.readFileSync(path.join(dir, 'c.secrets.yaml'), 'utf8'), 'GLANCE_PASS: [broken\n');

    fs.writeFileSync(topo, 'name: [broken\n');
    assert.match(run(['secrets', 'generate', topo], dir).err, /the topology is not valid YAML/);
    assert.match(run(['secrets', 'frobnicate', topo], dir).err, /secrets needs a subcommand: generate/);
    assert.equal(run(['secrets', 'generate', path.join(dir, 'none.ostopo.yaml')], dir).code, 2);
    // --secrets-file that contradicts the topology's.
    fs.writeFileSync(topo, topology(['NOVA_PASS'], 'c.secrets.yaml'));
    assert.match(run(['secrets', 'generate', topo, '--secrets-file', 'other.yaml'], dir).err, /names its secrets file already: secretsFile: c\.secrets\.yaml/);
  });

  it('a topology without `secrets:` gets the line at its end; --secrets-file chooses the file', () => {
    const topo = path.join(dir, 'c.ostopo.yaml');
    const text = topology(['NOVA_PASS']).replace(/secrets:\n( {2}.*\n)+/, '');
    fs.writeFileSync(topo, text.replace(/\n$/, ''));
    const g = run(['secrets', 'generate', topo, '--secrets-file', 'private/c.yaml'], dir);
    assert.equal(g.code, 1, 'private/ does not exist: cannot write');
    assert.match(g.err, /cannot write private\/c\.yaml/);
    assert.equal(fs.readFileSync(topo, 'utf8'), text.replace(/\n$/, ''), 'the topology is unchanged when the secrets file could not be written');
    fs.mkdirSync(path.join(dir, 'private'));
    assert.equal(run(['secrets', 'generate', topo, '--secrets-file', 'private/c.yaml'], dir).code, 0);
    assert.ok(fs.readFileSync(topo, 'utf8').endsWith('\nsecretsFile: private/c.yaml\n'));
    assert.equal(run(['validate', topo], dir).code, 0);
  });
});

describe('rotation: a changed secret reaches every place that holds it', () => {
  it('the database grant, the RabbitMQ user, the keystone user (its check signs in) and every file run or change again', () => {
    const old = analyze(minimal(), {});
    const rotated = analyze(
      minimal().replace('Str0ng-Glance-Pass-1', 'N3w-Glance-Pass-22').replace('Str0ng-Glance-Db-1', 'N3w-Glance-Db-22').replace('Str0ng-Rabbit-Pass-1', 'N3w-Rabbit-Pass-22'),
      {},
    );
    const plan = buildPlan(render(rotated));
    const controller = plan.nodes.find((n) => n.name === 'controller')!;
    // The journal of a deploy with the old values: every command done, every file written.
    const journal = emptyNode();
    const oldLookup = secretLookup(old.cloud.secrets);
    for (const s of buildPlan(render(old)).nodes.find((n) => n.name === 'controller')!.steps)
      for (const x of s.actions) {
        if (x.kind === 'file') journal.files[x.path] = { sha256: sha256(materialize(x.content, oldLookup)), at: '' } as never;
        else journal.commands[x.id] = { hash: commandHash(x, oldLookup), at: '' };
      }
    const marks = new Map(controller.steps.flatMap((s) => planMarks(s, journal, secretLookup(rotated.cloud.secrets)).map((m) => [m.id, m])));
    for (const id of ['glance-database/create', 'rabbitmq/user', 'glance/register', 'glance/glance-api.conf']) assert.notEqual(marks.get(id)?.mark, '=', `${id} runs or changes`);
    assert.equal(marks.get('keystone-database/create')?.mark, '=', 'what holds no rotated secret stays done');
    // The keystone user's check proves the password, not only that the user exists.
    const user = controller.steps.flatMap((s) => s.actions).find((x) => x.id === 'glance/register')!;
    assert.ok(user.kind === 'command' && user.check!.includes('get_token()') && user.env!.includes('GLANCE_PASS'));
  });
});

describe('a secret kept in the OS keychain of VS Code (`${keychain}`)', () => {
  const text = minimal().replace('  NOVA_PASS: Str0ng-Nova-Pass-1', '  NOVA_PASS: ${keychain}');
  it('the editor reads it through a lookup per cloud and name; the CLI, which has none, says where it is', () => {
    const asked: string[] = [];
    const a = analyze(text, {}, undefined, (cloud, name) => (asked.push(`${cloud}/${name}`), name === 'NOVA_PASS' ? 'Fr0m-The-K3ychain-1' : undefined));
    assert.deepEqual(asked, ['t/NOVA_PASS']);
    assert.equal(a.cloud.secrets.get('NOVA_PASS')?.value, 'Fr0m-The-K3ychain-1');
    assert.deepEqual(a.findings, []);
    const editor = only(analyze(text, {}, undefined, () => undefined).findings, 'secret/keychain-unset');
    assert.equal(at(editor[0]!), `${lineOf(text, 'NOVA_PASS:')}:14`);
    assert.match(editor[0]!.message, /which has no value for it yet: run "ostopo: Store Secret in Keychain"/);
    const cli = only(analyze(text, {}).findings, 'secret/keychain-unset');
    assert.match(
      cli[0]!.message,
      /^`NOVA_PASS` is kept only in the OS keychain of VS Code \(SecretStorage\), which the CLI cannot read: deploy from VS Code, or give it a value in the secrets file or the environment\.$/,
    );
  });

  it('the CLI refuses what needs it with the reason', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-keychain-'));
    try {
      fs.writeFileSync(path.join(dir, 'c.ostopo.yaml'), text);
      const r = run(['render', 'c.ostopo.yaml', '--out', 'out', '--reveal-secrets'], dir);
      assert.equal(r.code, 1);
      assert.match(r.err, /cannot reveal secrets without values: NOVA_PASS \(kept only in the OS keychain of VS Code\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keychainEdit: an entry becomes ${keychain}, or is added; none when it reads so', () => {
    const a = analyze(minimal(), {});
    const e = keychainEdit(a, 'GLANCE_PASS')!;
    assert.equal(e.newText, '${keychain}');
    assert.equal(e.range.start.line, lineOf(minimal(), 'GLANCE_PASS:') - 1);
    const added = keychainEdit(a, 'METADATA_SECRET')!;
    assert.match(added.newText, /^ {2}METADATA_SECRET: \$\{keychain\}\n$/);
    assert.equal(keychainEdit(analyze(text, {}), 'NOVA_PASS'), undefined);
  });
});
