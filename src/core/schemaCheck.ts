import { clip, didYouMean, Finding, FindingCode } from './findings';
import { own } from './own';
import { ParsedDocument, YamlPath } from './parse';
import { JsonSchema, JsonType, localSchema } from './schema';
import * as l10n from './l10n';

/**
 * Checks a parsed topology against the JSON Schema, with every finding placed on the offending key or
 * value. Implements the keywords the schema uses (it has no oneOf/anyOf/$ref), so messages can be exact.
 */
export function checkSchema(doc: ParsedDocument, schema: JsonSchema = localSchema()): Finding[] {
  const out: Finding[] = [];
  if (doc.value === undefined || doc.value === null) {
    if (!doc.findings.some((f) => f.severity === 'error')) {
      out.push({ code: 'schema/empty', severity: 'error', message: l10n.t('The topology is empty: start with `ostopo: 1`, `name`, `release`, `os` and `nodes`.'), range: doc.locate([]) });
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

export const TYPE_WORDS: Record<JsonType, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
  null: 'empty',
};

/** A type in the locale's words (TYPE_WORDS are the English ones, and the keys of the translations). */
export const typeWord = (t: JsonType): string => l10n.t(TYPE_WORDS[t]);

function describeTypes(t: JsonType | JsonType[]): string {
  const list = Array.isArray(t) ? t : [t];
  return list.map(typeWord).join(l10n.t(' or '));
}

/**
 * A value as a message shows it: as the file spells it (`1e400`, `"22"`), with what it reads as when
 * that is not plain (a number too large for any number type is out of range, not "null").
 */
function shown(doc: ParsedDocument, path: YamlPath, value: unknown, t: JsonType): string {
  if (t === 'object' || t === 'array') return typeWord(t);
  const written = clip(doc.source(path) ?? JSON.stringify(value));
  if (typeof value === 'number' && !Number.isFinite(value)) return l10n.t('`{0}`, which {1}', written, notFinite(value));
  return `${typeWord(t)} (${written})`;
}

function notFinite(n: number): string {
  return Number.isNaN(n) ? l10n.t('is not a number') : l10n.t('is out of range (it is not a finite number)');
}

function keyName(path: YamlPath): string {
  return path.length ? clip(String(path[path.length - 1])) : l10n.t('the document');
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
    const what = t === 'object' || t === 'array' || hidden ? typeWord(t) : shown(doc, path, value, t);
    const quote = hidden && s.type === 'string' && t !== 'object' && t !== 'array' && t !== 'null' ? l10n.t(': put it in quotes') : '';
    out.push({
      code: 'schema/type',
      severity: 'error',
      message: l10n.t('`{0}` must be {1}, not {2}{3}.', keyName(path), describeTypes(s.type), what, quote),
      range: doc.locate(path, 'value'),
      path,
    });
    return;
  }
  if (s.const !== undefined && value !== s.const) {
    out.push({
      code: 'schema/const',
      severity: 'error',
      message: l10n.t('`{0}` must be {1}.', keyName(path), JSON.stringify(s.const)),
      range: doc.locate(path, 'value'),
      path,
      suggestions: [String(s.const)],
    });
    return;
  }
  if (s.enum && !s.enum.includes(value)) {
    const choices = s.enum.map(String);
    const sugg = typeof value === 'string' && !hidden ? didYouMean(value, choices) : [];
    const ref = s['x-ostopo-ref'];
    const what = hidden
      ? l10n.t('This value is not allowed for `{0}`', keyName(path))
      : ref === 'node'
        ? l10n.t('Unknown node `{0}`', clip(String(value)))
        : ref === 'service'
          ? l10n.t('Unknown service `{0}`', clip(String(value)))
          : ref === 'role'
            ? l10n.t('Unknown role `{0}`', clip(String(value)))
            : l10n.t('`{0}` is not allowed for `{1}`', clip(String(value)), keyName(path));
    out.push({
      code: refCode(s, 'schema/enum'),
      severity: 'error',
      message: what + (sugg.length ? l10n.t(' — did you mean `{0}`?', sugg[0]!) : '') + l10n.t(' Allowed: {0}.', choices.join(', ')),
      range: doc.locate(path, 'value'),
      path,
      suggestions: sugg,
    });
    return;
  }
  if (t === 'string') {
    const str = value as string;
    if (s.minLength !== undefined && str.length < s.minLength) {
      out.push({ code: 'schema/length', severity: 'error', message: l10n.t('`{0}` must not be empty.', keyName(path)), range: doc.locate(path, 'value'), path });
    } else if (s.maxLength !== undefined && str.length > s.maxLength) {
      out.push({ code: 'schema/length', severity: 'error', message: l10n.t('`{0}` is longer than {1} characters.', keyName(path), s.maxLength), range: doc.locate(path, 'value'), path });
    } else if (s.pattern && !re(s.pattern).test(str)) {
      const meta = SHELL_META.exec(str);
      const form = s.patternDescription ? l10n.t(s.patternDescription) : l10n.t('of the form {0}', s.pattern);
      out.push({
        code: meta ? 'value/shell-metacharacters' : 'schema/pattern',
        severity: 'error',
        message: hidden
          ? l10n.t('`{0}` is not {1}.', keyName(path), form)
          : meta
            ? l10n.t(
                '`{0}` contains {1}, which ostopo refuses in values that reach commands and config files; it must be {2}.',
                keyName(path),
                meta[0] === '\n' ? l10n.t('a line break') : `\`${meta[0]}\``,
                form,
              )
            : l10n.t('`{0}`: {1} is not {2}.', keyName(path), clip(JSON.stringify(str)), form),
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
        message: l10n.t('`{0}`: {1} {2}.', keyName(path), hidden ? l10n.t('the value') : `\`${doc.source(path) ?? String(n)}\``, notFinite(n)),
        range: doc.locate(path, 'value'),
        path,
      });
    } else if ((s.minimum !== undefined && n < s.minimum) || (s.maximum !== undefined && n > s.maximum)) {
      out.push({
        code: 'schema/range',
        severity: 'error',
        message: hidden
          ? l10n.t('`{0}` must be between {1} and {2}.', keyName(path), s.minimum ?? '-∞', s.maximum ?? '∞')
          : l10n.t('`{0}` must be between {1} and {2}, not {3}.', keyName(path), s.minimum ?? '-∞', s.maximum ?? '∞', doc.source(path) ?? n),
        range: doc.locate(path, 'value'),
        path,
      });
    }
  }
  if (t === 'array') {
    const arr = value as unknown[];
    if (s.minItems !== undefined && arr.length < s.minItems) {
      out.push({ code: 'schema/min-items', severity: 'error', message: l10n.t('`{0}` needs at least {1} item(s).', keyName(path), s.minItems), range: doc.locate(path, 'value'), path });
    }
    const seen = new Map<string, number>();
    arr.forEach((item, i) => {
      if (s.uniqueItems) {
        const k = JSON.stringify(item);
        if (seen.has(k)) {
          out.push({
            code: 'schema/duplicate-item',
            severity: 'warning',
            message: l10n.t('{0} is listed twice in `{1}`.', hidden ? l10n.t('An item') : clip(JSON.stringify(item) ?? String(item)), keyName(path)),
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
      out.push({ code: 'schema/min-items', severity: 'error', message: l10n.t('`{0}` needs at least {1} entry.', keyName(path), s.minProperties), range: doc.locate(path), path });
    }
    for (const req of s.required ?? []) {
      if (!Object.hasOwn(obj, req)) {
        out.push({
          code: 'schema/required',
          severity: 'error',
          message: (path.length ? l10n.t('Missing `{0}` in `{1}`: ', req, keyName(path)) : l10n.t('Missing `{0}`: ', req)) + firstSentence(own(s.properties, req)?.description),
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
            message: l10n.t('`{0}` is not {1}.', clip(k), s.propertyNames.patternDescription ? l10n.t(s.propertyNames.patternDescription) : l10n.t('a valid name here')),
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
            message:
              (path.length ? l10n.t('Unknown key `{0}` in `{1}`', clip(k), keyName(path)) : l10n.t('Unknown key `{0}`', clip(k))) +
              (sugg.length ? l10n.t(' — did you mean `{0}`?', sugg[0]!) : '.') +
              l10n.t(' Known: {0}.', known.join(', ')),
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
  if (!d) return l10n.t('it is required.');
  const text = l10n.t(d);
  // The first sentence, in either language (。 ends a Chinese one).
  const m = /^(.*?[.!?。！？])(\s|$|(?<=[。！？]))/.exec(text);
  return m?.[1] ?? text;
}
