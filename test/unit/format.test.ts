import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { formatTopology } from '../../src/core/editor/format';
import { FixEdit } from '../../src/core/findings';
import { ParsedDocument } from '../../src/core/parse';
import { makeCase } from './fuzzer';

function apply(text: string, edits: FixEdit[]): string {
  const doc = new ParsedDocument(text);
  let out = text;
  for (const e of [...edits].reverse()) out = out.slice(0, doc.offsetAt(e.range.start)) + e.newText + out.slice(doc.offsetAt(e.range.end));
  return out;
}

function format(text: string, indent = 2): string {
  const r = formatTopology(text, { indent });
  if ('error' in r) throw new Error(r.error);
  return apply(text, r.edits);
}

const root = path.join(__dirname, '..', '..', '..');

describe('formatter', () => {
  it('leaves the bundled examples and test topologies as they are (they are the style it writes)', () => {
    const files = [
      ...fs.readdirSync(path.join(root, 'examples')).map((f) => path.join(root, 'examples', f)),
      path.join(root, 'test', 'e2e', 'cloud.ostopo.yaml'),
      path.join(root, 'test', 'e2e', 'dataplane.ostopo.yaml'),
    ];
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      const r = formatTopology(text, { indent: 2 });
      assert.deepEqual(r, { edits: [] }, f);
    }
  });

  it('normalizes indentation, spacing, flow collections, blank lines and the end of the file; keeps comments, order, quoting and block scalars', () => {
    const messy = [
      '# header',
      'ostopo:   1',
      'name: x   ',
      'nodes:',
      '    controller:',
      '        address:    10.0.0.11',
      '        roles: [ controller,network ]   # inline',
      '        # end of controller',
      '',
      '',
      '',
      '    compute1: {address: 10.0.0.31, roles: [compute]}',
      '# about secrets',
      'secrets:',
      '    B: "quoted  "',
      '    A: |',
      '        # not a comment',
      '        line',
      "    C: 'single'",
      '',
      '',
    ].join('\n');
    assert.equal(
      format(messy),
      [
        '# header',
        'ostopo: 1',
        'name: x',
        'nodes:',
        '  controller:',
        '    address: 10.0.0.11',
        '    roles: [controller, network] # inline',
        '    # end of controller',
        '',
        '  compute1: { address: 10.0.0.31, roles: [compute] }',
        '# about secrets',
        'secrets:',
        '  B: "quoted  "',
        '  A: |',
        '    # not a comment',
        '    line',
        "  C: 'single'",
        '',
      ].join('\n'),
    );
  });

  it("keeps a comment at the level it was written at, after a nested block ends (the yaml library's placement moves it in)", () => {
    const text = 'ntp:\n  servers: [a]\n  # about server\n\n# about repositories\nrepositories:\n  os: http://m\n';
    assert.equal(format(text), text);
    const seq = 'a:\n  - x\n  # last of a\n# before b\nb: 1\n';
    assert.equal(format(seq), seq);
  });

  it('indents by the editor tab size', () => {
    assert.equal(format('a:\n  b:\n    - c\n', 4), 'a:\n    b:\n        - c\n');
  });

  it('keeps CRLF line ends', () => {
    assert.equal(format('a:\r\n    b:   1\r\n'), 'a:\r\n  b: 1\r\n');
  });

  it('touches nothing in a file with YAML errors, or with several documents, and says why', () => {
    const broken = formatTopology('a: [1, 2\nb: 1\n', { indent: 2 });
    assert.ok('error' in broken && /YAML has errors/.test(broken.error), JSON.stringify(broken));
    const two = formatTopology('a: 1\n---\nb: 2\n', { indent: 2 });
    assert.ok('error' in two && /a topology is one YAML document/.test(two.error), JSON.stringify(two));
    assert.deepEqual(formatTopology('', { indent: 2 }), { edits: [] });
  });

  it('the edit replaces only what changed (the cursor elsewhere stays)', () => {
    const r = formatTopology('a: 1\nb:    2\nc: 3\n', { indent: 2 });
    assert.ok('edits' in r);
    assert.deepEqual(r.edits, [{ range: { start: { line: 1, character: 3 }, end: { line: 1, character: 6 } }, newText: '' }]);
  });

  it("never changes what a fuzzer's topology says, never throws, and formatting twice changes nothing more", () => {
    const seeds = fs
      .readdirSync(path.join(root, 'examples'))
      .map((f) => fs.readFileSync(path.join(root, 'examples', f), 'utf8'))
      .map((text) => ({ text, value: parse(text) as unknown }));
    let formatted = 0;
    const n = 300;
    for (let i = 0; i < n; i++) {
      const { text, kind } = makeCase(seeds, 5, i);
      const r = formatTopology(text, { indent: 2 });
      if ('error' in r) continue;
      formatted++;
      const once = apply(text, r.edits);
      assert.deepEqual(parse(once), parse(text), `case ${i} (${kind})`);
      assert.equal(format(once), once, `case ${i} (${kind})`);
    }
    assert.ok(formatted > n / 3, `only ${formatted} of ${n} cases were formatted`);
  });
});
