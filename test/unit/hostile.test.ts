import * as assert from 'node:assert/strict';
import { parse, stringify } from 'yaml';
import { analyze, render } from '../../src/core/compile';
import { CommandArtifact } from '../../src/core/render/artifacts';
import { materialize } from '../../src/core/render/template';
import { secretLookup } from '../../src/core/secrets';
import { minimal } from './helpers';

const HOSTILE = [`x'; touch /tmp/pwned; '`, 'x$(touch /tmp/pwned)', 'x`id`', 'x"y', 'x\ntouch /tmp/pwned', 'x && reboot', 'x|sh'];

function set(obj: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let cur = obj as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  cur[path[path.length - 1]] = value;
}

/**
 * No topology value reaches a shell unquoted: a value that could reach a command is refused by
 * validation (on its own line), and what passes validation (secrets, config values) reaches commands
 * only through environment variables, standard input or files, never inside a command line.
 */
describe('hostile values in topology fields', () => {
  const base = parse(minimal('    providerInterface: eth1\nntp:\n  servers: [pool.ntp.org]\n  server: controller\n  allow: [10.0.0.0/24]\nssh:\n  user: root\n  host: jump\n')) as Record<string, unknown>;
  const commandFields: (string | number)[][] = [
    ['name'],
    ['region'],
    ['nodes', 'compute1', 'address'],
    ['nodes', 'compute1', 'providerInterface'],
    ['ntp', 'servers', 0],
    ['ntp', 'server'],
    ['ntp', 'allow', 0],
    ['ssh', 'user'],
    ['ssh', 'host'],
    ['networks', 'management', 'cidr'],
  ];

  for (const field of commandFields) {
    it(`${field.join('.')} is refused with a located error`, () => {
      for (const h of HOSTILE) {
        const doc = structuredClone(base);
        set(doc, field, h);
        const text = stringify(doc);
        const a = analyze(text, {});
        const errs = a.findings.filter((f) => f.severity === 'error');
        assert.ok(errs.length > 0, `${JSON.stringify(h)} in ${field.join('.')} is refused`);
        assert.ok(
          errs.some((f) => f.path && field.every((p, i) => f.path![i] === p)),
          `an error sits on ${field.join('.')}: ${errs.map((f) => `${f.code} ${(f.path ?? []).join('.')}`).join('; ')}`,
        );
      }
    });
  }

  it('node names (keys) are refused', () => {
    for (const h of HOSTILE) {
      const doc = structuredClone(base) as { nodes: Record<string, unknown> };
      doc.nodes[h] = { address: '10.0.0.40', roles: ['compute'] };
      assert.ok(analyze(stringify(doc), {}).hasErrors, JSON.stringify(h));
    }
  });

  it('secrets and config values pass, and reach commands only through the environment, stdin or files', () => {
    for (const h of HOSTILE.filter((x) => !x.includes('\n'))) {
      const doc = structuredClone(base) as Record<string, Record<string, unknown>>;
      doc.secrets.NOVA_PASS = h;
      doc.secrets.RABBIT_PASS = `${h}-Long-Enough-1`;
      (doc as Record<string, unknown>).config = { nova: { 'nova.conf': { DEFAULT: { instance_name_template: h } } } };
      const a = analyze(stringify(doc), {});
      assert.deepEqual(a.findings.filter((f) => f.severity === 'error'), [], JSON.stringify(h));
      const r = render(a);
      const lookup = secretLookup(a.cloud.secrets);
      for (const n of r.nodes) {
        for (const c of n.artifacts.filter((x): x is CommandArtifact => x.kind === 'command')) {
          assert.ok(!materialize(c.run, lookup).includes(h), `${c.id}: the value is not in the command line`);
          if (c.check) assert.ok(!materialize(c.check, lookup).includes(h), `${c.id}: nor in its check`);
        }
      }
    }
  });

  it('a line break in a secret or a config value is an error', () => {
    const doc = structuredClone(base) as Record<string, Record<string, unknown>>;
    doc.secrets.NOVA_PASS = 'a\nb';
    (doc as Record<string, unknown>).config = { nova: { 'nova.conf': { DEFAULT: { debug: 'true\n[evil]' } } } };
    const codes = analyze(stringify(doc), {}).findings.filter((f) => f.severity === 'error').map((f) => f.code);
    assert.deepEqual(codes, ['value/line-break', 'value/line-break']);
  });
});
