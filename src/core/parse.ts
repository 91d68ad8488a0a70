import { Node, visit } from 'yaml';
import { Finding, Position, Range, ZERO_RANGE } from './findings';
import { childKey, RawLocation, SEP, segment, unsegment, walkDocument, YamlPath } from './parseWalk';
import { FastLocations, KINDS, lineStartsOf, readYamlFast } from './yamlFast';
import { replacementCharacters } from './text';
import { MAX_DEPTH, readYaml, yamlMessage } from './yamlRead';
import { t } from './l10n';

export type { YamlPath } from './parseWalk';

export interface Located {
  /** Range of the mapping key, for values that sit under a key. */
  key?: Range;
  /** Range of the value node (for an empty value: an empty range right after the key). */
  value: Range;
  /** What stands there: `none` for a key without a value node. */
  kind: RawLocation['kind'];
}

/**
 * A topology text parsed with every key and value located. This is the only place that parses YAML:
 * validation, rendering provenance and every editor feature ask this object for positions.
 */
export class ParsedDocument {
  readonly value: unknown;
  readonly findings: Finding[] = [];
  /** Every path of the text by path key, in document order (made from `tree` when first asked). */
  private indexMap?: Map<string, RawLocation>;
  private tree?: FastLocations;
  /** Offsets where lines start, for offset <-> position conversion. */
  private readonly lineStarts: number[];

  /** `fast: false` reads the text with the `yaml` library even where the fast reader could (tests compare both). */
  constructor(
    readonly text: string,
    options: { fast?: boolean } = {},
  ) {
    const fast = options.fast === false ? undefined : readYamlFast(text);
    if (fast) {
      this.lineStarts = lineStartsOf(text);
      this.value = fast.value;
      this.tree = fast;
    } else {
      this.indexMap = new Map();
      const { contents, errors, warnings, tooDeep, secondDocument, lineStarts } = readYaml(text);
      this.lineStarts = lineStarts;
      let lastLine = -1;
      for (const e of errors) {
        // Past a cut (nesting too deep) the parser only says that the text stopped.
        if (tooDeep !== undefined && e.pos[0] >= tooDeep) continue;
        // One broken token makes the parser stumble over every token after it ("Unexpected scalar token"
        // on each line): report the break, one error per line, not its echo.
        const line = this.positionAt(e.pos[0]).line;
        if (line === lastLine || (lastLine >= 0 && e.code === 'UNEXPECTED_TOKEN')) continue;
        lastLine = line;
        // An unclosed quote is noticed at the end of the text; the mistake is where the quote opens.
        const open = e.code === 'MISSING_CHAR' && /quote/.test(e.message) ? openQuoteBefore(contents, e.pos[0]) : undefined;
        this.findings.push({
          code: 'yaml/syntax',
          severity: 'error',
          message: open === undefined ? yamlMessage(e.code, e.message) : t('YAML: this quote is never closed (the rest of the file became part of the value).'),
          range: open === undefined ? this.rangeOf(e.pos[0], Math.max(e.pos[1], e.pos[0] + 1)) : this.rangeOf(open, open + 1),
        });
      }
      if (tooDeep !== undefined) {
        const message = t('Lists and mappings nest more than {0} levels deep here (a topology needs about 8): ostopo stops reading the file at this point.', MAX_DEPTH);
        this.findings.push({ code: 'yaml/syntax', severity: 'error', message, range: this.rangeOf(tooDeep, tooDeep + 1) });
      }
      if (secondDocument !== undefined) {
        const marker = text.startsWith('---', secondDocument);
        this.findings.push({
          code: 'yaml/syntax',
          severity: 'error',
          message: marker
            ? t(
                'A topology is one YAML document, and a second one starts here (`---`): remove this line to make one document of both, or move what follows to a file of its own. ostopo reads the first document only.',
              )
            : t('A topology is one YAML document, and a second one starts here: remove the `...` before it, or move what follows to a file of its own. ostopo reads the first document only.'),
          range: this.rangeOf(secondDocument, secondDocument + (marker ? 3 : 1)),
        });
      }
      for (const w of warnings) {
        this.findings.push({
          code: 'yaml/warning',
          severity: 'warning',
          message: yamlMessage(w.code, w.message),
          range: this.rangeOf(w.pos[0], Math.max(w.pos[1], w.pos[0] + 1)),
        });
      }
      const { value } = walkDocument(contents, {
        text,
        lineOf: (offset) => this.positionAt(offset).line + 1,
        index: (k, at) => this.indexMap!.set(k, at),
        report: (f, start, end, pkey) => this.findings.push({ ...f, range: this.rangeOf(start, end), ...(pkey === undefined ? {} : { path: unPathKey(pkey) }) }),
      });
      this.value = value;
    }
    const bad = replacementCharacters(text);
    if (bad) {
      this.findings.push({
        code: 'yaml/encoding',
        severity: 'error',
        message:
          bad.count > 1
            ? t('The file is not UTF-8 text here: bytes that are no UTF-8 character were read as U+FFFD (here and at {0} more place(s)). Save the file as UTF-8.', bad.count - 1)
            : t('The file is not UTF-8 text here: bytes that are no UTF-8 character were read as U+FFFD. Save the file as UTF-8.'),
        range: this.rangeOf(bad.first, bad.first + 1),
      });
    }
  }

