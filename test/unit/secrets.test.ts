import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyze, render } from '../../src/core/compile';
import { renderCloud } from '../../src/core/render/index';
import { materialize, secretsIn } from '../../src/core/render/template';
import { secretLookup } from '../../src/core/secrets';
import { analyzeFile, minimal, TRAIN, ZED } from './helpers';

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
  // or written by the shell builtin printf into a file.
  const ALLOWED = [/\b[A-Z][A-Z0-9_]*="\$\{?NAME\}?" /g, /printf '%s' "\$\{?NAME\}?" > /g];

  for (const example of [ZED, TRAIN]) {
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
