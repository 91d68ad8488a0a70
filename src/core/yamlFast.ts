import { put, RawLocation } from './parseWalk';
import { checked, doubleQuoted, giveUp, GIVE_UP, keyName, plainValue, singleQuoted } from './yamlScalar';

/**
 * A fast reader for the YAML that topologies are written in: block mappings and lists, plain and quoted
 * scalars on one line, literal block scalars, flow lists and mappings on one line, comments. It gives
 * ParsedDocument what the `yaml` library and walkDocument give it together (the value, and every path
 * located, in document order), several times faster and without building a syntax tree, and gives up
 * (returns undefined) on anything else: anchors, aliases, tags, folded or kept block scalars, multi-line
 * plain or quoted scalars and flow collections, tabs, CR, BOM, control characters, directives, more
 * than one document, nesting deeper than FAST_DEPTH, every syntax error and everything the walk would
 * report (duplicate keys, characters no topology may hold). ParsedDocument then reads the text with the
 * library and the walk, so every message about a file stays theirs; a test compares both readers on
 * generated, edited and fuzzed documents.
 */

/** Deepest nesting the fast reader follows (below yamlRead's MAX_DEPTH, so it never has to cut). */
export const FAST_DEPTH = 48;

/** Characters that only the full reader handles (or reports). */
const HARD = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]/;

const NL = 10;
const SP = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DQ = 34;
const SQ = 39;
const COMMA = 44;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;
const PIPE = 124;

