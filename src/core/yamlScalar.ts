import { Document, isScalar, ScalarTag } from 'yaml';
import { invalidCharacter } from './text';

/**
 * The scalars of the fast YAML reader (yamlFast.ts): plain values resolved as yaml's core schema resolves
 * them, quoted scalars on one line, and the reader's way out (GIVE_UP) where the full reader must speak.
 */

/** Thrown (one instance, made once) where the fast reader leaves the text to the full reader. */
export const GIVE_UP = new Error('left to the yaml library');
export function giveUp(): never {
  throw GIVE_UP;
}

/** The scalar tags yaml's composer resolves plain scalars with (the core schema, known tags unresolved). */
const TAGS: ScalarTag[] = new Document(null, { resolveKnownTags: false, uniqueKeys: false, strict: true }).schema.tags.filter((t): t is ScalarTag => !t.collection && !!t.test);
const TAG_OPTIONS = { intAsBigInt: false } as Parameters<ScalarTag['resolve']>[2];

/** A plain scalar's value as yaml's core schema resolves it (null, booleans, numbers, else the text). */
export function plainValue(source: string, atKey: boolean): unknown {
  const c = source.charCodeAt(0);
  // Most scalars are names: only these first characters can begin a null, boolean or number.
  if (!(source === '' || c === 126 || c === 43 || c === DASH || c === 46 || (c >= 48 && c <= 57) || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70)) return source;
  const tag = TAGS.find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test!.test(source));
  if (!tag) return source;
  const res: unknown = tag.resolve(source, giveUp, TAG_OPTIONS);
  return isScalar(res) ? res.value : res;
}

/** A string no key or value of a topology may hold goes to the walk, which reports it. */
export function checked(v: unknown): unknown {
  if (typeof v === 'string' && invalidCharacter(v)) giveUp();
  return v;
}

/** The property name walkDocument gives a key (jsKey). */
export function keyName(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Where a scanner leaves what it read: the value, and the offset just after its closing quote. */
export interface Scanned {
  value: unknown;
  end: number;
}

const NL = 10;
const SQ = 39;
const DQ = 34;
const DASH = 45;

/** A double-quoted scalar on one line starting at `at`: its value and end into `out`. */
export function doubleQuoted(text: string, at: number, out: Scanned): void {
  let value = '';
  let run = at + 1;
  for (let i = at + 1; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === DQ) {
      out.value = value + text.slice(run, i);
      out.end = i + 1;
      return;
    }
    if (ch === NL) giveUp();
    if (ch === 92) {
      value += text.slice(run, i);
      const e = text[i + 1] ?? giveUp();
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        value += simple;
        i += 1;
      } else {
        const n = HEX_LENGTH[e] ?? giveUp();
        const hex = text.slice(i + 2, i + 2 + n);
        if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) giveUp();
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) giveUp();
        value += String.fromCodePoint(cp);
        i += 1 + n;
      }
      run = i + 1;
    }
  }
  giveUp();
}

/** A single-quoted scalar on one line starting at `at`: its value and end into `out`. */
export function singleQuoted(text: string, at: number, out: Scanned): void {
  let value = '';
  let run = at + 1;
  for (let i = at + 1; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === NL) giveUp();
    if (ch === SQ) {
      if (text.charCodeAt(i + 1) !== SQ) {
        out.value = value + text.slice(run, i);
        out.end = i + 1;
        return;
      }
      value += text.slice(run, i + 1);
      run = i + 2;
      i++;
    }
  }
  giveUp();
}
