import * as assert from 'node:assert/strict';
import { analyze, render, TopologyError } from '../../src/core/compile';
import { ParsedDocument } from '../../src/core/parse';
import { at, lineOf, minimal, only } from './helpers';

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
        assert.ok(f[0].message.includes(`\`${b}\` is the same key as \`${a}\` on line ${lineOf(text, `${a}: first`)}: both read as ${as.startsWith('the') || as.startsWith('`') ? as : `\`${as}\``}`), f[0].message);
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

    it('an alias bomb is located at the alias that expands too much', () => {
      const bomb = 'x-bomb:\n  a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n';
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

    it("YAML 1.1 tags do not turn values into binary data, sets or dates", () => {
      const a = analyze(minimal('x-tags:\n  b: !!binary aGVsbG8=\n  s: !!set {x}\n  t: !!timestamp 2001-12-14\n'), {});
      assert.deepEqual((a.doc.value as Record<string, unknown>)['x-tags'], { b: 'aGVsbG8=', s: { x: null }, t: '2001-12-14' });
      assert.ok(a.findings.some((f) => f.code === 'yaml/warning' && /a topology uses no tags/.test(f.message)));
    });
  });
});
