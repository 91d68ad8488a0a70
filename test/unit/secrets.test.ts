import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, render } from '../../src/core/compile';
import { renderCloud } from '../../src/core/render/index';
import { materialize, secretsIn } from '../../src/core/render/template';
import { generateCephxKey, generateSecretFor, isCephxKey, secretLookup, weakness } from '../../src/core/secrets';
import { analyzeFile, EPOXY, minimal, TRAIN, ZED } from './helpers';

/** A topology addresses a secret only through `secrets:` and the services that use it. */
describe('secrets cannot be forged into files', () => {
  const ADMIN = 'Str0ng-Admin-Pass-1';
  // What the renderer's placeholder looked like before it carried a per-process nonce, and variants.
  const forgeries = ['\u0000{ADMIN_PASS}\u0000', '\u0000{ADMIN_PASS|sh}\u0000', '{ADMIN_PASS}', '${ADMIN_PASS}', '<secret:ADMIN_PASS>', '$ADMIN_PASS'];

  it('an override value that spells a placeholder stays literal text, on every node, in every file', () => {
    for (const forged of forgeries) {
      // Straight into the renderer (validation would refuse the NUL ones): no path turns it into the value.
      const a = analyze(minimal(), {});
      const cloud = { ...a.cloud, config: { glance: { 'glance-api.conf': { unknown_section: { opt: forged }, DEFAULT: { debug: forged } } } } };
      cloud.nodes = cloud.nodes.map((n) => ({ ...n, config: { nova: { 'nova.conf': { DEFAULT: { my_ip: forged } } } } }));
      const lookup = secretLookup(a.cloud.secrets);
      for (const n of renderCloud(cloud).nodes) {
        for (const art of n.artifacts) {
          const texts = art.kind === 'file' ? [art.content] : art.kind === 'command' ? [art.run, art.stdin ?? '', art.check ?? ''] : [art.run];
          for (const t of texts) {
            const real = materialize(t, lookup);
            // ADMIN_PASS legitimately reaches admin-openrc; where the forged text went, it stays text.
            for (const key of ['opt', 'debug', 'my_ip']) assert.ok(!real.includes(`${key} = ${ADMIN}`), `${JSON.stringify(forged)} became the secret in ${n.name} ${art.id}`);
          }
        }
      }
    }
  });
});

/**
 * No secret on a remote command line: `ps` shows every process's arguments to every user of a node.
 * Secrets reach commands as environment variables (sent over the SSH channel's stdin) or as stdin; a
 * command may hand one to a program only through the program's environment or a private file.
 */
describe('no secret on a remote command line', () => {
  // How a command may use "$NAME": as another variable of a program's environment (OS_BOOTSTRAP_PASSWORD="$ADMIN_PASS" keystone-manage ...),
  // written by the shell builtin printf into a file or a pipe (Ceph's keyring to `ceph auth import -i -`),
  // or compared by the builtin test.
  const ALLOWED = [/\b[A-Z][A-Z0-9_]*="\$\{?NAME\}?" /g, /printf '[^']*' "\$\{?NAME\}?"/g, /\[ "[^"]*" = "\$\{?NAME\}?" \]/g];

  for (const example of [ZED, TRAIN, EPOXY]) {
    it(`every command and check of ${path.basename(example)}`, () => {
      const a = analyzeFile(example);
      let seen = 0;
      for (const n of render(a).nodes) {
        for (const art of n.artifacts) {
          if (art.kind !== 'command' && art.kind !== 'check') continue;
          const lines = [art.run, art.kind === 'command' ? (art.check ?? '') : ''];
          for (const text of lines) {
            assert.deepEqual(secretsIn(text), [], `${n.name} ${art.id}: a secret written into the command text`);
            for (const name of art.env ?? []) {
              let rest = text;
              for (const re of ALLOWED) rest = rest.replace(new RegExp(re.source.replace(/NAME/g, name), 'g'), '');
              seen += text.length === rest.length ? 0 : 1;
              assert.doesNotMatch(rest, new RegExp(`\\$\\{?${name}\\b`), `${n.name} ${art.id} (${art.title}): $${name} reaches a command line`);
            }
          }
        }
      }
      assert.ok(seen >= 2, 'the commands that use secrets were looked at');
    });
  }
});

describe("Ceph's keys: cephx keys, generated and checked as such", () => {
  it('a generated key is what ceph-authtool makes: type AES, its time, 16 random bytes, in 40 characters of base64', () => {
    const key = generateCephxKey(() => new Uint8Array(16).fill(7), Date.UTC(2026, 11, 2, 15, 0, 0, 250));
    assert.match(key, /^AQ[A-Za-z0-9+/]{36}==$/);
    const b = Buffer.from(key, 'base64');
    assert.deepEqual([b.readUInt16LE(0), b.readUInt32LE(2), b.readUInt32LE(6), b.readUInt16LE(10)], [1, Date.UTC(2026, 11, 2, 15) / 1000, 250_000_000, 16]);
    assert.deepEqual([...b.subarray(12)], new Array(16).fill(7));
    assert.ok(isCephxKey(key) && isCephxKey(generateCephxKey()));
    assert.notEqual(generateCephxKey(), generateCephxKey());
    // The names pick the form: a cephx key for Ceph's, a password for the others.
    assert.ok(isCephxKey(generateSecretFor('CEPH_CINDER_KEY')));
    assert.ok(!isCephxKey(generateSecretFor('NOVA_PASS')));
  });

  it('a Ceph secret that is not a cephx key is weak (never shown); a password name keeps the password rules', () => {
    assert.match(weakness('CEPH_ADMIN_KEY', 'Str0ng-But-Not-A-Key-1') ?? '', /not a cephx key/);
    assert.match(weakness('CEPH_ADMIN_KEY', 'AQDmOxBrwMYtABAABb7ActSDFVM1QtCLMMgnGw=') ?? '', /not a cephx key/, 'one character short');
    // Right length and alphabet, but type 2 in its first bytes.
    assert.match(weakness('CEPH_ADMIN_KEY', Buffer.from([2, 0, ...new Array(26).fill(1)]).toString('base64')) ?? '', /not a cephx key/);
    assert.equal(weakness('CEPH_ADMIN_KEY', 'AQDmOxBrwMYtABAABb7ActSDFVM1QtCLMMgnGw=='), undefined);
    const f = analyze(fs.readFileSync(EPOXY, 'utf8').replace(/CEPH_MON_KEY: \S+/, 'CEPH_MON_KEY: Str0ng-Mon-Pass-Value-1'), {
      OSTOPO_ADMIN_PASS: 'Adm1n-Example-Pass-x',
      OSTOPO_DEMO_PASS: 'Dem0-Example-Pass-x',
    }).findings.filter((x) => x.code === 'secret/weak');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /CEPH_MON_KEY/);
    assert.doesNotMatch(f[0]!.message, /Str0ng-Mon-Pass-Value-1/);
  });
});