/** Offsets where lines start (LineCounter.lineStarts). */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * Every path of a document in document order, as a tree in columns (arrays of small numbers, not an
 * object per path: a 1 MB topology has a hundred thousand): path `i` is path `parents[i]` and
 * `segments[i]` (the root's parent is -1), and `kinds[i]` (KINDS) stands at `ks[i]`-`ke[i]` (its key)
 * and `vs[i]`-`ve[i]` (its value). ParsedDocument makes its index of path keys from it only when asked:
 * validating a topology without findings never needs it.
 */
export interface FastLocations {
  parents: number[];
  segments: (string | number)[];
  kinds: number[];
  ks: number[];
  ke: number[];
  vs: number[];
  ve: number[];
}

export const KINDS: RawLocation['kind'][] = ['scalar', 'map', 'seq'];
const SCALAR = 0;
const MAP = 1;
const SEQ = 2;

/** The document's value and every path located (as walkDocument has them), or undefined when the fast reader gives up. */
export function readYamlFast(text: string): ({ value: unknown } & FastLocations) | undefined {
  if (HARD.test(text)) return undefined;
  try {
    const r = new FastReader(text);
    const value = r.document();
    return { value, parents: r.parents, segments: r.segments, kinds: r.kinds, ks: r.ks, ke: r.ke, vs: r.vs, ve: r.ve };
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

type Into = Record<string, unknown> | unknown[];

class FastReader {
  /** Start of the first line not read yet. */
  private pos = 0;
  private readonly len: number;
  /** The last line `content` found: where its content starts, and its column. */
  private at = 0;
  private col = 0;
  /** The last scalar read (yamlScalar.ts scanners write it): its value and where it ends (just after its last character or quote). */
  value: unknown = null;
  end = 0;

  readonly parents: number[] = [];
  readonly segments: (string | number)[] = [];
  readonly kinds: number[] = [];
  readonly ks: number[] = [];
  readonly ke: number[] = [];
  readonly vs: number[] = [];
  readonly ve: number[] = [];

  constructor(private readonly text: string) {
    this.len = text.length;
  }

  document(): unknown {
    if (!this.content(0)) giveUp();
    if (this.col === 0 && this.marker(this.at, '---')) {
      // `---` starts the document; anything but a comment after it on its line is left to the full reader.
      const rest = this.skipSpaces(this.at + 3);
      if (rest < this.len && this.code(rest) !== NL && !(this.code(rest) === HASH && rest > this.at + 3)) giveUp();
      if (!this.content(this.nextLine(rest))) giveUp();
    }
    const holder: Record<string, unknown> = {};
    this.blockNode(-1, 1, -1, -1, -1, holder, 'value');
    if (this.content(this.pos)) giveUp();
    return holder.value;
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

  /** Finds the next line from line start `i` on that holds more than spaces and a comment (this.at, this.col). */
  private content(i: number): boolean {
    while (i < this.len) {
      const j = this.skipSpaces(i);
      if (j >= this.len) return false;
      const c = this.code(j);
      if (c === NL) i = j + 1;
      else if (c === HASH) i = this.nextLine(j);
      else {
        if (j === i && (this.marker(j, '---') || this.marker(j, '...'))) giveUp();
        this.at = j;
        this.col = j - i;
        return true;
      }
    }
    return false;
  }

  private isSeqIndicator(at: number): boolean {
    if (this.code(at) !== DASH) return false;
    const c = this.code(at + 1);
    return at + 1 >= this.len || c === SP || c === NL;
  }

  private spaceOrEnd(i: number): boolean {
    if (i >= this.len) return true;
    const c = this.code(i);
    return c === SP || c === NL;
  }

  /**
   * Locates the path `slot` under the path `up` (an index into the columns), whose value starts
   * at `vs` (its end is set when known). Returns its index.
   */
  private locate(up: number, slot: string | number, kind: number, ks: number, ke: number, vs: number): number {
    this.parents.push(up);
    this.segments.push(slot);
    this.kinds.push(kind);
    this.ks.push(ks);
    this.ke.push(ke);
    this.vs.push(vs);
    return this.ve.push(vs) - 1;
  }

  /** A scalar value: indexed and stored. Returns where it ends. */
  private scalar(up: number, ks: number, ke: number, vs: number, ve: number, value: unknown, into: Into, slot: string | number): number {
    this.ve[this.locate(up, slot, SCALAR, ks, ke, vs)] = ve;
    put(into, slot, checked(value));
    return ve;
  }

  /** A block node at this.at / this.col (more than `parent`'s column). Returns where its value ends. */
  private blockNode(parent: number, depth: number, up: number, ks: number, ke: number, into: Into, slot: string | number): number {
    if (depth > FAST_DEPTH) giveUp();
    const at = this.at;
    const col = this.col;
    if (this.isSeqIndicator(at)) return this.blockSeq(at, col, depth, up, ks, ke, into, slot);
    const colon = this.keyAt(at);
    if (colon >= 0) return this.blockMap(at, colon, col, depth, up, ks, ke, into, slot);
    return this.inlineValue(at, parent, depth, up, ks, ke, into, slot);
  }

  /** The value after `key:` or `-` when nothing but spaces or a comment follow on the line. */
  private valueBelow(empty: number, col: number, depth: number, sameIndentList: boolean, up: number, ks: number, ke: number, into: Into, slot: string | number): number {
    this.pos = this.nextLine(empty);
    if (this.content(this.pos)) {
      if (this.col > col) return this.blockNode(col, depth, up, ks, ke, into, slot);
      if (sameIndentList && this.col === col && this.isSeqIndicator(this.at)) return this.blockSeq(this.at, col, depth, up, ks, ke, into, slot);
    }
    return this.scalar(up, ks, ke, empty, empty, null, into, slot);
  }

  /** A block mapping whose first key (read by keyAt: this.value, this.end) starts at `first`, its colon at `firstColon`. */
  private blockMap(first: number, firstColon: number, col: number, depth: number, up: number, ks: number, ke: number, into: Into, slot: string | number): number {
    const id = this.locate(up, slot, MAP, ks, ke, first);
    let end: number;
    const obj: Record<string, unknown> = {};
    put(into, slot, obj);
    let at = first;
    for (let colon = firstColon; ; colon = this.keyAt(at)) {
      if (colon < 0) giveUp();
      const name = keyName(checked(this.value));
      // A repeated key (also spelt differently) is the walk's to report.
      if (Object.prototype.hasOwnProperty.call(obj, name)) giveUp();
      const k = this.skipSpaces(colon + 1);
      const c = this.code(k);
      const keyEnd = this.end;
      end = k >= this.len || c === NL || c === HASH ? this.valueBelow(k, col, depth + 1, true, id, at, keyEnd, obj, name) : this.inlineValue(k, col, depth + 1, id, at, keyEnd, obj, name);
      if (!this.content(this.pos) || this.col < col) break;
      if (this.col > col || this.isSeqIndicator(this.at)) giveUp();
      at = this.at;
    }
    return (this.ve[id] = end);
  }

  private blockSeq(first: number, col: number, depth: number, up: number, ks: number, ke: number, into: Into, slot: string | number): number {
    const id = this.locate(up, slot, SEQ, ks, ke, first);
    let end: number;
    const arr: unknown[] = [];
    put(into, slot, arr);
    let at = first;
    for (let i = 0; ; i++) {
      const k = this.skipSpaces(at + 1);
      const c = this.code(k);
      if (k >= this.len || c === NL || c === HASH) end = this.valueBelow(k, col, depth + 1, false, id, -1, -1, arr, i);
      else {
        // Content on the dash's line: a compact list or mapping indented to where it starts.
        if (depth + 1 > FAST_DEPTH) giveUp();
        const inner = col + (k - at);
        const list = this.isSeqIndicator(k);
        const colon = list ? -1 : this.keyAt(k);
        end = list
          ? this.blockSeq(k, inner, depth + 1, id, -1, -1, arr, i)
          : colon >= 0
            ? this.blockMap(k, colon, inner, depth + 1, id, -1, -1, arr, i)
            : this.inlineValue(k, col, depth + 1, id, -1, -1, arr, i);
      }
      if (!this.content(this.pos) || this.col < col) break;
      if (this.col > col) giveUp();
      if (!this.isSeqIndicator(this.at)) break; // the next key of the mapping this list is the value of
      at = this.at;
    }
    return (this.ve[id] = end);
  }

  /**
   * If a `key: value` line starts at `at`: the offset of its colon (the key's value in this.value, its
   * end in this.end); else -1.
   */
  private keyAt(at: number): number {
    const c = this.code(at);
    if (c === DQ || c === SQ) {
      if (c === DQ) doubleQuoted(this.text, at, this);
      else singleQuoted(this.text, at, this);
      const colon = this.end;
      return this.code(colon) === COLON && this.spaceOrEnd(colon + 1) ? colon : -1;
    }
    if (!this.plainStart(at, false)) return -1;
    for (let i = at; i < this.len; i++) {
      const ch = this.code(i);
      if (ch === NL) return -1;
      if (ch === HASH && this.code(i - 1) === SP) return -1;
      if (ch === COLON && this.spaceOrEnd(i + 1)) {
        let e = i;
        while (this.code(e - 1) === SP) e--;
        if (e - at > 1024) giveUp();
        this.value = plainValue(this.text.slice(at, e), true);
        this.end = e;
        return i;
      }
    }
    return -1;
  }

  /** Whether a plain scalar may start at `at` (YAML's indicators may not, `-`, `?` and `:` unless a safe character follows). */
  private plainStart(at: number, flow: boolean): boolean {
    const c = this.text[at]!;
    if (c === '-' || c === '?' || c === ':') {
      const n = this.text[at + 1];
      return n !== undefined && n !== ' ' && n !== '\n' && !(flow && ',[]{}'.includes(n));
    }
    return !',[]{}#&*!|>\'"%@`'.includes(c);
  }

  /**
   * A scalar or flow collection starting at `at` and ending its line (a literal block scalar runs on
   * over the lines below): the value of `key:` or `-` (`parent` is the column of that key or dash).
   */
  private inlineValue(at: number, parent: number, depth: number, up: number, ks: number, ke: number, into: Into, slot: string | number): number {
    const c = this.code(at);
    let end: number;
    if (c === DQ || c === SQ) {
      if (c === DQ) doubleQuoted(this.text, at, this);
      else singleQuoted(this.text, at, this);
      end = this.scalar(up, ks, ke, at, this.end, this.value, into, slot);
    } else if (c === LBRACKET || c === LBRACE) end = this.flowNode(at, depth, up, ks, ke, into, slot);
    else if (c === PIPE) return this.literal(at, parent, up, ks, ke, into, slot);
    else if (!this.plainStart(at, false)) giveUp();
    else {
      let e = at;
      for (; e < this.len; e++) {
        const ch = this.code(e);
        if (ch === NL || (ch === HASH && this.code(e - 1) === SP)) break;
        if (ch === COLON && this.spaceOrEnd(e + 1)) giveUp(); // a mapping where a scalar must be
      }
      while (this.code(e - 1) === SP) e--;
      end = this.scalar(up, ks, ke, at, e, plainValue(this.text.slice(at, e), false), into, slot);
    }
    this.endLine(end, parent);
    return end;
  }

  /** After a value: only spaces and a comment may follow on its line, and no line below may continue it. */
  private endLine(i: number, parent: number): void {
    const j = this.skipSpaces(i);
    if (j < this.len && this.code(j) !== NL && !(this.code(j) === HASH && j > i)) giveUp();
    this.pos = this.nextLine(j);
    if (this.content(this.pos) && this.col > parent) giveUp();
  }

  /** A literal block scalar (`|` or `|-`) whose header is at `at`, under a key or dash at column `parent`. */
  private literal(at: number, parent: number, up: number, ks: number, ke: number, into: Into, slot: string | number): number {
    let i = at + 1;
    const strip = this.code(i) === DASH;
    if (strip) i++;
    const h = this.skipSpaces(i);
    if (h < this.len && this.code(h) !== NL && !(this.code(h) === HASH && h > i)) giveUp(); // `|+`, `|2`, text after the header...
    let line = this.nextLine(h);
    if (line >= this.len) giveUp();
    const indent = this.skipSpaces(line) - line;
    if (indent <= parent || this.spaceOrEnd(line + indent)) giveUp();
    const lines: string[] = [];
    let blank = 0;
    let end = line;
    while (line < this.len) {
      const j = this.skipSpaces(line);
      if (j >= this.len || this.code(j) === NL) {
        if (j - line > indent) giveUp(); // a line of spaces only, longer than the indentation
        blank++;
        line = j + 1;
        continue;
      }
      if (j - line < indent) break;
      const nl = this.text.indexOf('\n', j);
      if (nl < 0) giveUp(); // the last line without a line break: left to the full reader's chomping
      for (; blank > 0; blank--) lines.push('');
      lines.push(this.text.slice(line + indent, nl));
      line = nl + 1;
      end = line;
    }
    this.scalar(up, ks, ke, at, end, lines.join('\n') + (strip ? '' : '\n'), into, slot);
    this.pos = end;
    if (this.content(this.pos) && this.col > parent) giveUp();
    return end;
  }

  /** A flow list, flow mapping or scalar inside one, all on one line. Returns where it ends. */
  private flowNode(at: number, depth: number, up: number, ks: number, ke: number, into: Into, slot: string | number): number {
    if (depth > FAST_DEPTH) giveUp();
    const c = this.code(at);
    if (c !== LBRACKET && c !== LBRACE) {
      this.flowScalar(at, false);
      return this.scalar(up, ks, ke, at, this.end, this.value, into, slot);
    }
    const isMap = c === LBRACE;
    const id = this.locate(up, slot, isMap ? MAP : SEQ, ks, ke, at);
    const coll: Into = isMap ? {} : [];
    put(into, slot, coll);
    const close = isMap ? RBRACE : RBRACKET;
    let i = this.flowSkip(at + 1);
    if (this.code(i) !== close) {
      for (let n = 0; ; n++) {
        if (isMap) {
          this.flowScalar(i, true);
          const name = keyName(checked(this.value));
          if (Object.prototype.hasOwnProperty.call(coll, name)) giveUp();
          const keyStart = i;
          const keyEnd = this.end;
          if (this.code(keyEnd) !== COLON || this.code(keyEnd + 1) !== SP) giveUp();
          i = this.flowSkip(keyEnd + 1);
          i = this.flowSkip(this.flowNode(i, depth + 1, id, keyStart, keyEnd, coll, name));
        } else i = this.flowSkip(this.flowNode(i, depth + 1, id, -1, -1, coll, n));
        const ch = this.code(i);
        if (ch === close) break;
        if (ch !== COMMA) giveUp();
        i = this.flowSkip(i + 1);
        if (this.code(i) === close) giveUp(); // a trailing comma
      }
    }
    return (this.ve[id] = i + 1);
  }

  private flowSkip(i: number): number {
    const j = this.skipSpaces(i);
    if (j >= this.len || this.code(j) === NL) giveUp();
    return j;
  }

  /** A scalar inside a flow collection (this.value, this.end). */
  private flowScalar(at: number, atKey: boolean): void {
    const c = this.code(at);
    if (c === DQ) return doubleQuoted(this.text, at, this);
    if (c === SQ) return singleQuoted(this.text, at, this);
    if (!this.plainStart(at, true)) giveUp();
    let e = at;
    for (; e < this.len; e++) {
      const ch = this.code(e);
      if (ch === NL || ch === COMMA || ch === LBRACKET || ch === RBRACKET || ch === LBRACE || ch === RBRACE) break;
      if (ch === HASH && this.code(e - 1) === SP) giveUp();
      if (ch === COLON) {
        const n = this.code(e + 1);
        if (e + 1 >= this.len || n === SP || n === NL || n === COMMA || n === LBRACKET || n === RBRACKET || n === LBRACE || n === RBRACE) break;
      }
    }
    while (this.code(e - 1) === SP) e--;
    this.value = plainValue(this.text.slice(at, e), atKey);
    this.end = e;
  }
}
