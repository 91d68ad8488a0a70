import { Composer, Document, Lexer, LineCounter, Parser } from 'yaml';

/**
 * How deep lists and mappings may nest (flow brackets plus compact `- - -` on one line). A topology
 * needs about 8 levels; the limit is far above that, and far below what makes the YAML parser slow
 * (each level costs it time) or overflow its stack.
 */
export const MAX_DEPTH = 64;

export interface YamlRead {
  doc: Document.Parsed;
  /** Offset where reading stopped because lists and mappings nest deeper than MAX_DEPTH. */
  tooDeep?: number;
  /** Offset where a second YAML document starts (a topology is one document). */
  secondDocument?: number;
}

/**
 * Reads one YAML document the way `parseDocument` does, with three differences: duplicate keys are
 * left to the caller (yaml's own check compares every key with every other: quadratic), explicit YAML
 * 1.1 tags (!!binary, !!set, !!omap, !!timestamp...) stay plain strings, lists and mappings (so the
 * value is always plain JSON data), and reading stops where nesting passes MAX_DEPTH or a second
 * document starts.
 */
export function readYaml(text: string, lines: LineCounter): YamlRead {
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer({ prettyErrors: false, uniqueKeys: false, strict: true, logLevel: 'error', resolveKnownTags: false });
  const out: Partial<YamlRead> = {};
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

/** An operator's wording of a YAML parser error or warning (first line, without yaml's position suffix). */
export function yamlMessage(code: string, message: string): string {
  const first = (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'TAB_AS_INDENT') return 'Tabs cannot indent YAML: use spaces.';
  if (code === 'RESOURCE_EXHAUSTION') return 'YAML: lists or mappings are nested too deeply here to be read.';
  if (code === 'TAG_RESOLVE_FAILED') return `YAML: ${first} (a topology uses no tags: its values are plain text, numbers, true/false, lists and mappings).`;
  return `YAML: ${first}`;
}
