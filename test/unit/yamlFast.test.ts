import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParsedDocument } from '../../src/core/parse';
import { readYamlFast } from '../../src/core/yamlFast';
import { makeCase, prng } from './fuzzer';
import { minimal, read, TRAIN, ZED } from './helpers';

/**
 * The fast YAML reader against the `yaml` library: wherever the fast reader accepts a text, the parsed
 * document (value, findings, every located key and value with what stands there) must be
 * the same as the library's. Texts come from a generator of the YAML that topologies use (with the
 * corner cases of each construct), from random edits of those texts, and from the topology fuzzer.
 */

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: R, p: number) => r() < p;

function snapshot(d: ParsedDocument) {
  return {
    value: d.value,
    findings: d.findings,
    located: [...d.located()].map((l) => ({
      path: l.path,
      key: l.key,
      value: l.value,
      kind: l.kind,
    })),
  };
}

/** Compares both readers on `text`; true when the fast reader accepted it. */
function same(text: string): boolean {
  const fast = readYamlFast(text) !== undefined;
  if (!fast) return false;
  const a = snapshot(new ParsedDocument(text));
  const b = snapshot(new ParsedDocument(text, { fast: false }));
  assert.deepStrictEqual(a, b, `the readers differ on:\n${JSON.stringify(text)}`);
  sameLookups(text);
  return true;
}

/**
 * A document read fast answers its first lookups from the reader's columns, before any index is built
 * (the hover's innermost path at a position; up to 8 paths looked up): they must be the index's answers.
 */
function sameLookups(text: string): void {
  const columns = new ParsedDocument(text);
  const indexed = new ParsedDocument(text, { fast: false });
  const lines = text.split('\n');
  for (let line = 0; line <= lines.length; line++)
    for (let character = 0; character <= (lines[line]?.length ?? 0) + 1; character += 2) {
      const pos = { line, character };
      assert.deepStrictEqual(columns.innermostAt(pos), indexed.innermostAt(pos), `innermostAt ${line}:${character} of:\n${JSON.stringify(text)}`);
    }
  const paths = indexed.paths();
  const asked = [...paths.slice(0, 3), ...paths.slice(-3), [...(paths.at(-1) ?? []), 'absent'], ['absent', 0]];
  for (const p of asked) {
    assert.deepStrictEqual(columns.get(p), indexed.get(p), `get ${JSON.stringify(p)} of:\n${JSON.stringify(text)}`);
    assert.deepStrictEqual(columns.source(p), indexed.source(p), `source ${JSON.stringify(p)} of:\n${JSON.stringify(text)}`);
  }
}

const KEYS = ['a', 'key_1', 'nova', 'x.y', 'true', 'False', 'null', '~', '1', '1.0', '0x1F', '-x', '?x', ':x', 'a b', 'a#b', 'a,b', 'a]b', 'a{b', '__proto__', 'constructor', 'é名'];
const QUOTED_KEYS = ['"q k"', "'it''s'", '""', '"a: b"', "'#'", '"\\u00e9"', '"true"'];
const PLAINS = [
  'value',
  'controller',
  '10.0.0.11',
  '10.0.0.0/24',
  'http://controller:5000/v3',
  '-1',
  '+12',
  '012',
  '1_000',
  '.5',
  '1.',
  '1e3',
  '1e400',
  '-1E-3',
  '0o17',
  '0x1f',
  '.inf',
  '-.Inf',
  '.nan',
  'True',
  'TRUE',
  'yes',
  'null',
  'Null',
  '~',
  'a, b',
  'a]',
  'a}',
  'x#y',
  'a: b',
  'what?',
  '-x',
  ':x',
  '?x',
  'a  b',
  'ünï名',
  '9007199254740993',
];
const DQ = ['"plain"', '""', '"a\\"b"', '"\\\\"', '"\\n\\t\\x41\\u00e9\\U0001F600"', '"\\/\\0\\e\\N\\_\\L\\P\\ "', '"$x `y`"', '"# no comment"', '"a: b"', '"\\q"', '"\\ud800"', '" lead"'];
const SQ = ["'plain'", "''", "'it''s'", '\'a "b"\'', "'# no'", "'\\n'"];
const FLOWS = [
  '[]',
  '{}',
  '[a, b]',
  '[ a , b ]',
  '[1, "x", {f: g}]',
  '{k: v, "q": [1, 2]}',
  '[controller]',
  '[a,b]',
  '{a: b,c: d}',
  '[a, [b, [c]]]',
  '[a, ]',
  '[a b, c]',
  '{a: }',
  '{a}',
  '[a: b]',
  '{"a":1}',
];
const COMMENTS = ['# comment', '#', '#no-space', '# a: b', '# - x'];