  /** Lookups answered from the fast reader's columns so far (a few cost less than an index of every path). */
  private scans = 0;

  /**
   * Where a path stands. The first few lookups walk the fast reader's columns down the path (a topology
   * without findings asks one or two: a release written as a number); past those, the index pays.
   */
  private raw(path: YamlPath): RawLocation | undefined {
    const t = this.tree;
    if (!t || this.scans >= MAX_SCANS) return this.index.get(pathKey(path));
    this.scans++;
    const i = scanColumns(t, path);
    return i < 0 ? undefined : { kind: KINDS[t.kinds[i]!]!, ks: t.ks[i]!, ke: t.ke[i]!, vs: t.vs[i]!, ve: t.ve[i]! };
  }

  private get index(): Map<string, RawLocation> {
    if (this.indexMap) return this.indexMap;
    const t = this.tree!;
    const keys: string[] = new Array<string>(t.parents.length);
    const index = new Map<string, RawLocation>();
    for (let i = 0; i < t.parents.length; i++) {
      const up = t.parents[i]!;
      keys[i] = up < 0 ? '' : childKey(keys[up]!, t.segments[i]!);
      index.set(keys[i]!, { kind: KINDS[t.kinds[i]!]!, ks: t.ks[i]!, ke: t.ke[i]!, vs: t.vs[i]!, ve: t.ve[i]! });
    }
    this.tree = undefined;
    return (this.indexMap = index);
  }

  /** Where line `i` starts (a line past the end: the end of the text). */
  private lineStart(i: number): number {
    return this.lineStarts[i] ?? this.text.length;
  }

