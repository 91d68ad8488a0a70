import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Node, parseDocument, Scalar, visit } from 'yaml';
import { Finding, Position, Range, ZERO_RANGE } from './findings';

export type YamlPath = (string | number)[];

interface Located {
  /** Range of the mapping key, for values that sit under a key. */
  key?: Range;
  /** Range of the value node (for an empty value: an empty range right after the key). */
  value: Range;
  node: Node | null;
}

/**
 * A topology text parsed with every key and value located. This is the only place that parses YAML:
 * validation, rendering provenance and every editor feature ask this object for positions.
 */
export class ParsedDocument {
  readonly value: unknown;
  readonly findings: Finding[] = [];
  private readonly index = new Map<string, Located>();
  private readonly lines: LineCounter;
  /** Offsets where lines start, for offset <-> position conversion. */
  private readonly lineStarts: number[];

  constructor(readonly text: string) {
    this.lines = new LineCounter();
    // logLevel 'error': yaml would otherwise print process warnings (e.g. for collection keys), which the
    // walk below reports as located findings instead.
    const doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true, strict: true, logLevel: 'error' });
    this.lineStarts = this.lines.lineStarts.length ? this.lines.lineStarts : [0];
    let lastLine = -1;
    for (const e of doc.errors) {
      // One broken token makes the parser stumble over every token after it ("Unexpected scalar token"
      // on each line): report the break, one error per line, not its echo.
      const line = this.positionAt(e.pos[0]).line;
      if (line === lastLine || (lastLine >= 0 && e.code === 'UNEXPECTED_TOKEN')) continue;
      lastLine = line;
      // An unclosed quote is noticed at the end of the text; the mistake is where the quote opens.
      const open = e.code === 'MISSING_CHAR' && /quote/.test(e.message) ? openQuoteBefore(doc, e.pos[0]) : undefined;
      this.findings.push({
        code: 'yaml/syntax',
        severity: 'error',
        message: open === undefined ? yamlMessage(e.code, e.message) : 'YAML: this quote is never closed (the rest of the file became part of the value).',
        range: open === undefined ? this.rangeOf(e.pos[0], Math.max(e.pos[1], e.pos[0] + 1)) : this.rangeOf(open, open + 1),
      });
    }
    for (const w of doc.warnings) {
      this.findings.push({
        code: 'yaml/warning',
        severity: 'warning',
        message: yamlMessage(w.code, w.message),
        range: this.rangeOf(w.pos[0], Math.max(w.pos[1], w.pos[0] + 1)),
      });
    }
    let value: unknown;
    try {
      value = doc.errors.length ? safeToJs(doc) : doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // e.g. alias bombs or aliases to nothing: keep what we can and report where.
      this.findings.push({ code: 'yaml/syntax', severity: 'error', message: String((err as Error).message), range: ZERO_RANGE });
      value = undefined;
    }
    this.value = value;
    if (doc.contents) this.walk(doc.contents as Node, [], undefined);
  }

  /** Position (zero-based) of a character offset. */
  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.lineStarts[lo] };
  }

  offsetAt(pos: Position): number {
    const line = Math.max(0, Math.min(pos.line, this.lineStarts.length - 1));
    const start = this.lineStarts[line];
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
    return Math.min(start + Math.max(0, pos.character), next);
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** The located entry at exactly this path, if the text has it. */
  get(path: YamlPath): Located | undefined {
    return this.index.get(pathKey(path));
  }

  /** Range of the key at `path` (or of its value for sequence items). */
  keyRange(path: YamlPath): Range | undefined {
    const l = this.get(path);
    return l ? l.key ?? l.value : undefined;
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
      if (n === path.length) return which === 'value' ? l.value : l.key ?? l.value;
      return l.key ?? l.value;
    }
    return ZERO_RANGE;
  }

  /** Every path the text contains, in document order (for outline, references and tests). */
  paths(): YamlPath[] {
    return [...this.index.keys()].map(unPathKey);
  }

  private walk(node: Node, path: YamlPath, key: Range | undefined): void {
    const value = node.range ? this.rangeOf(node.range[0], node.range[1]) : key ? { start: key.end, end: key.end } : ZERO_RANGE;
    this.index.set(pathKey(path), { key, value, node });
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const k = item.key as Node | null;
        const name = isScalar(k) ? String((k as Scalar).value) : k && isAlias(k) ? String(k.source) : '';
        const keyRange = k && k.range ? this.rangeOf(k.range[0], k.range[1]) : undefined;
        if (k && !isScalar(k) && !isAlias(k)) {
          this.findings.push({ code: 'yaml/complex-key', severity: 'error', message: 'A key must be a plain name, not a list or mapping.', range: keyRange ?? value });
        }
        const v = item.value as Node | null;
        const childPath = [...path, name];
        if (v && !isAlias(v)) this.walk(v, childPath, keyRange);
        else {
          const end = keyRange ? keyRange.end : value.start;
          const vr = v && v.range ? this.rangeOf(v.range[0], v.range[1]) : { start: end, end };
          this.index.set(pathKey(childPath), { key: keyRange, value: vr, node: v });
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const childPath = [...path, i];
        if (item && !isAlias(item) && (item as Node).range) this.walk(item as Node, childPath, undefined);
      });
    }
  }
}

function pathKey(path: YamlPath): string {
  return path.map((p) => (typeof p === 'number' ? `#${p}` : `.${p}`)).join('\u0001');
}

function unPathKey(k: string): YamlPath {
  if (k === '') return [];
  return k.split('\u0001').map((s) => (s[0] === '#' ? Number(s.slice(1)) : s.slice(1)));
}

function safeToJs(doc: ReturnType<typeof parseDocument>): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

/** Start offset of the quoted scalar that runs up to `end` (an unclosed quote), if there is one. */
function openQuoteBefore(doc: ReturnType<typeof parseDocument>, end: number): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range && node.range[0] < end && node.range[1] >= end) found = node.range[0];
    },
  });
  return found;
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'DUPLICATE_KEY') return 'Duplicate key: each key may appear once in a mapping (the later one would silently win).';
  if (code === 'TAB_AS_INDENT') return 'Tabs cannot indent YAML: use spaces.';
  return `YAML: ${first}`;
}

export function parseTopologyText(text: string): ParsedDocument {
  return new ParsedDocument(text);
}
