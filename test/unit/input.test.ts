import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { analyze, render, TopologyError } from '../../src/core/compile';
import { fixesFor } from '../../src/core/editor/fixes';
import { hoverAt } from '../../src/core/editor/navigate';
import { formatFinding } from '../../src/core/findings';
import { ParsedDocument } from '../../src/core/parse';
import { at, lineOf, minimal, only, ROOT } from './helpers';
import { MAX_UNKNOWN_PER_SECTION } from '../../src/core/validate';

/** Input that hung the reader, crashed it or silently lost data: each is one located finding now. */
describe('hostile input: what the reader makes of it', function () {
  this.timeout(60000);

  describe('size: reading is linear', () => {
    it('a mapping of 60,000 keys (1 MB) is read in seconds, its duplicate keys still found', () => {
      // yaml's own duplicate-key check compared each key with every other one: about a minute here.
      const lines = [minimal(), 'x-wide:'];
      for (let i = 0; i < 60000; i++) lines.push(`  key_${i}: value ${i}`);
      lines.push('  key_7: again', '');
      const text = lines.join('\n');
      assert.ok(text.length > 1_000_000);
      const start = Date.now();
      const doc = new ParsedDocument(text);
      const ms = Date.now() - start;
      assert.ok(ms < 15000, `read in ${ms} ms`);
      const dup = only(doc.findings, 'yaml/duplicate-key');
      assert.equal(dup.length, 1);
      assert.equal(dup[0].range.start.line + 1, lineOf(text, 'key_7: again'));
      assert.match(dup[0].message, /Duplicate key: `key_7` is already on line \d+/);
    });

    it(`40,000 unknown options (1 MB): the first ${MAX_UNKNOWN_PER_SECTION} reported one by one, the rest counted on the section; did-you-mean searches stop after 200`, () => {
      const lines = [minimal('config:\n  nova:\n    nova.conf:\n      DEFAULT:')];
      for (let i = 0; i < 40000; i++) lines.push(`        reserved_host_memory_m${i}: x`);
      const start = Date.now();
      const a = analyze(lines.join('\n') + '\n', {});
      const ms = Date.now() - start;
      const f = only(a.findings, 'config/unknown-option');
      assert.equal(f.length, MAX_UNKNOWN_PER_SECTION + 1);
      assert.equal(f.filter((x) => /more options/.test(x.message)).length, 1);
      assert.match(f.find((x) => /more options/.test(x.message))!.message, new RegExp(`^\\[DEFAULT\\] has ${40000 - MAX_UNKNOWN_PER_SECTION} more options`));
      assert.ok(ms < 15000, `validated in ${ms} ms`);
      assert.equal(f.filter((x) => x.suggestions?.length).length, 200);
    });

    it("a file of many YAML errors reads as fast whatever stack depth the host's errors capture (mocha: all)", () => {
      let text = 'x:\n';
      for (let d = 0; d < 60; d++) text += ' '.repeat(2 + d * 2) + `k${d}:\n`;
      for (let i = 0; i < 800; i++) text += `${' '.repeat(122)}a${i}: b: c\n`;
      const best = (limit: number) => {
        const saved = Error.stackTraceLimit;
        Error.stackTraceLimit = limit;
        try {
          let ms = Infinity;
          for (let i = 0; i < 3; i++) {
            const start = process.hrtime.bigint();
            assert.equal(new ParsedDocument(text).findings.length, 800);
            ms = Math.min(ms, Number(process.hrtime.bigint() - start) / 1e6);
          }
          return ms;
        } finally {
          Error.stackTraceLimit = saved;
        }
      };
      const shallow = best(1);
      const deep = best(Infinity);
      assert.ok(deep < 2 * shallow + 50, `${deep.toFixed(0)} ms with whole stacks, ${shallow.toFixed(0)} ms with one frame`);
    });

    it('nesting deeper than any topology stops reading there, quickly and located', () => {
      for (const deep of ['x: ' + '['.repeat(300000) + ']'.repeat(300000), 'x:\n' + '- '.repeat(300000) + 'y', 'x: ' + '{a: '.repeat(100000) + '1' + '}'.repeat(100000)]) {
        const start = Date.now();
        const a = analyze(minimal(deep + '\n'), {});
        assert.ok(Date.now() - start < 5000, `${deep.slice(0, 10)}: ${Date.now() - start} ms`);
        const f = a.findings.filter((x) => x.code === 'yaml/syntax');
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.match(f[0].message, /nest more than 64 levels deep here/);
        assert.equal(f[0].range.start.line + 1, lineOf(minimal(deep + '\n'), deep.split('\n').pop()!.slice(0, 6)));
      }
    });
  });

  describe('keys that become the same key', () => {
    const pairs: [string, string, string][] = [
      ['true', '"true"', 'true'],
      ['True', 'true', 'true'],
      ['~', '""', 'the empty key'],
      ['null', '~', 'the empty key'],
      ['1', '"1"', '`1`'],
      ['1.0', '1', '`1`'],
      ['0x1F', '31', '`31`'],
    ];
    for (const [a, b, as] of pairs) {
      it(`${a} and ${b}`, () => {
        const text = minimal(`config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        ${a}: first\n        ${b}: second\n`);
        const f = only(analyze(text, {}).findings, 'yaml/duplicate-key');
        assert.equal(f.length, 1, `${a} / ${b}`);
        assert.equal(f[0].severity, 'error');
        assert.equal(f[0].range.start.line + 1, lineOf(text, `${b}: second`));
        assert.ok(
          f[0].message.includes(`\`${b}\` is the same key as \`${a}\` on line ${lineOf(text, `${a}: first`)}: both read as ${as.startsWith('the') || as.startsWith('`') ? as : `\`${as}\``}`),
          f[0].message,
        );
      });
    }

    it('an alias used as a key is the key it stands for', () => {
      const text = minimal('config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        &k debug: true\n        *k : false\n');
      const f = only(analyze(text, {}).findings, 'yaml/duplicate-key');
      assert.equal(f.length, 1);
      assert.equal(at(f[0]), `${lineOf(text, '*k')}:9`);
    });
  });

  describe('messages for operators', () => {
    it('a second YAML document is pointed at, with what to do', () => {
      const text = minimal('---\nnodes:\n  extra: {}\n');
      const f = analyze(text, {}).findings.filter((x) => x.code === 'yaml/syntax');
      assert.equal(f.length, 1);
      assert.equal(at(f[0]), `${lineOf(text, '---')}:1`);
      assert.match(f[0].message, /A topology is one YAML document, and a second one starts here \(`---`\)/);
      assert.doesNotMatch(f[0].message, /parseAllDocuments/);
    });

    it('a number out of range is shown as written, and said to be out of range', () => {
      const text = minimal('ssh:\n  port: 1e400\n');
      const [f] = analyze(text, {}).findings;
      assert.equal(f.code, 'schema/type');
      assert.equal(at(f), `${lineOf(text, '1e400')}:9`);
      assert.equal(f.message, '`port` must be a whole number, not `1e400`, which is out of range (it is not a finite number).');
      // Where any number is allowed, one that is not finite cannot be written to a file either.
      const opt = analyze(minimal('config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        cpu_allocation_ratio: .inf\n'), {}).findings;
      assert.deepEqual(
        opt.map((x) => [x.code, x.message]),
        [['schema/range', '`cpu_allocation_ratio`: `.inf` is out of range (it is not a finite number).']],
      );
    });

    it('a message quotes at most 80 characters of a long value or key', () => {
      const long = 'x'.repeat(500_000);
      for (const extra of [
        `ssh:\n  port: "${long}"\n`,
        `release: ${long}\n`,
        `nodes2:\n  ${'k'.repeat(1000)}: 1\n`,
        `config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        ${'o'.repeat(900)}: 1\n`,
      ]) {
        const a = analyze(minimal(extra).replace(/^release: zed\n(?=[\s\S]*release: )/m, ''), {});
        assert.ok(a.findings.length > 0);
        for (const f of a.findings) assert.ok(f.message.length < 400, `${f.code}: ${f.message.length} characters`);
      }
    });

    it('an alias bomb is located at the alias that expands too much', () => {
      const bomb =
        'x-bomb:\n  a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n';
      const text = minimal(bomb);
      const a = analyze(text, {});
      const f = only(a.findings, 'yaml/alias');
      assert.equal(f.length, 1);
      assert.equal(at(f[0]), `${lineOf(text, '  e: [')}:7`);
      assert.match(f[0].message, /^Aliases expand too much: `\*d` stands for 8,200 value\(s\).*"billion laughs"/);
      assert.equal(a.doc.value, undefined);
      assert.ok(a.hasErrors);
    });

    it('an alias to nothing, or to the value that holds it, is located and never crashes', () => {
      const cases: [string, string, RegExp][] = [
        ['    roles: &r [controller, *r]', '*r', /`\*r` stands inside the value anchored as `&r`: that value would contain itself/],
        ['    roles: [*nothing]', '*nothing', /`\*nothing` refers to no anchor/],
      ];
      for (const [line, needle, message] of cases) {
        const text = minimal().replace('    roles: [controller]', line);
        const a = analyze(text, {});
        const f = only(a.findings, 'yaml/alias');
        assert.equal(f.length, 1, line);
        assert.equal(at(f[0]), `${lineOf(text, needle)}:${text.split('\n')[lineOf(text, needle) - 1].indexOf(needle) + 1}`);
        assert.match(f[0].message, message);
        assert.throws(() => render(a), TopologyError);
      }
    });

    it('YAML 1.1 tags do not turn values into binary data, sets or dates', () => {
      const a = analyze(minimal('x-tags:\n  b: !!binary aGVsbG8=\n  s: !!set {x}\n  t: !!timestamp 2001-12-14\n'), {});
      assert.deepEqual((a.doc.value as Record<string, unknown>)['x-tags'], { b: 'aGVsbG8=', s: { x: null }, t: '2001-12-14' });
      assert.ok(a.findings.some((f) => f.code === 'yaml/warning' && /a topology uses no tags/.test(f.message)));
    });
  });

  describe('text that is not text', () => {
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-input-'))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
      let out = '';
      let err = '';
      const code = await main(argv, { out: (x) => (out += x), err: (x) => (err += x), env: {}, cwd: ROOT });
      return { code, out, err };
    }

    it('bytes that are not UTF-8: located at the first bad byte, in the CLI as in the editor', async () => {
      const text = minimal().replace('name: t', 'name: t\n# café: été');
      const bytes = Buffer.from(text, 'utf8');
      // Latin-1 bytes where UTF-8 was expected: é written as 0xE9 (twice on that line).
      const line = Buffer.from('# café: été', 'utf8');
      const latin1 = Buffer.from('# caf\xe9: \xe9t\xe9', 'latin1');
      const file = path.join(tmp, 'latin1.ostopo.yaml');
      fs.writeFileSync(file, Buffer.from(bytes.toString('latin1').replace(line.toString('latin1'), latin1.toString('latin1')), 'latin1'));
      const r = await cli(['validate', file]);
      assert.equal(r.code, 1);
      assert.match(r.out, new RegExp(`latin1\\.ostopo\\.yaml:3:6: error yaml/encoding The file is not UTF-8 text here: .* \\(here and at 2 more place\\(s\\)\\)\\. Save the file as UTF-8\\.`)); // Also when the bytes broke the YAML, which then reports only what stands before the break.
      const broken = path.join(tmp, 'broken.ostopo.yaml');
      fs.writeFileSync(broken, Buffer.from('ostopo: 1\nname: caf\xe9: [\n', 'latin1'));
      const b = await cli(['validate', broken]);
      assert.match(b.out, /broken\.ostopo\.yaml:2:10: error yaml\/encoding /);
    });

    const BAD: [string, string, RegExp][] = [
      ['NUL', '\\0', /a NUL character \(U\+0000\)/],
      ['lone surrogate', '\\ud800', /half of a UTF-16 surrogate pair \(U\+D800\)/],
      ['low surrogate first', '\\udc00\\ud800', /half of a UTF-16 surrogate pair \(U\+DC00\)/],
      ['escape', '\\e[31m', /the control character U\+001B \(escape\)/],
    ];
    // Every kind of place a string of the file goes: values checked by patterns or not at all, keys, list items.
    const PLACES: [string, (x: string) => string, string][] = [
      ['a secret', (x) => minimal().replace('ADMIN_PASS: Str0ng-Admin-Pass-1', `ADMIN_PASS: "Str0ng-Admin-Pass-1${x}"`), 'ADMIN_PASS:'],
      ['an option value', (x) => minimal(`config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        instance_name_template: "inst-${x}"\n`), 'instance_name_template'],
      ['an option name', (x) => minimal(`config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        "debug${x}": true\n`), '"debug'],
      ['an identity file', (x) => minimal(`ssh:\n  identityFile: "~/.ssh/id${x}"\n`), 'identityFile'],
      ['a node name', (x) => minimal(`  "compute2${x}":\n    address: 10.0.0.32\n    roles: [compute]\n`), 'compute2'],
      ['a list item', (x) => minimal(`ntp:\n  servers: ["pool${x}.ntp.org"]\n`), 'servers'],
    ];
    for (const [what, escape, message] of BAD) {
      it(`${what} in any key or value is one located error, and nothing renders`, () => {
        for (const [place, make, needle] of PLACES) {
          const text = make(escape);
          const a = analyze(text, {});
          const f = only(a.findings, 'value/invalid-character');
          assert.equal(f.length, 1, `${what} in ${place}`);
          assert.equal(f[0].severity, 'error');
          assert.equal(f[0].range.start.line + 1, lineOf(text, needle), `${what} in ${place}`);
          assert.match(f[0].message, message);
          assert.throws(() => render(a), TopologyError);
        }
      });
    }

    it('render --reveal-secrets and plan refuse a lone surrogate in a secret instead of crashing', async () => {
      const file = path.join(tmp, 'surrogate.ostopo.yaml');
      fs.writeFileSync(file, minimal().replace('RABBIT_PASS: Str0ng-Rabbit-Pass-1', 'RABBIT_PASS: "Str0ng-Rabbit-Pass-1\\ud800"'));
      for (const argv of [
        ['render', file, '--out', path.join(tmp, 'out'), '--reveal-secrets'],
        ['plan', file, '--state-dir', path.join(tmp, 'state')],
      ]) {
        const r = await cli(argv);
        assert.equal(r.code, 1, `${argv[0]}: ${r.err}`);
        assert.match(r.err, /:\d+:\d+: error value\/invalid-character This value contains half of a UTF-16 surrogate pair/);
      }
      assert.ok(!fs.existsSync(path.join(tmp, 'out')));
    });

    it("a NUL cannot forge the renderer's secret placeholder", () => {
      const text = minimal('config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        "\\0{ADMIN_PASS}\\0": x\n');
      const a = analyze(text, {});
      assert.equal(only(a.findings, 'value/invalid-character').length, 1);
      assert.throws(() => render(a), TopologyError);
    });
  });

  describe('found by the fuzzer', () => {
    it('a finding prints the control characters of a name or value as escapes: one line, nothing for the terminal to act on', () => {
      const text = minimal('config:\n  nova:\n    "nova\\e]0;owned\\a.conf": {}\n').replace('roles: [compute]', 'roles: ["comp\\e[2Jute\\nx"]');
      const printed = analyze(text, {}).findings.map((f) => formatFinding('t.ostopo.yaml', f));
      assert.ok(printed.length >= 3);
      for (const line of printed) assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f]/, line);
      assert.ok(printed.some((l) => l.includes('Unknown key `nova\\u001b]0;owned\\u0007.conf`')));
      assert.ok(printed.some((l) => l.includes('Unknown role `comp\\u001b[2Jute\\nx`')));
    });

    it('a key holding the character that joins path keys still has its own path (hover, outline)', () => {
      const text = minimal().replace('GLANCE_PASS:', '"GL\\u0001NCE_PASS":').replace('NOVA_PASS:', '"NOVA\\\\1":');
      const a = analyze(text, {});
      for (const p of a.doc.paths()) assert.ok(a.doc.get(p), JSON.stringify(p));
      assert.ok(a.doc.paths().some((p) => p[1] === 'GL\u0001NCE_PASS'));
      assert.ok(a.doc.paths().some((p) => p[1] === 'NOVA\\1'));
      const line = lineOf(text, '"GL');
      assert.match(hoverAt(a, { line: line - 1, character: 4 })!.markdown, /secret `GL\u0001NCE_PASS`/);
    });

    it('the quick fix for a missing secret where `secrets` is not a mapping', () => {
      const a = analyze(minimal().replace(/secrets:\n( {2}.*\n)+/, 'secrets: "pc"\n'), {});
      const missing = a.findings.find((f) => f.code === 'secret/missing')!;
      const fixes = fixesFor(a, missing, (n) => new Uint8Array(n).fill(1));
      assert.equal(fixes.length, 2);
      assert.match(fixes[0].edits[0].newText, /^:\n {2}ADMIN_PASS: /);
    });
  });
});
