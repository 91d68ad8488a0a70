import { clip, didYouMean, Finding, FindingCode } from './findings';
import { own } from './own';
import { ParsedDocument, YamlPath } from './parse';
import { JsonSchema, JsonType, topologySchema } from './schema';

/**
 * Checks a parsed topology against the JSON Schema, with every finding placed on the offending key or
 * value. Implements the keywords the schema uses (it has no oneOf/anyOf/$ref), so messages can be exact.
 */
export function checkSchema(doc: ParsedDocument, schema: JsonSchema = topologySchema): Finding[] {
  const out: Finding[] = [];
  if (doc.value === undefined || doc.value === null) {
    if (!doc.findings.some((f) => f.severity === 'error')) {
      out.push({ code: 'schema/empty', severity: 'error', message: 'The topology is empty: start with `ostopo: 1`, `name`, `release`, `os` and `nodes`.', range: doc.locate([]) });
    }
    return out;
  }
  visit(doc, doc.value, schema, [], out, false);
  return out;
}

/** The schema's patterns, compiled once (a long list checks the same pattern for every item). */
const compiled = new Map<string, RegExp>();
function re(pattern: string): RegExp {
  let r = compiled.get(pattern);
  if (!r) compiled.set(pattern, (r = new RegExp(pattern)));
  return r;
}

/** Characters a shell gives meaning to: reported by name when a constrained value contains them. */
const SHELL_META = /[;&|$`'"\\<>(){}*?!~#\n\r\t ]/;

function typeOf(v: unknown): JsonType {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  return 'object';
}

function typeMatches(actual: JsonType, expected: JsonType | JsonType[]): boolean {
  const list = Array.isArray(expected) ? expected : [expected];
  return list.includes(actual) || (actual === 'integer' && list.includes('number'));
}

const TYPE_WORDS: Record<JsonType, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
  null: 'empty',
};

function describeTypes(t: JsonType | JsonType[]): string {
  const list = Array.isArray(t) ? t : [t];
  return list.map((x) => TYPE_WORDS[x]).join(' or ');
}

/**
 * A value as a message shows it: as the file spells it (`1e400`, `"22"`), with what it reads as when
 * that is not plain (a number too large for any number type is out of range, not "null").
 */
function shown(doc: ParsedDocument, path: YamlPath, value: unknown, t: JsonType): string {
  if (t === 'object' || t === 'array') return TYPE_WORDS[t];
  const written = clip(doc.source(path) ?? JSON.stringify(value));
  if (typeof value === 'number' && !Number.isFinite(value)) return `\`${written}\`, which ${notFinite(value)}`;
  return `${TYPE_WORDS[t]} (${written})`;
}

function notFinite(n: number): string {
  return Number.isNaN(n) ? 'is not a number' : 'is out of range (it is not a finite number)';
}

function keyName(path: YamlPath): string {
  return path.length ? clip(String(path[path.length - 1])) : 'the document';
}

function refCode(s: JsonSchema, fallback: FindingCode): FindingCode {
  const r = s['x-ostopo-ref'];
  return r === 'node' || r === 'service' || r === 'role' ? `ref/unknown-${r}` : fallback;
}

/**
 * `hidden`: the value is secret (`x-ostopo-secret` here or above): messages say what is wrong with it
 * without showing it, nor any part of it.
 */
