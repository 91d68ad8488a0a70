import { Document, isScalar, Node, Pair, Scalar, ScalarTag, YAMLMap, YAMLSeq } from 'yaml';

/**
 * A fast reader for the YAML that topologies are written in: block mappings and lists, plain and quoted
 * scalars on one line, literal block scalars, flow lists and mappings on one line, comments. It builds
 * the same nodes (classes, values, types and the ranges ParsedDocument reads) as the `yaml` library,
 * about ten times faster, and gives up (returns undefined) on anything else: anchors, aliases, tags,
 * folded or kept block scalars, multi-line plain or quoted scalars and flow collections, tabs, CR, BOM,
 * control characters, directives, more than one document, nesting deeper than FAST_DEPTH, and every
 * syntax error. The caller then reads the text with the `yaml` library, so every message about a broken
 * file, and every rare construct, stays the library's; a test compares both readers on generated and
 * mutated documents.
 */

/** Deepest nesting the fast reader follows (below yamlRead's MAX_DEPTH, so it never has to cut). */
export const FAST_DEPTH = 48;

/** Thrown (one instance, made once) where the fast reader leaves the text to the full reader. */
const GIVE_UP = new Error('left to the yaml library');
function giveUp(): never {
  throw GIVE_UP;
}

/** The scalar tags yaml's composer resolves plain scalars with (the core schema, known tags unresolved). */
const TAGS: ScalarTag[] = new Document(null, { resolveKnownTags: false, uniqueKeys: false, strict: true }).schema.tags.filter((t): t is ScalarTag => !t.collection && !!t.test);
const TAG_OPTIONS = { intAsBigInt: false } as Parameters<ScalarTag['resolve']>[2];
/** Characters that no JSON-plain text holds and that only the full reader handles (or reports). */
const HARD = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]/;

const NL = 10;
const SP = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DQ = 34;
const SQ = 39;

