import { Composer, Document, isMap, isPair, isSeq, Lexer, LineCounter, Node, Parser, YAMLError } from 'yaml';
import { locale, t } from './l10n';

/**
 * How deep lists and mappings may nest (flow brackets plus compact `- - -` on one line). A topology
 * needs about 8 levels; the limit is far above that, and far below what makes the YAML parser slow
 * (each level costs it time) or overflow its stack.
 */
export const MAX_DEPTH = 64;

export interface YamlRead {
  /** The document's root node (null for an empty document). */
  contents: Node | null;
  errors: YAMLError[];
  warnings: YAMLError[];
  /** Offsets where lines start. */
  lineStarts: number[];
  /** Offset where reading stopped because lists and mappings nest deeper than MAX_DEPTH. */
  tooDeep?: number;
  /** Offset where a second YAML document starts (a topology is one document). */
  secondDocument?: number;
}

/**
 * Reads one YAML document with the `yaml` library (where yamlFast.ts cannot). A block list or mapping's
 * range ends where its last value ends, as the fast reader has it (the library also counts the comments
 * and line breaks after it).
 */
export function readYaml(text: string): YamlRead {
  const lines = new LineCounter();
  const read = readYamlLibrary(text, lines);
  const contents = read.doc.contents;
  if (contents) endBlockCollections(contents);
  return { tooDeep: read.tooDeep, secondDocument: read.secondDocument, contents, errors: read.doc.errors, warnings: read.doc.warnings, lineStarts: lines.lineStarts.length ? lines.lineStarts : [0] };
}

/** Sets the end of every block list and mapping to the end of its last value (post-order, without recursion). */
function endBlockCollections(root: Node): void {
  const stack: { node: Node; done: boolean }[] = [{ node: root, done: false }];
  while (stack.length) {
    const f = stack.pop()!;
    const n = f.node;
    if (!isMap(n) && !isSeq(n)) continue;
    if (!f.done) {
      stack.push({ node: n, done: true });
      for (const item of n.items as unknown[]) {
        if (isPair(item)) {
          if (item.value) stack.push({ node: item.value as Node, done: false });
        } else if (item) stack.push({ node: item as Node, done: false });
      }
      continue;
    }
    const last = n.items[n.items.length - 1] as unknown;
    if (n.flow || !n.range || last === undefined) continue;
    const end = isPair(last) ? ((last.value as Node | null)?.range?.[1] ?? (last.key as Node | null)?.range?.[1]) : (last as Node | null)?.range?.[1];
    if (end !== undefined) n.range = [n.range[0], end, end];
  }
}

/**
 * Reads one YAML document the way `parseDocument` does, with three differences: duplicate keys are
 * left to the caller (yaml's own check compares every key with every other: quadratic), explicit YAML
 * 1.1 tags (!!binary, !!set, !!omap, !!timestamp...) stay plain strings, lists and mappings (so the
 * value is always plain JSON data), and reading stops where nesting passes MAX_DEPTH or a second
 * document starts.
 */
function readYamlLibrary(text: string, lines: LineCounter): { doc: Document.Parsed; tooDeep?: number; secondDocument?: number } {
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer({ prettyErrors: false, uniqueKeys: false, strict: true, logLevel: 'error', resolveKnownTags: false });
  const out: { tooDeep?: number; secondDocument?: number } = {};
  function* tokens() {
    lines.addNewLine(0);
    let flow = 0;
    let compact = 0;
    let scalarNext = false;
    for (const lexeme of new Lexer().lex(text)) {
      if (scalarNext) scalarNext = false;
      else if (lexeme === '\x1f')
        scalarNext = true; // the next lexeme is a scalar's source, whatever it holds
      else if (lexeme === '[' || lexeme === '{') flow++;
      else if (lexeme === ']' || lexeme === '}') flow = Math.max(0, flow - 1);
      else if (lexeme === '-' || lexeme === '?') compact++;
      else if (lexeme[0] === '\n' || lexeme[0] === '\r') compact = 0;
      if (flow + compact > MAX_DEPTH) {
        out.tooDeep = parser.offset;
        break;
      }
      yield* parser.next(lexeme);
    }
    yield* parser.end();
  }
  let doc: Document.Parsed | undefined;
  // yaml reports each problem as an Error object, and an Error captures the stack: with yaml's nested
  // generators and the stack depth a host allows (VS Code 100 frames, mocha all of them), a file with
  // a few hundred problems spent seconds there. Only code, message and position are read.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (const d of composer.compose(tokens(), true, text.length)) {
      if (!doc) doc = d;
      else {
        out.secondDocument = d.range[0];
        break;
      }
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
  return { ...out, doc: doc! };
}

/**
 * What each of the YAML parser's error codes means, in words a translation can carry: in another language
 * than English a message is this, with the parser's own (English) sentence after it in parentheses.
 */
export const YAML_ERRORS: Record<string, string> = {
  ALIAS_PROPS: 'an alias cannot have an anchor or a tag',
  BAD_ALIAS: 'this alias is not written correctly',
  BAD_DIRECTIVE: 'this directive is not valid',
  BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted value',
  BAD_INDENT: 'the indentation is wrong',
  BAD_PROP_ORDER: 'an anchor or tag is in the wrong place',
  BAD_SCALAR_START: 'a plain value cannot start with this character (quote the value)',
  BLOCK_AS_IMPLICIT_KEY: 'a block value cannot be a key',
  BLOCK_IN_FLOW: 'a block value cannot stand inside [ ] or { }',
  DUPLICATE_KEY: 'a key appears twice in one mapping',
  IMPOSSIBLE: 'the YAML cannot be read here',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
  MISSING_CHAR: 'a character is missing (a closing quote or bracket, or a `:`)',
  MULTILINE_IMPLICIT_KEY: 'a key cannot span several lines (is a `:` or an indentation missing?)',
  MULTIPLE_ANCHORS: 'a value has more than one anchor',
  MULTIPLE_DOCS: 'more than one document',
  MULTIPLE_TAGS: 'a value has more than one tag',
  NON_STRING_KEY: 'a key must be plain text',
  UNEXPECTED_TOKEN: 'unexpected text here (a wrong indentation, or a missing `:` or `-`?)',
  BAD_COLLECTION_TYPE: 'the tag does not fit this kind of value',
};

/** An operator's wording of a YAML parser error or warning (first line, without yaml's position suffix). */
export function yamlMessage(code: string, message: string): string {
  const first = (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'TAB_AS_INDENT') return t('Tabs cannot indent YAML: use spaces.');
  if (code === 'RESOURCE_EXHAUSTION') return t('YAML: lists or mappings are nested too deeply here to be read.');
  if (code === 'TAG_RESOLVE_FAILED') return t('YAML: {0} (a topology uses no tags: its values are plain text, numbers, true/false, lists and mappings).', first);
  const words = YAML_ERRORS[code];
  return locale() !== 'en' && words ? t('YAML: {0} ({1})', t(words), first) : `YAML: ${first}`;
}
