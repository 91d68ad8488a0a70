import { isDeepStrictEqual } from 'node:util';
import { Document, Lexer, parseAllDocuments } from 'yaml';
import { FixEdit } from '../findings';
import { t } from '../l10n';

export interface FormatOptions {
  /** Spaces per level (VS Code's tabSize); YAML indents with spaces only. */
  indent: number;
}

export type FormatResult = { edits: FixEdit[] } | { error: string };

/** Lexer tokens that mark structure but stand for no source text (yaml's CST: DOCUMENT, FLOW_END, SCALAR). */
const CONTROL = new Set(['\x02', '\x18', '\x1f']);

/** The lexer's tokens that stand for source text, each with its offset in `text`. */
function* sourceTokens(text: string): Generator<[string, number]> {
  let offset = 0;
  for (const tok of new Lexer().lex(text)) {
    if (CONTROL.has(tok)) continue;
    yield [tok, offset];
    offset += tok.length;
  }
}

interface Line {
  text: string;
  /** The indentation; -1 for a blank line. */
  indent: number;
  /** The line holds nothing but a comment. */
  comment: boolean;
}

/** The lines of `text`, with which are whole-line comments (from the lexer: a `#` in a block scalar is no comment). */
function lines(text: string): Line[] {
  const out: Line[] = [];
  const starts: number[] = [];
  let at = 0;
  for (const t of text.split('\n')) {
    starts.push(at);
    at += t.length + 1;
    out.push({ text: t, indent: t.trim() === '' ? -1 : t.length - t.trimStart().length, comment: false });
  }
  let line = 0;
  for (const [tok, offset] of sourceTokens(text)) {
    while (line + 1 < starts.length && (starts[line + 1] ?? Infinity) <= offset) line++;
    const l = out[line];
    if (tok.startsWith('#') && l && text.slice(starts[line], offset).trim() === '') l.comment = true;
  }
  return out;
}

/** `{a: 1}` -> `{ a: 1 }` (the style of Prettier and of the examples; flow lists stay `[a, b]`). */
function padFlowMaps(text: string): string {
  // The offsets a space goes in at, in order.
  const at: number[] = [];
  let prev = '';
  for (const [tok, offset] of sourceTokens(text)) {
    if (tok === '{') at.push(offset + 1);
    // Not in `{}`, whose '}' follows its '{' directly.
    if (tok === '}' && prev !== '{') at.push(offset);
    if (tok === '}' && prev === '{') at.pop();
    prev = tok;
  }
  const parts: string[] = [];
  let from = 0;
  for (const o of at) {
    parts.push(text.slice(from, o), ' ');
    from = o;
  }
  parts.push(text.slice(from));
  return parts.join('');
}

/**
 * Put each whole-line comment at the level its author wrote it at. The yaml library keeps every comment
 * and its order, but gives the comments between the end of a nested block and the next key of an outer
 * one to the nested block (`# about repositories` written at column 0 after `ntp:`'s entries came out
 * indented under ntp). A comment belongs to the line after it, unless a block ends there and the
 * comment is indented into that block: then it belongs to the nearest line before it indented no deeper
 * than the comment (the end of the block). Content lines correspond one to one between source and
 * output; when they do not (a flow collection reflowed), the library's placement stays.
 */
function placeComments(source: string, output: string): string {
  const src = lines(source);
  const out = lines(output);
  const srcContent = src.filter((l) => l.indent >= 0 && !l.comment);
  const outContent = out.filter((l) => l.indent >= 0 && !l.comment);
  const srcComments = src.filter((l) => l.comment);
  const outComments = out.filter((l) => l.comment);
  const same = srcComments.length === outComments.length && srcComments.every((l, k) => l.text.trim() === outComments[k]?.text.trim());
  if (srcContent.length !== outContent.length || !same) return output;
  const counterpart = new Map(srcContent.map((l, k) => [l, outContent[k]]));
  // The content lines before and after each line.
  const nextContent: Array<Line | undefined> = [];
  for (let i = src.length - 1, next: Line | undefined; i >= 0; i--) {
    nextContent[i] = next;
    const l = src[i];
    if (l && l.indent >= 0 && !l.comment) next = l;
  }
  let prev: Line | undefined;
  let k = 0;
  src.forEach((l, i) => {
    if (!l.comment) {
      if (l.indent >= 0) prev = l;
      return;
    }
    const next = nextContent[i];
    // A block ends between the line before and the line after, and the comment is indented into it.
    const endsBlock = !next || (prev !== undefined && prev.indent > next.indent && l.indent > next.indent);
    const owner = !endsBlock
      ? next
      : src
          .slice(0, i)
          .reverse()
          .find((c) => !c.comment && c.indent >= 0 && c.indent <= l.indent);
    const target = owner ? (counterpart.get(owner)?.indent ?? 0) : 0;
    const o = outComments[k++];
    if (o) o.text = ' '.repeat(target) + o.text.trimStart();
  });
  return out.map((l) => l.text).join('\n');
}

/**
 * Format a topology the way its YAML reads: consistent indentation, one space after a colon and a
 * comma, `[a, b]` flow lists and `{ a: 1 }` flow maps, no trailing spaces, at most one blank line in
 * a row, one final newline.
 * Comments, key order, quoting, anchors and block scalars stay. A document with YAML errors is not
 * touched, nor one whose formatted form would read back as different data (a safety net: a formatter
 * never changes what the file says). The result is one edit spanning what changed.
 */
export function formatTopology(text: string, opts: FormatOptions): FormatResult {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const source = eol === '\r\n' ? text.replace(/\r\n/g, '\n') : text;
  const docs = parseAllDocuments(source);
  if (Array.isArray(docs) && docs.length === 0) return { edits: [] };
  if (!Array.isArray(docs) || docs.length !== 1) return { error: t('Not formatted: a topology is one YAML document; this file has {0}.', Array.isArray(docs) ? docs.length : 0) };
  const doc = docs[0];
  if (!doc) return { edits: [] };
  const error = doc.errors[0];
  if (error) return { error: t('Not formatted: the YAML has errors ({0}).', error.message.split('\n')[0] ?? '') };
  const indent = Math.max(1, Math.min(8, Math.floor(opts.indent) || 2));
  const printed = doc.toString({ indent, lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false });
  let formatted = padFlowMaps(placeComments(source, printed))
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/\n*$/, '\n');
  if (source.trim() === '') formatted = source;
  const again = parseAllDocuments(formatted);
  const back = Array.isArray(again) && again.length === 1 ? again[0] : undefined;
  if (!back || back.errors.length || !sameData(back, doc)) {
    return { error: t('Not formatted: the formatted text would not read back as the same data (please report this file).') };
  }
  if (eol === '\r\n') formatted = formatted.replace(/\n/g, '\r\n');
  return { edits: diffText(text, formatted) };
}

function sameData(a: Document, b: Document): boolean {
  try {
    return isDeepStrictEqual(a.toJS(), b.toJS());
  } catch {
    // Aliases that expand too far (the library stops at its limit): such a file is not formatted.
    return false;
  }
}

/** One edit replacing what lies between the common head and tail of `a` and `b` (none when equal). */
function diffText(a: string, b: string): FixEdit[] {
  if (a === b) return [];
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const position = (offset: number) => {
    const before = a.slice(0, offset).split('\n');
    return { line: before.length - 1, character: (before[before.length - 1] ?? '').length };
  };
  return [{ range: { start: position(head), end: position(a.length - tail) }, newText: b.slice(head, b.length - tail) }];
}
