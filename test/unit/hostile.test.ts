import * as assert from 'node:assert/strict';
import { parse, stringify } from 'yaml';
import { analyze, Analysis, render } from '../../src/core/compile';
import { completeAt } from '../../src/core/editor/complete';
import { hoverAt, outline } from '../../src/core/editor/navigate';
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
  const base = parse(minimal('    providerInterface: eth1\nntp:\n  servers: [pool.ntp.org]\n  server: controller\n  allow: [10.0.0.0/24]\nssh:\n  user: root\n  host: jump\n')) as Record<
    string,
    unknown
  >;
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
      assert.deepEqual(
        a.findings.filter((f) => f.severity === 'error'),
        [],
        JSON.stringify(h),
      );
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
    const codes = analyze(stringify(doc), {})
      .findings.filter((f) => f.severity === 'error')
      .map((f) => f.code);
    assert.deepEqual(codes, ['value/line-break', 'value/line-break']);
  });
});

/**
 * A secret is never quoted by a finding, a hover, a completion or the outline, whatever its type or form:
 * each case below puts a secret value (written so that its marker is findable) where ostopo reads
 * secrets, and looks for the marker in everything the editor and the CLI would show.
 */
describe('secret values never appear in findings, hovers, completions or the outline', () => {
  const M = 'Hunter2x';
  const withAdmin = (yaml: string) => minimal().replace('ADMIN_PASS: Str0ng-Admin-Pass-1', `ADMIN_PASS: ${yaml}`);
  const withSecrets = (block: string) => minimal().replace(/^secrets:\n( {2}.*\n)+/m, block);
  /** [what, topology text, markers that must not appear] */
  const CASES: [string, string, string[]][] = [
    ['a whole number', withAdmin('987654321'), ['987654321']],
    ['a hexadecimal number', withAdmin('0x75BCD15'), ['0x75BCD15', '123456789', '75BCD15']],
    ['an octal number', withAdmin('0o726746425'), ['726746425', '123456789']],
    ['a decimal number', withAdmin('3.14159265'), ['3.14159265', '14159265']],
    ['an exponent', withAdmin('6.02e23'), ['6.02e23', '6.02e+23', '602000000000000000000000']],
    ['a list', withAdmin(`[${M}-item, other-${M}]`), [M]],
    ['a block list', withAdmin(`\n    - ${M}-item`), [M]],
    ['a mapping', withAdmin(`{${M}-key: ${M}-value}`), [M]],
    ['a malformed reference', withAdmin(`\${vault:${M}}`), [M]],
    ['an unset-looking reference with text', withAdmin(`pre-\${env:X}-${M}`), [M]],
    ['a line break', withAdmin(`"${M}\\nnext"`), [M]],
    ['a weak one', withAdmin(M), [M]],
    ['an unknown secret name', withAdmin(`x\n  ADMIN_PAS: ${M}-long-enough-1`), [M]],
    ['an alias (a password starting with *)', withAdmin(`*${M}`), [M]],
    ['a tag (a password starting with !)', withAdmin(`!${M}`), [M]],
    ['a block scalar header (a password starting with |)', withAdmin(`|${M}`), [M]],
    ['a folded header (a password starting with >)', withAdmin(`>${M}`), [M]],
    ['a reserved character (a password starting with @)', withAdmin(`@${M}`), [M]],
    ['an unclosed quote', withAdmin(`"${M}`), [M]],
    ['secrets as text', withSecrets(`secrets: ${M}-all\n`), [M]],
    ['secrets as a list', withSecrets(`secrets: [${M}-a, ${M}-b]\n`), [M]],
    ['secrets as a duplicate list', withSecrets(`secrets:\n  - ${M}-same\n  - ${M}-same\n`), [M]],
  ];

  function shown(a: Analysis, text: string): string[] {
    const out = a.findings.flatMap((f) => [f.message, ...(f.suggestions ?? [])]);
    out.push(JSON.stringify(outline(a)));
    const lines = text.split('\n');
    const from = lines.findIndex((l) => l.startsWith('secrets'));
    for (let line = from; line >= 0 && line < lines.length && (line === from || /^\s/.test(lines[line])); line++) {
      for (let character = 0; character <= lines[line].length; character++) {
        const h = hoverAt(a, { line, character });
        if (h) out.push(h.markdown);
        for (const c of completeAt(a, text, { line, character })) out.push(`${c.label} ${c.detail ?? ''} ${c.documentation ?? ''}`);
      }
    }
    return out;
  }

  for (const [what, text, markers] of CASES) {
    it(what, () => {
      const a = analyze(text, {});
      assert.ok(a.findings.length > 0, 'the case gives findings');
      for (const s of shown(a, text)) for (const m of markers) assert.ok(!s.includes(m), `${JSON.stringify(m)} shown in: ${s}`);
    });
  }

  it('a wrong type is reported the same way whatever the value (true or false, one number or another)', () => {
    const messages = (yaml: string) => analyze(withAdmin(yaml), {}).findings.map((f) => `${f.code} ${f.message}`);
    assert.deepEqual(messages('true'), messages('false'));
    assert.deepEqual(messages('123456789012'), messages('987654321098'));
    assert.deepEqual(messages('1.5'), messages('2.5'));
    assert.ok(messages('123456789012').includes('schema/type `ADMIN_PASS` must be text, not a whole number: put it in quotes.'), messages('123456789012').join('\n'));
  });
});
