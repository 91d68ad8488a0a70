import * as assert from 'node:assert/strict';
import { ParsedDocument } from '../../src/core/parse';

describe('parser with source positions', () => {
  const text = 'ostopo: 1\nnodes:\n  controller:\n    address: 10.0.0.11\n    roles: [controller, compute]\n';
  const doc = new ParsedDocument(text);

  it('gives the value and no findings for valid YAML', () => {
    assert.deepEqual(doc.findings, []);
    assert.deepEqual(doc.value, { ostopo: 1, nodes: { controller: { address: '10.0.0.11', roles: ['controller', 'compute'] } } });
  });

  it('locates keys and values (zero-based)', () => {
    assert.deepEqual(doc.keyRange(['nodes', 'controller', 'address']), { start: { line: 3, character: 4 }, end: { line: 3, character: 11 } });
    assert.deepEqual(doc.valueRange(['nodes', 'controller', 'address']), { start: { line: 3, character: 13 }, end: { line: 3, character: 22 } });
    assert.deepEqual(doc.valueRange(['nodes', 'controller', 'roles', 1]), { start: { line: 4, character: 24 }, end: { line: 4, character: 31 } });
  });

  it('falls back to the nearest existing ancestor for missing paths', () => {
    assert.deepEqual(doc.locate(['nodes', 'controller', 'services', 0]), doc.keyRange(['nodes', 'controller']));
    assert.deepEqual(doc.locate(['secrets']).start, { line: 0, character: 0 });
  });

  it('converts offsets and positions both ways', () => {
    const off = text.indexOf('10.0.0.11');
    assert.deepEqual(doc.positionAt(off), { line: 3, character: 13 });
    assert.equal(doc.offsetAt({ line: 3, character: 13 }), off);
    assert.equal(doc.offsetAt({ line: 99, character: 0 }), text.length);
  });

  it('locates empty values right after their key', () => {
    const d = new ParsedDocument('nodes:\n  a:\n');
    const r = d.valueRange(['nodes', 'a'])!;
    assert.deepEqual(r.start, { line: 1, character: 4 });
  });

  it('reports broken YAML with a location instead of throwing', () => {
    const d = new ParsedDocument('nodes:\n  controller:\n    address: [10.0.0.11\n  compute1: {\n');
    assert.ok(d.findings.length > 0);
    for (const f of d.findings) {
      assert.equal(f.code, 'yaml/syntax');
      assert.ok(f.range.start.line >= 2, `located at line ${f.range.start.line}`);
    }
  });

  it('reports duplicate keys on the second key', () => {
    const d = new ParsedDocument('name: a\nname: b\n');
    assert.equal(d.findings.length, 1);
    assert.match(d.findings[0].message, /Duplicate key/);
    assert.equal(d.findings[0].range.start.line, 1);
  });

  it('reports tabs used for indentation', () => {
    const d = new ParsedDocument('nodes:\n\tcontroller: {}\n');
    assert.ok(d.findings.some((f) => f.severity === 'error' && f.range.start.line === 1));
  });

  it('lists every path in document order', () => {
    const paths = doc.paths().map((p) => p.join('.'));
    assert.deepEqual(paths.slice(0, 4), ['', 'ostopo', 'nodes', 'nodes.controller']);
    assert.ok(paths.includes('nodes.controller.roles.1'));
  });

  it('survives alias bombs', () => {
    const bomb =
      'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n';
    const d = new ParsedDocument(bomb);
    assert.ok(d.findings.some((f) => f.severity === 'error'));
  });
});