class Gen {
  constructor(private readonly r: R) {}

  scalar(): string {
    const r = this.r;
    const k = r();
    if (k < 0.55)
      return chance(r, 0.8)
        ? pick(
            r,
            PLAINS.filter((p) => p !== 'a: b'),
          )
        : pick(r, PLAINS);
    if (k < 0.7) return pick(r, DQ);
    if (k < 0.8) return pick(r, SQ);
    return chance(r, 0.7) ? pick(r, FLOWS.slice(0, 11)) : pick(r, FLOWS);
  }

  key(): string {
    return chance(this.r, 0.85) ? pick(this.r, KEYS) : pick(this.r, QUOTED_KEYS);
  }

  trail(): string {
    const r = this.r;
    const spaces = pick(r, ['', '', ' ', '   ']);
    return chance(r, 0.15) ? `${spaces} ${pick(r, COMMENTS)}` : spaces;
  }

  filler(indent: number): string[] {
    const r = this.r;
    const out: string[] = [];
    while (chance(r, 0.12)) out.push(chance(r, 0.5) ? '' : `${' '.repeat(pick(r, [0, indent, indent + 2]))}${pick(r, COMMENTS)}`);
    return out;
  }

  literal(indent: number): string[] {
    const r = this.r;
    const inner = indent + pick(r, [1, 2, 4]);
    const lines: string[] = [];
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      if (i > 0 && chance(r, 0.2)) lines.push(pick(r, ['', ' '.repeat(Math.max(0, inner - 1))]));
      lines.push(' '.repeat(inner + (chance(r, 0.2) ? 2 : 0)) + pick(r, ['lorem ipsum', '# not a comment', 'key: value', '- item', '  x', '"q"']));
    }
    if (chance(r, 0.3)) lines.push('');
    return lines;
  }

  /** Lines of a value under a key or dash at column `indent`: the first line's rest, then lines. */
  value(indent: number, depth: number): { rest: string; lines: string[] } {
    const r = this.r;
    const k = r();
    if (depth < 5 && k < 0.25) return { rest: this.trail(), lines: this.map(indent + pick(r, [1, 2, 2, 4]), depth + 1) };
    if (depth < 5 && k < 0.4) return { rest: this.trail(), lines: this.seq(indent + pick(r, [0, 2, 2]), depth + 1) };
    if (k < 0.47) return { rest: `${pick(r, ['|', '|', '|', '|-', '|-', '|+', '>', '|2'])}${this.trail()}`, lines: this.literal(indent) };
    if (k < 0.52) return { rest: this.trail(), lines: [] };
    return { rest: ` ${this.scalar()}${this.trail()}`, lines: [] };
  }

  map(indent: number, depth: number): string[] {
    const r = this.r;
    const out: string[] = [];
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      out.push(...this.filler(indent));
      const v = this.value(indent, depth);
      out.push(`${' '.repeat(indent)}${this.key()}:${v.rest.startsWith(' ') || v.rest === '' ? v.rest : ' ' + v.rest}`, ...v.lines);
    }
    return out;
  }

  seq(indent: number, depth: number): string[] {
    const r = this.r;
    const out: string[] = [];
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      out.push(...this.filler(indent));
      const dash = `${' '.repeat(indent)}-${pick(r, [' ', ' ', '   '])}`;
      const k = r();
      if (depth < 5 && k < 0.25) {
        // A compact mapping or list on the dash's line.
        const inner = dash.length;
        const body = chance(r, 0.7) ? this.map(inner, depth + 1) : this.seq(inner, depth + 1);
        out.push(dash + body[0]!.slice(inner), ...body.slice(1));
      } else {
        const v = this.value(indent, depth);
        out.push(`${' '.repeat(indent)}-${v.rest.startsWith(' ') || v.rest === '' ? v.rest : ' ' + v.rest}`, ...v.lines);
      }
    }
    return out;
  }

  document(): string {
    const r = this.r;
    const lines = [...(chance(r, 0.1) ? [pick(r, ['---', '--- # doc'])] : []), ...this.map(0, 0), ...this.filler(0)];
    return lines.join('\n') + pick(r, ['\n', '\n', '', '\n\n']);
  }
}

