import * as assert from 'node:assert/strict';
import { analyze } from '../../src/core/compile';
import { renderCloud } from '../../src/core/render/index';
import { materialize } from '../../src/core/render/template';
import { secretLookup } from '../../src/core/secrets';
import { minimal } from './helpers';

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
