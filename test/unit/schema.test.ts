import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../src/core/compile';
import { JsonSchema, schemaAt, schemaJson, topologySchema } from '../../src/core/schema';
import { at, minimal, only, ROOT } from './helpers';

function walk(s: JsonSchema, path: string, visit: (s: JsonSchema, path: string) => void): void {
  visit(s, path);
  for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${path}.${k}`, visit);
  if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${path}.*`, visit);
  if (s.items) walk(s.items, `${path}[]`, visit);
}

describe('JSON Schema', () => {
  it('is the committed schemas/ostopo.schema.json (the build writes it)', () => {
    assert.equal(fs.readFileSync(path.join(ROOT, 'schemas', 'ostopo.schema.json'), 'utf8'), schemaJson());
  });

  it('accepts `release: 2025.1` as the number YAML reads for other tools, with its description; ostopo itself completes the text only', () => {
    const release = (JSON.parse(schemaJson()) as JsonSchema).properties!.release!;
    assert.ok(release.enum!.includes(2025.1) && release.enum!.includes('2025.1'));
    assert.equal(release.enumDescriptions![release.enum!.indexOf(2025.1)], release.enumDescriptions![release.enum!.indexOf('2025.1')]);
    assert.equal(release.enum!.length, release.enumDescriptions!.length);
    assert.ok(!topologySchema.properties!.release!.enum!.includes(2025.1));
  });

  it('uses no oneOf/anyOf/allOf', () => {
    assert.doesNotMatch(schemaJson(), /"(oneOf|anyOf|allOf)"/);
  });

  it('documents every key with a description', () => {
    const missing: string[] = [];
    walk(topologySchema, '$', (s, p) => {
      if (!s.description) missing.push(p);
    });
    assert.deepEqual(missing, []);
  });

  it('resolves sub-schemas by data path', () => {
    assert.equal(schemaAt(['nodes', 'anything', 'address'])?.type, 'string');
    assert.equal(schemaAt(['nodes', 'x', 'services', 3])?.['x-ostopo-ref'], 'service');
    assert.equal(schemaAt(['config', 'nova', 'nova.conf', 'DEFAULT', 'debug'])?.description?.startsWith('The option'), true);
  });
});

describe('schema findings', () => {
  const run = (text: string) => analyze(text, {}).findings;

  it('unknown key, with did-you-mean, on the key', () => {
    const text = minimal().replace('  controller:\n    address', '  controller:\n    adress: 1.2.3.4\n    address');
    const f = only(run(text), 'schema/unknown-key');
    assert.equal(f.length, 1);
    assert.deepEqual(f[0].suggestions, ['address']);
    assert.equal(at(f[0]), '24:5');
  });

  it('wrong type on the value', () => {
    const f = only(run(minimal().replace('ostopo: 1', 'ostopo: "1"')), 'schema/type');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /must be a whole number, not text \("1"\)/);
    assert.equal(at(f[0]), '1:9');
  });

  it('enum with did-you-mean for release and for services', () => {
    const fs1 = run(minimal().replace('release: zed', 'release: zedd'));
    const e = only(fs1, 'schema/enum');
    assert.equal(e.length, 1);
    assert.deepEqual(e[0].suggestions, ['zed']);
    const fs2 = run(minimal('    services: [glanse]\n'));
    const r = only(fs2, 'ref/unknown-service');
    assert.equal(r.length, 1);
    assert.deepEqual(r[0].suggestions, ['glance']);
    assert.match(r[0].message, /did you mean `glance`/);
  });

  it('unknown role', () => {
    const f = only(run(minimal().replace('roles: [compute]', 'roles: [comput]')), 'ref/unknown-role');
    assert.equal(f.length, 1);
    assert.deepEqual(f[0].suggestions, ['compute']);
  });

  it('required keys, placed on the parent key', () => {
    const f = only(run(minimal().replace('    address: 10.0.0.31\n', '')), 'schema/required');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /Missing `address` in `compute1`/);
    assert.equal(at(f[0]), '26:3');
  });

  it('patterns: addresses, cidrs, node names', () => {
    assert.equal(only(run(minimal().replace('10.0.0.31', '10.0.0.310')), 'schema/pattern').length, 1);
    assert.equal(only(run(minimal().replace('cidr: 10.0.0.0/24', 'cidr: 10.0.0.0/33')), 'schema/pattern').length, 1);
    assert.equal(only(run(minimal().replace('  compute1:', '  Compute_1:')), 'schema/key-pattern').length, 1);
  });

  it('shell metacharacters in a value that reaches commands get their own code', () => {
    const f = only(run(minimal().replace('os: debian12', 'os: debian12\nregion: "Region$(reboot)"')), 'value/shell-metacharacters');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /contains `\$`/);
  });

  it('ranges and duplicates in lists', () => {
    assert.equal(only(run(minimal('ssh:\n  port: 70000\n')), 'schema/range').length, 1);
    assert.equal(only(run(minimal().replace('roles: [compute]', 'roles: [compute, compute]')), 'schema/duplicate-item').length, 1);
  });

  it('an empty document is one clear error', () => {
    const f = run('# nothing yet\n');
    assert.deepEqual(
      f.map((x) => x.code),
      ['schema/empty'],
    );
  });
});