/** A random edit of the text: a character inserted, deleted or replaced, a line re-indented or duplicated. */
function mutate(r: R, text: string): string {
  const i = Math.floor(r() * (text.length + 1));
  const k = r();
  const ch = pick(r, [' ', ' ', '\n', ':', '-', '#', '"', "'", '[', ']', '{', '}', ',', '|', '&', '*', '!', '?', 'a', '1', '\\', '\t', '\r']);
  if (k < 0.35) return text.slice(0, i) + ch + text.slice(i);
  if (k < 0.6) return text.slice(0, i) + text.slice(i + 1);
  if (k < 0.8) return text.slice(0, i) + ch + text.slice(i + 1);
  const lines = text.split('\n');
  const l = Math.floor(r() * lines.length);
  if (k < 0.9) lines[l] = ` ${lines[l]}`;
  else lines.splice(l, 0, lines[l]!);
  return lines.join('\n');
}

describe('fast YAML reader: the same document as the yaml library wherever it reads the text', function () {
  this.timeout(300000);

  it('reads the examples, the test topologies and the benchmark shapes itself', () => {
    const root = path.join(__dirname, '..', '..', '..');
    const files = [TRAIN, ZED, path.join(root, 'test/e2e/cloud.ostopo.yaml'), path.join(root, 'test/fixtures/ws/guide.ostopo.yaml')];
    for (const f of files) assert.ok(same(fs.readFileSync(f, 'utf8')), `the fast reader gave up on ${f}`);
    assert.ok(same(minimal()));
  });

  it('generated documents with the corner cases of each construct, and random edits of them', () => {
    const r = prng(Number(process.env.OSTOPO_FUZZ_SEED ?? 7));
    const gen = new Gen(r);
    let accepted = 0;
    let edited = 0;
    const n = Number(process.env.OSTOPO_YAML_CASES ?? 3000);
    for (let c = 0; c < n; c++) {
      const text = gen.document();
      if (same(text)) accepted++;
      let t = text;
      for (let m = 0; m < 3; m++) {
        t = mutate(r, t);
        if (same(t)) edited++;
      }
    }
    console.log(`      fast reader accepted ${accepted} of ${n} generated documents and ${edited} of ${3 * n} edits (the others went to the yaml library)`);
    // The generator writes mostly what the fast reader is for: most documents must take the fast path.
    assert.ok(accepted > n / 4, `only ${accepted} of ${n} generated documents were read fast`);
  });

  it('the topology fuzzer’s cases', () => {
    const seeds = [read(TRAIN), read(ZED), minimal()].map((text) => ({ text, value: new ParsedDocument(text).value }));
    let accepted = 0;
    const n = Number(process.env.OSTOPO_YAML_CASES ?? 3000);
    for (let i = 0; i < n; i++) if (same(makeCase(seeds, 11, i).text)) accepted++;
    console.log(`      fast reader accepted ${accepted} of ${n} fuzzer cases`);
  });

  it('gives up where the yaml library must speak', () => {
    for (const t of ['a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: >\n  folded\n', 'a: "open\n', 'a:\tb\n', 'a: 1\r\n', 'a: b\n  c\n', '- a\nb: 1\n', 'a: 1\n---\nb: 2\n', 'a:\n  b: 1\n c: 2\n']) {
      assert.equal(readYamlFast(t), undefined, JSON.stringify(t));
    }
    assert.deepEqual(readYamlFast('a: 0x1F\nb: [1.5, ~, True]\n')?.value, { a: 31, b: [1.5, null, true] });
  });
});