/** Offsets where lines start (LineCounter.lineStarts). */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The document's root node as the `yaml` library would compose it, or undefined when the fast reader gives up. */
export function readYamlFast(text: string): Node | undefined {
  if (HARD.test(text)) return undefined;
  try {
    return new FastReader(text).document();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

function plainScalar(source: string, start: number, atKey: boolean): Scalar {
  let tag: ScalarTag | undefined;
  const c = source.charCodeAt(0);
  // Most scalars are names: only these first characters can begin a null, boolean or number.
  if (source === '' || c === 126 || c === 43 || c === DASH || c === 46 || (c >= 48 && c <= 57) || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70)
    tag = TAGS.find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test!.test(source));
  const res: unknown = tag ? tag.resolve(source, giveUp, TAG_OPTIONS) : source;
  const s = isScalar(res) ? res : new Scalar(res);
  s.range = [start, start + source.length, start + source.length];
  s.source = source;
  s.type = 'PLAIN';
  if (tag?.format) s.format = tag.format;
  return s;
}

function quotedScalar(value: string, start: number, end: number, type: Scalar.Type): Scalar {
  const s = new Scalar(value);
  s.range = [start, end, end];
  s.source = value;
  s.type = type;
  return s;
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

/** Where the content of a line that is not blank or a comment starts. */
interface Content {
  /** Offset of its first character. */
  at: number;
  /** Its column (the line's indentation). */
  col: number;
}

class FastReader {
  /** Start of the first line not read yet. */
  private pos = 0;
  private readonly len: number;

  constructor(private readonly text: string) {
    this.len = text.length;
  }

  document(): Node {
    let p = this.content(0) ?? giveUp();
    if (p.col === 0 && this.marker(p.at, '---')) {
      // `---` starts the document; anything but a comment after it on its line is left to the full reader.
      const rest = this.skipSpaces(p.at + 3);
      if (rest < this.len && this.code(rest) !== NL && !(this.code(rest) === HASH && rest > p.at + 3)) giveUp();
      p = this.content(this.nextLine(rest)) ?? giveUp();
    }
    const root = this.blockNode(p, -1, 1);
    if (this.content(this.pos)) giveUp();
    return root;
  }

  private code(i: number): number {
    return this.text.charCodeAt(i);
  }

  /** `---` or `...` at offset `at` (column 0) followed by a space, a line break or the end. */
  private marker(at: number, m: string): boolean {
    if (!this.text.startsWith(m, at)) return false;
    const c = this.code(at + 3);
    return at + 3 >= this.len || c === SP || c === NL;
  }

  private skipSpaces(i: number): number {
    while (i < this.len && this.code(i) === SP) i++;
    return i;
  }

  /** Start of the line after the one holding offset `i` (the end of the text on the last line). */
  private nextLine(i: number): number {
    const n = this.text.indexOf('\n', i);
    return n < 0 ? this.len : n + 1;
  }

  /** The next line from line start `i` on that holds more than spaces and a comment. */
  private content(i: number): Content | undefined {
    while (i < this.len) {
      const j = this.skipSpaces(i);
      if (j >= this.len) return undefined;
      const c = this.code(j);
      if (c === NL) i = j + 1;
      else if (c === HASH) i = this.nextLine(j);
      else {
        if (j === i && (this.marker(j, '---') || this.marker(j, '...'))) giveUp();
        return { at: j, col: j - i };
      }
    }
    return undefined;
  }

  private isSeqIndicator(at: number): boolean {
    if (this.code(at) !== DASH) return false;
    const c = this.code(at + 1);
    return at + 1 >= this.len || c === SP || c === NL;
  }

  /** A block node whose first character is at `p` (column p.col, more than `parent`'s). */
  private blockNode(p: Content, parent: number, depth: number): Node {
    if (depth > FAST_DEPTH) giveUp();
    if (this.isSeqIndicator(p.at)) return this.blockSeq(p.at, p.col, depth);
    if (this.implicitKey(p.at)) return this.blockMap(p.at, p.col, depth);
    return this.inlineValue(p.at, parent, depth);
  }

  /** The value after `key:` or `-` when nothing but spaces or a comment follow on the line. */
  private valueBelow(empty: number, col: number, depth: number, sameIndentList: boolean): Node {
    this.pos = this.nextLine(empty);
    const p = this.content(this.pos);
    if (p && p.col > col) return this.blockNode(p, col, depth);
    if (p && sameIndentList && p.col === col && this.isSeqIndicator(p.at)) return this.blockSeq(p.at, col, depth);
    return plainScalar('', empty, false);
  }

  private blockMap(first: number, col: number, depth: number): YAMLMap {
    const map = new YAMLMap();
    let at = first;
    let end: number;
    for (;;) {
      const key = this.implicitKey(at) ?? giveUp();
      const k = this.skipSpaces(key.colon + 1);
      const c = this.code(k);
      const value = k >= this.len || c === NL || c === HASH ? this.valueBelow(k, col, depth + 1, true) : this.inlineValue(k, col, depth + 1);
      map.items.push(new Pair(key.node, value));
      end = value.range![1];
      const p = this.content(this.pos);
      if (!p || p.col < col) break;
      if (p.col > col || this.isSeqIndicator(p.at)) giveUp();
      at = p.at;
    }
    map.range = [first, end, end];
    return map;
  }

  private blockSeq(first: number, col: number, depth: number): YAMLSeq {
    const seq = new YAMLSeq();
    let at = first;
    let end: number;
    for (;;) {
      const k = this.skipSpaces(at + 1);
      const c = this.code(k);
      let value: Node;
      if (k >= this.len || c === NL || c === HASH) value = this.valueBelow(k, col, depth + 1, false);
      else {
        // Content on the dash's line: a compact list or mapping indented to where it starts.
        const p = { at: k, col: col + (k - at) };
        if (depth + 1 > FAST_DEPTH) giveUp();
        value = this.isSeqIndicator(k) ? this.blockSeq(k, p.col, depth + 1) : this.implicitKey(k) ? this.blockMap(k, p.col, depth + 1) : this.inlineValue(k, col, depth + 1);
      }
      seq.items.push(value);
      end = value.range![1];
      const p = this.content(this.pos);
      if (!p || p.col < col) break;
      if (p.col > col) giveUp();
      if (!this.isSeqIndicator(p.at)) break; // the next key of the mapping this list is the value of
      at = p.at;
    }
    seq.range = [first, end, end];
    return seq;
  }

  /** The key of a `key: value` line starting at `at`, if the line is one. */
  private implicitKey(at: number): { node: Scalar; colon: number } | undefined {
    const c = this.code(at);
    if (c === DQ || c === SQ) {
      const node = c === DQ ? this.doubleQuoted(at) : this.singleQuoted(at);
      const colon = node.range![1];
      if (this.code(colon) !== COLON || !this.spaceOrEnd(colon + 1)) return undefined;
      return { node, colon };
    }
    if (!this.plainStart(at, false)) return undefined;
    for (let i = at; i < this.len; i++) {
      const ch = this.code(i);
      if (ch === NL) return undefined;
      if (ch === HASH && this.code(i - 1) === SP) return undefined;
      if (ch === COLON && this.spaceOrEnd(i + 1)) {
        let e = i;
        while (this.code(e - 1) === SP) e--;
        if (e - at > 1024) giveUp();
        return { node: plainScalar(this.text.slice(at, e), at, true), colon: i };
      }
    }
    return undefined;
  }

  private spaceOrEnd(i: number): boolean {
    if (i >= this.len) return true;
    const c = this.code(i);
    return c === SP || c === NL;
  }

  /** Whether a plain scalar may start at `at` (YAML's indicators may not, `-`, `?` and `:` unless a safe character follows). */
  private plainStart(at: number, flow: boolean): boolean {
    const c = this.text[at]!;
    if ('-?:'.includes(c)) {
      const n = this.text[at + 1];
      return n !== undefined && n !== ' ' && n !== '\n' && !(flow && ',[]{}'.includes(n));
    }
    return !',[]{}#&*!|>\'"%@`'.includes(c);
  }

  /**
   * A scalar or flow collection starting at `at` and ending its line (a literal block scalar runs on
   * over the lines below): the value of `key:` or `-` (`parent` is the column of that key or dash).
   */
  private inlineValue(at: number, parent: number, depth: number): Node {
    const c = this.code(at);
    let node: Node;
    if (c === DQ) node = this.doubleQuoted(at);
    else if (c === SQ) node = this.singleQuoted(at);
    else if (c === 91 || c === 123) node = this.flowNode(at, depth);
    else if (c === 124) return this.literal(at, parent);
    else if (!this.plainStart(at, false)) giveUp();
    else {
      let e = at;
      for (; e < this.len; e++) {
        const ch = this.code(e);
        if (ch === NL || (ch === HASH && this.code(e - 1) === SP)) break;
        if (ch === COLON && this.spaceOrEnd(e + 1)) giveUp(); // a mapping where a scalar must be
      }
      while (this.code(e - 1) === SP) e--;
      node = plainScalar(this.text.slice(at, e), at, false);
    }
    this.endLine(node.range![1], parent);
    return node;
  }

  /** After a value: only spaces and a comment may follow on its line, and no line below may continue it. */
  private endLine(i: number, parent: number): void {
    const j = this.skipSpaces(i);
    if (j < this.len && this.code(j) !== NL && !(this.code(j) === HASH && j > i)) giveUp();
    this.pos = this.nextLine(j);
    const p = this.content(this.pos);
    if (p && p.col > parent) giveUp();
  }

  private doubleQuoted(at: number): Scalar {
    let out = '';
    let run = at + 1;
    for (let i = at + 1; i < this.len; i++) {
      const ch = this.code(i);
      if (ch === DQ) return quotedScalar(out + this.text.slice(run, i), at, i + 1, 'QUOTE_DOUBLE');
      if (ch === NL) giveUp();
      if (ch === 92) {
        out += this.text.slice(run, i);
        const e = this.text[i + 1] ?? giveUp();
        const simple = ESCAPES[e];
        if (simple !== undefined) {
          out += simple;
          i += 1;
        } else {
          const n = HEX_LENGTH[e] ?? giveUp();
          const hex = this.text.slice(i + 2, i + 2 + n);
          if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) giveUp();
          const cp = parseInt(hex, 16);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) giveUp();
          out += String.fromCodePoint(cp);
          i += 1 + n;
        }
        run = i + 1;
      }
    }
    return giveUp();
  }

  private singleQuoted(at: number): Scalar {
    let out = '';
    let run = at + 1;
    for (let i = at + 1; i < this.len; i++) {
      const ch = this.code(i);
      if (ch === NL) giveUp();
      if (ch === SQ) {
        if (this.code(i + 1) !== SQ) return quotedScalar(out + this.text.slice(run, i), at, i + 1, 'QUOTE_SINGLE');
        out += this.text.slice(run, i + 1);
        run = i + 2;
        i++;
      }
    }
    return giveUp();
  }

  /** A literal block scalar (`|` or `|-`) whose header is at `at`, under a key or dash at column `parent`. */
  private literal(at: number, parent: number): Scalar {
    let i = at + 1;
    const strip = this.code(i) === DASH;
    if (strip) i++;
    const h = this.skipSpaces(i);
    if (h < this.len && this.code(h) !== NL && !(this.code(h) === HASH && h > i)) giveUp(); // `|+`, `|2`, text after the header...
    let line = this.nextLine(h);
    if (line >= this.len) giveUp();
    const indent = this.skipSpaces(line) - line;
    if (indent <= parent || this.spaceOrEnd(line + indent) || this.code(line + indent) === NL) giveUp();
    const lines: string[] = [];
    let blank = 0;
    let end = line;
    while (line < this.len) {
      const j = this.skipSpaces(line);
      const nl = this.text.indexOf('\n', j);
      if (j >= this.len || this.code(j) === NL) {
        if (j - line > indent) giveUp(); // a line of spaces only, longer than the indentation
        blank++;
        line = j + 1;
        continue;
      }
      if (j - line < indent) break;
      if (nl < 0) giveUp(); // the last line without a line break: left to the full reader's chomping
      for (; blank > 0; blank--) lines.push('');
      lines.push(this.text.slice(line + indent, nl));
      line = nl + 1;
      end = line;
    }
    const value = lines.join('\n') + (strip ? '' : '\n');
    const s = new Scalar(value);
    s.range = [at, end, end];
    s.type = 'BLOCK_LITERAL';
    this.pos = end;
    const p = this.content(this.pos);
    if (p && p.col > parent) giveUp();
    return s;
  }

  /** A flow list, flow mapping or scalar inside one, all on one line. */
  private flowNode(at: number, depth: number): Node {
    if (depth > FAST_DEPTH) giveUp();
    const c = this.code(at);
    if (c === 91 || c === 123) {
      const map = c === 123;
      const coll = map ? new YAMLMap() : new YAMLSeq();
      coll.flow = true;
      const close = map ? 125 : 93;
      let i = this.flowSkip(at + 1);
      if (this.code(i) !== close) {
        for (;;) {
          if (map) {
            const key = this.flowScalar(i, true);
            i = key.range![1];
            if (this.code(i) !== COLON || this.code(i + 1) !== SP) giveUp();
            i = this.flowSkip(i + 1);
            const value = this.flowNode(i, depth + 1);
            (coll as YAMLMap).items.push(new Pair(key, value));
            i = this.flowSkip(value.range![1]);
          } else {
            const item = this.flowNode(i, depth + 1);
            (coll as YAMLSeq).items.push(item);
            i = this.flowSkip(item.range![1]);
          }
          const ch = this.code(i);
          if (ch === close) break;
          if (ch !== 44) giveUp();
          i = this.flowSkip(i + 1);
          if (this.code(i) === close) giveUp(); // a trailing comma
        }
      }
      coll.range = [at, i + 1, i + 1];
      return coll;
    }
    return this.flowScalar(at, false);
  }

  private flowSkip(i: number): number {
    const j = this.skipSpaces(i);
    if (j >= this.len || this.code(j) === NL) giveUp();
    return j;
  }

  private flowScalar(at: number, atKey: boolean): Scalar {
    const c = this.code(at);
    if (c === DQ) return this.doubleQuoted(at);
    if (c === SQ) return this.singleQuoted(at);
    if (!this.plainStart(at, true)) giveUp();
    let e = at;
    for (; e < this.len; e++) {
      const ch = this.code(e);
      if (ch === NL || ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125) break;
      if (ch === HASH && this.code(e - 1) === SP) giveUp();
      if (ch === COLON) {
        const n = this.code(e + 1);
        if (e + 1 >= this.len || n === SP || n === NL || n === 44 || n === 91 || n === 93 || n === 123 || n === 125) break;
      }
    }
    while (this.code(e - 1) === SP) e--;
    return plainScalar(this.text.slice(at, e), at, atKey);
  }
}