  /** Position (zero-based) of a character offset. */
  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStart(mid) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.lineStart(lo) };
  }

  offsetAt(pos: Position): number {
    const line = Math.max(0, Math.min(pos.line, this.lineStarts.length - 1));
    const start = this.lineStart(line);
    const next = this.lineStart(line + 1);
    return Math.min(start + Math.max(0, pos.character), next);
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** The located entry at exactly this path, if the text has it. */
  get(path: YamlPath): Located | undefined {
    const at = this.raw(path);
    if (!at) return undefined;
    const value = this.rangeOf(at.vs, at.ve);
    return at.ks >= 0 ? { key: this.rangeOf(at.ks, at.ke), value, kind: at.kind } : { value, kind: at.kind };
  }

  /** Range of the key at `path` (or of its value for sequence items). */
  keyRange(path: YamlPath): Range | undefined {
    const l = this.get(path);
    return l ? (l.key ?? l.value) : undefined;
  }

  valueRange(path: YamlPath): Range | undefined {
    return this.get(path)?.value;
  }

  /**
   * Best range for a finding about `path`: `which` of the path itself, else the key of the nearest
   * ancestor that exists in the text, else the start of the document.
   */
  locate(path: YamlPath, which: 'key' | 'value' = 'key'): Range {
    for (let n = path.length; n >= 0; n--) {
      const l = this.get(path.slice(0, n));
      if (!l) continue;
      if (n === path.length) return which === 'value' ? l.value : (l.key ?? l.value);
      return l.key ?? l.value;
    }
    return ZERO_RANGE;
  }

  /** The value at `path` as the file spells it (`1e400`, `"yes"`), if the text has it. */
  source(path: YamlPath): string | undefined {
    const at = this.raw(path);
    return at && at.kind !== 'none' ? this.text.slice(at.vs, at.ve).trimEnd() : undefined;
  }

  /** Every path the text contains, in document order (for outline, references and tests). */
  paths(): YamlPath[] {
    return [...this.index.keys()].map(unPathKey);
  }

  /** Every path with where it stands, in document order: one pass for searches over the whole text. */
  *located(): Generator<Located & { path: YamlPath }> {
    for (const [k, at] of this.index) {
      const value = this.rangeOf(at.vs, at.ve);
      yield at.ks >= 0 ? { path: unPathKey(k), key: this.rangeOf(at.ks, at.ke), value, kind: at.kind } : { path: unPathKey(k), value, kind: at.kind };
    }
  }

  /**
   * The innermost key, or scalar value, whose range holds `pos` (the editor's hover, rename...): one pass
   * over offsets, the path made for the one found only.
   */
  innermostAt(pos: Position): { path: YamlPath; on: 'key' | 'value'; range: Range } | undefined {
    // Past the end of its line, a position stays on that line (before its line break).
    const line = Math.max(0, Math.min(pos.line, this.lineStarts.length - 1));
    const o = Math.min(this.offsetAt(pos), line + 1 < this.lineStarts.length ? this.lineStart(line + 1) - 1 : this.text.length);
    const t = this.tree;
    if (t) {
      // The fast reader's columns, without building the index: integers compared, one path made.
      let found: { i: number; on: 'key' | 'value'; s: number; e: number } | undefined;
      for (let i = 0; i < t.parents.length; i++) {
        const ks = t.ks[i]!;
        const ke = t.ke[i]!;
        if (ks >= 0 && ks <= o && o <= ke && (!found || ke - ks <= found.e - found.s)) found = { i, on: 'key', s: ks, e: ke };
        const vs = t.vs[i]!;
        const ve = t.ve[i]!;
        if (t.kinds[i] === SCALAR_KIND && vs <= o && o <= ve && (!found || ve - vs < found.e - found.s)) found = { i, on: 'value', s: vs, e: ve };
      }
      return found && { path: columnPath(t, found.i), on: found.on, range: this.rangeOf(found.s, found.e) };
    }
    let best: { k: string; on: 'key' | 'value'; s: number; e: number } | undefined;
    for (const [k, at] of this.index) {
      if (at.ks >= 0 && at.ks <= o && o <= at.ke && (!best || at.ke - at.ks <= best.e - best.s)) best = { k, on: 'key', s: at.ks, e: at.ke };
      const scalar = at.kind === 'scalar' || at.kind === 'alias';
      if (scalar && at.vs <= o && o <= at.ve && (!best || at.ve - at.vs < best.e - best.s)) best = { k, on: 'value', s: at.vs, e: at.ve };
    }
    return best && { path: unPathKey(best.k), on: best.on, range: this.rangeOf(best.s, best.e) };
  }
}

const MAX_SCANS = 8;

/**
 * The column index of a path, or -1. A path's descendants follow it in document order, each with a
 * parent at or after it, so the first entry whose parent comes before it ends its subtree.
 */
function scanColumns(t: FastLocations, path: YamlPath): number {
  let at = t.parents.findIndex((p) => p < 0);
  for (const seg of path) {
    if (at < 0) return -1;
    const up = at;
    at = -1;
    for (let i = up + 1; i < t.parents.length && t.parents[i]! >= up; i++) {
      if (t.parents[i] === up && t.segments[i] === seg) {
        at = i;
        break;
      }
    }
  }
  return at;
}

/** The path of column index `i`. */
function columnPath(t: FastLocations, i: number): YamlPath {
  const path: YamlPath = [];
  for (let at = i; t.parents[at]! >= 0; at = t.parents[at]!) path.push(t.segments[at]!);
  return path.reverse();
}

const SCALAR_KIND = KINDS.indexOf('scalar');

function pathKey(path: YamlPath): string {
  return path.map(segment).join(SEP);
}

function unPathKey(k: string): YamlPath {
  if (k === '') return [];
  return k.split(SEP).map(unsegment);
}

/** Start offset of the quoted scalar that runs up to `end` (an unclosed quote), if there is one. */
function openQuoteBefore(root: Node | null, end: number): number | undefined {
  let found: number | undefined;
  if (root)
    visit(root, {
      Scalar(_key, node) {
        if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range && node.range[0] < end && node.range[1] >= end) found = node.range[0];
      },
    });
  return found;
}

export function parseTopologyText(text: string): ParsedDocument {
  return new ParsedDocument(text);
}