function visit(doc: ParsedDocument, written: unknown, s: JsonSchema, path: YamlPath, out: Finding[], hidden: boolean): void {
  hidden ||= !!s['x-ostopo-secret'];
  const value = typeof written === 'number' && s['x-ostopo-as-text'] ? (doc.source(path) ?? String(written)) : written;
  const t = typeOf(value);
  if (s.type && !typeMatches(t, s.type)) {
    const what = t === 'object' || t === 'array' || hidden ? TYPE_WORDS[t] : shown(doc, path, value, t);
    const quote = hidden && s.type === 'string' && t !== 'object' && t !== 'array' && t !== 'null' ? ': put it in quotes' : '';
    out.push({
      code: 'schema/type',
      severity: 'error',
      message: `\`${keyName(path)}\` must be ${describeTypes(s.type)}, not ${what}${quote}.`,
      range: doc.locate(path, 'value'),
      path,
    });
    return;
  }
  if (s.const !== undefined && value !== s.const) {
    out.push({ code: 'schema/const', severity: 'error', message: `\`${keyName(path)}\` must be ${JSON.stringify(s.const)}.`, range: doc.locate(path, 'value'), path, suggestions: [String(s.const)] });
    return;
  }
  if (s.enum && !s.enum.includes(value)) {
    const choices = s.enum.map(String);
    const sugg = typeof value === 'string' && !hidden ? didYouMean(value, choices) : [];
    const what = hidden
      ? `This value is not allowed for \`${keyName(path)}\``
      : s['x-ostopo-ref']
        ? `Unknown ${s['x-ostopo-ref']} \`${clip(String(value))}\``
        : `\`${clip(String(value))}\` is not allowed for \`${keyName(path)}\``;
    out.push({
      code: refCode(s, 'schema/enum'),
      severity: 'error',
      message: `${what}${sugg.length ? ` — did you mean \`${sugg[0]}\`?` : ''} Allowed: ${choices.join(', ')}.`,
      range: doc.locate(path, 'value'),
      path,
      suggestions: sugg,
    });
    return;
  }
  if (t === 'string') {
    const str = value as string;
    if (s.minLength !== undefined && str.length < s.minLength) {
      out.push({ code: 'schema/length', severity: 'error', message: `\`${keyName(path)}\` must not be empty.`, range: doc.locate(path, 'value'), path });
    } else if (s.pattern && !re(s.pattern).test(str)) {
      const meta = SHELL_META.exec(str);
      out.push({
        code: meta ? 'value/shell-metacharacters' : 'schema/pattern',
        severity: 'error',
        message: hidden
          ? `\`${keyName(path)}\` is not ${s.patternDescription ?? `of the form ${s.pattern}`}.`
          : meta
            ? `\`${keyName(path)}\` contains ${meta[0] === '\n' ? 'a line break' : `\`${meta[0]}\``}, which ostopo refuses in values that reach commands and config files; it must be ${s.patternDescription ?? `of the form ${s.pattern}`}.`
            : `\`${keyName(path)}\`: ${clip(JSON.stringify(str))} is not ${s.patternDescription ?? `of the form ${s.pattern}`}.`,
        range: doc.locate(path, 'value'),
        path,
      });
    }
  }
  if (t === 'integer' || t === 'number') {
    const n = value as number;
    if (!Number.isFinite(n)) {
      out.push({
        code: 'schema/range',
        severity: 'error',
        message: `\`${keyName(path)}\`: ${hidden ? 'the value' : `\`${doc.source(path) ?? String(n)}\``} ${notFinite(n)}.`,
        range: doc.locate(path, 'value'),
        path,
      });
    } else if ((s.minimum !== undefined && n < s.minimum) || (s.maximum !== undefined && n > s.maximum)) {
      out.push({
        code: 'schema/range',
        severity: 'error',
        message: `\`${keyName(path)}\` must be between ${s.minimum ?? '-∞'} and ${s.maximum ?? '∞'}${hidden ? '' : `, not ${doc.source(path) ?? n}`}.`,
        range: doc.locate(path, 'value'),
        path,
      });
    }
  }
  if (t === 'array') {
    const arr = value as unknown[];
    if (s.minItems !== undefined && arr.length < s.minItems) {
      out.push({ code: 'schema/min-items', severity: 'error', message: `\`${keyName(path)}\` needs at least ${s.minItems} item(s).`, range: doc.locate(path, 'value'), path });
    }
    const seen = new Map<string, number>();
    arr.forEach((item, i) => {
      if (s.uniqueItems) {
        const k = JSON.stringify(item);
        if (seen.has(k)) {
          out.push({
            code: 'schema/duplicate-item',
            severity: 'warning',
            message: `${hidden ? 'An item' : clip(JSON.stringify(item) ?? String(item))} is listed twice in \`${keyName(path)}\`.`,
            range: doc.locate([...path, i], 'value'),
            path: [...path, i],
          });
        } else seen.set(k, i);
      }
      if (s.items) visit(doc, item, s.items, [...path, i], out, hidden);
    });
  }
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (s.minProperties !== undefined && keys.length < s.minProperties) {
      out.push({ code: 'schema/min-items', severity: 'error', message: `\`${keyName(path)}\` needs at least ${s.minProperties} entry.`, range: doc.locate(path), path });
    }
    for (const req of s.required ?? []) {
      if (!Object.hasOwn(obj, req)) {
        out.push({
          code: 'schema/required',
          severity: 'error',
          message: `Missing \`${req}\`${path.length ? ` in \`${keyName(path)}\`` : ''}: ${firstSentence(own(s.properties, req)?.description)}`,
          range: doc.locate(path),
          path: [...path, req],
        });
      }
    }
    for (const k of keys) {
      const child = [...path, k];
      let sub: JsonSchema | undefined = own(s.properties, k);
      if (!sub && s.patternProperties) {
        for (const [p, ps] of Object.entries(s.patternProperties)) if (re(p).test(k)) sub = ps;
      }
      if (!sub) {
        if (s.propertyNames?.pattern && !re(s.propertyNames.pattern).test(k)) {
          out.push({
            code: 'schema/key-pattern',
            severity: 'error',
            message: `\`${clip(k)}\` is not ${s.propertyNames.patternDescription ?? 'a valid name here'}.`,
            range: doc.locate(child),
            path: child,
          });
          continue;
        }
        if (s.additionalProperties === false) {
          const known = Object.keys(s.properties ?? {});
          const sugg = didYouMean(k, known);
          out.push({
            code: 'schema/unknown-key',
            severity: 'error',
            message: `Unknown key \`${clip(k)}\`${path.length ? ` in \`${keyName(path)}\`` : ''}${sugg.length ? ` — did you mean \`${sugg[0]}\`?` : '.'} Known: ${known.join(', ')}.`,
            range: doc.locate(child),
            path: child,
            suggestions: sugg,
          });
          continue;
        }
        if (typeof s.additionalProperties === 'object') sub = s.additionalProperties;
      }
      if (sub) visit(doc, obj[k], sub, child, out, hidden);
    }
  }
}

function firstSentence(d: string | undefined): string {
  if (!d) return 'it is required.';
  const m = /^(.*?[.!?])(\s|$)/.exec(d);
  return m?.[1] ?? d;
}
