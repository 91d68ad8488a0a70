import { Alias, isAlias, isMap, isPair, isScalar, isSeq, Node, Pair } from 'yaml';
import { Finding } from './findings';
import { invalidCharacter } from './text';
import { t } from './l10n';

export type YamlPath = (string | number)[];

/**
 * Where a path stands in the text, as offsets (ParsedDocument turns them into line and column when
 * asked): the key, for values under a key (`ks` is -1 otherwise), and the value (for an empty value, an
 * empty range right after its key).
 */
export interface RawLocation {
  /** What stands at the path: `none` for a key without a value node. */
  kind: 'scalar' | 'map' | 'seq' | 'alias' | 'none';
  ks: number;
  ke: number;
  vs: number;
  ve: number;
}

/** Most values aliases may add to a document, all aliases together: far more than a topology needs, far less than an alias bomb. */
export const MAX_ALIAS_EXPANSION = 10_000;

/** What the walk needs from the document it walks. */
export interface WalkSink {
  text: string;
  /** One-based line of an offset. */
  lineOf(offset: number): number;
  index(key: string, at: RawLocation): void;
  /** A finding at offsets `start`-`end` about the value at path key `pkey`. */
  report(f: Omit<Finding, 'range' | 'path'>, start: number, end: number, pkey?: string): void;
}

/**
 * Path segments joined into one string key per path (ParsedDocument.get). A key of the file may hold
 * any character, the separator too: in a segment, `\` and the separator are escaped, so every key
 * splits back into its path (`unsegment`).
 */
export const SEP = '\u0001';
const ESCAPED = /[\\\u0001]/;
export const segment = (p: string | number) => (typeof p === 'number' ? `#${p}` : ESCAPED.test(p) ? `.${p.replace(/[\\\u0001]/g, (c) => (c === '\\' ? '\\\\' : '\\1'))}` : `.${p}`);
export const unsegment = (s: string): string | number =>
  s[0] === '#' ? Number(s.slice(1)) : s.includes('\\') ? s.slice(1).replace(/\\([\\1])/g, (_, c: string) => (c === '1' ? SEP : '\\')) : s.slice(1);
/** The path key of `seg` under the path key `parent` (only the root's is empty). */
export const childKey = (parent: string, seg: string | number) => (parent === '' ? segment(seg) : parent + SEP + segment(seg));

type Container = Record<string, unknown> | unknown[];
type Slot = string | number;
type Frame =
  | { t: 'node'; node: Node; pkey: string; depth: number; ks: number; ke: number; into: Container; slot: Slot }
  | { t: 'pair'; pair: Pair; seen: Map<string, Node | null>; pkey: string; depth: number; at: number; into: Record<string, unknown> }
  | { t: 'exit'; node: Node; start: number };

/** A property as `doc.toJS()` sets it: an own property, also for names such as `__proto__` or `constructor`. */
export function put(into: Container, slot: Slot, value: unknown): void {
  if (Array.isArray(into)) into[slot as number] = value;
  else if (slot in into) Object.defineProperty(into, slot, { value, writable: true, enumerable: true, configurable: true });
  else into[slot as string] = value;
}

/**
 * The one pass over the YAML tree that every key and value goes through, in document order. It builds
 * the value (plain objects, arrays, strings, numbers, booleans and nulls, as `doc.toJS()` would), locates
 * each path, and reports keys that repeat in a mapping (also when spelt differently: `true` and
 * `"true"`), characters no topology may hold, and aliases that refer to nothing, to the value that holds
 * them, or expand too much. Iterative, so no nesting overflows the stack; linear in the document's size.
 * Returns undefined for the value when aliases make the document unreadable.
 */
export function walkDocument(root: Node | null, sink: WalkSink): { value: unknown } {
  const anchors = new Map<string, Node>();
  /** JavaScript values of anchored nodes (what an alias stands for) and how many values each holds. */
  const values = new Map<Node, unknown>();
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  let count = 0;
  let expanded = 0;
  let readable = true;
  const holder: Record<string, unknown> = {};
  const stack: Frame[] = [];
  if (root) stack.push({ t: 'node', node: root, pkey: '', depth: 0, ks: -1, ke: -1, into: holder, slot: 'value' });
  else holder.value = null;

  const checkText = (n: Node, pkey: string, what: 'key' | 'value') => {
    if (!isScalar(n) || typeof n.value !== 'string' || !n.range) return;
    const bad = invalidCharacter(n.value);
    if (!bad) return;
    const message =
      what === 'key'
        ? t('This key contains {0}. No key or value of a topology may hold it: it would corrupt or forge text in the files and commands ostopo writes.', bad)
        : t('This value contains {0}. No key or value of a topology may hold it: it would corrupt or forge text in the files and commands ostopo writes.', bad);
    sink.report({ code: 'value/invalid-character', severity: 'error', message }, n.range[0], n.range[1], pkey);
  };

  const anchored = (n: Node, v: unknown) => {
    if (!n.anchor) return;
    anchors.set(n.anchor, n);
    values.set(n, v);
    if (isScalar(n)) sizes.set(n, 1);
    else {
      open.add(n);
      stack.push({ t: 'exit', node: n, start: count - 1 });
    }
  };

  /** Resolves an alias in document order; undefined when it cannot be read (reported here). */
  const alias = (a: Alias, pkey: string): Node | undefined => {
    const target = anchors.get(a.source);
    const fail = (message: string) => {
      sink.report({ code: 'yaml/alias', severity: 'error', message }, a.range?.[0] ?? 0, a.range?.[1] ?? 0, pkey);
      readable = false;
      return undefined;
    };
    if (!target) return fail(t('`*{0}` refers to no anchor: write `&{0}` on a value before this alias.', a.source));
    if (open.has(target)) return fail(t('`*{0}` stands inside the value anchored as `&{0}`: that value would contain itself.', a.source));
    const size = sizes.get(target) ?? 1;
    count += size;
    expanded += size;
    if (expanded > MAX_ALIAS_EXPANSION && readable) {
      const n = (x: number) => x.toLocaleString('en-US');
      return fail(
        t(
          'Aliases expand too much: `*{0}` stands for {1} value(s), and with the aliases before it the document would hold {2} more values than it spells out (ostopo reads at most {3}). Aliases of values that hold aliases multiply (a "billion laughs"): write the values out instead.',
          a.source,
          n(size),
          n(expanded),
          n(MAX_ALIAS_EXPANSION),
        ),
      );
    }
    return target;
  };

  while (stack.length) {
    const f = stack.pop()!;
    if (f.t === 'exit') {
      open.delete(f.node);
      sizes.set(f.node, count - f.start);
    } else if (f.t === 'pair') pair(f);
    else node(f);
  }
  return { value: readable ? holder.value : undefined };

  function node(f: Extract<Frame, { t: 'node' }>): void {
    const { node: n, pkey, depth } = f;
    const [vs, ve] = n.range ? [n.range[0], n.range[1]] : f.ks >= 0 ? [f.ke, f.ke] : [0, 0];
    sink.index(pkey, { kind: isAlias(n) ? 'alias' : isMap(n) ? 'map' : isSeq(n) ? 'seq' : 'scalar', ks: f.ks, ke: f.ke, vs, ve });
    count++;
    if (isAlias(n)) {
      const target = alias(n, pkey);
      put(f.into, f.slot, target ? values.get(target) : undefined);
      return;
    }
    if (isMap(n)) {
      const obj: Record<string, unknown> = {};
      put(f.into, f.slot, obj);
      anchored(n, obj);
      const seen = new Map<string, Node | null>();
      for (let i = n.items.length - 1; i >= 0; i--) {
        const item = n.items[i];
        if (isPair(item)) stack.push({ t: 'pair', pair: item, seen, pkey, depth, at: vs, into: obj });
      }
    } else if (isSeq(n)) {
      const arr: unknown[] = new Array(n.items.length).fill(null);
      put(f.into, f.slot, arr);
      anchored(n, arr);
      for (let i = n.items.length - 1; i >= 0; i--) {
        const item = n.items[i] as Node | null;
        if (item) stack.push({ t: 'node', node: item, pkey: childKey(pkey, i), depth: depth + 1, ks: -1, ke: -1, into: arr, slot: i });
      }
    } else {
      const v = isScalar(n) ? (n.value === undefined ? null : n.value) : null;
      put(f.into, f.slot, v);
      anchored(n, v);
      checkText(n, pkey, 'value');
    }
  }

  function pair(f: Extract<Frame, { t: 'pair' }>): void {
    const { pair: item, seen, pkey, depth } = f;
    const k = item.key as Node | null;
    const ks = k?.range ? k.range[0] : -1;
    const ke = k?.range ? k.range[1] : -1;
    count++;
    // The key as the property name `doc.toJS()` gives it; undefined for keys that are no name.
    let name: string | undefined = '';
    let keyNode: Node | null | undefined = k;
    if (k && isAlias(k)) keyNode = alias(k, pkey);
    else if (k) anchored(k, isScalar(k) ? k.value : undefined);
    if (keyNode === undefined) name = undefined;
    else if (keyNode && !isScalar(keyNode)) {
      name = undefined;
      sink.report({ code: 'yaml/complex-key', severity: 'error', message: t('A key must be a plain name, not a list or mapping.') }, ks >= 0 ? ks : f.at, ks >= 0 ? ke : f.at);
    } else if (keyNode) name = jsKey(keyNode.value);
    const ck = childKey(pkey, name ?? '');
    if (k && !isAlias(k)) checkText(k, ck, 'key');
    if (name !== undefined) {
      const first = seen.get(name);
      if (first !== undefined) duplicate(k, first, name, ck, ks >= 0 ? ks : f.at, ks >= 0 ? ke : f.at);
      else seen.set(name, k);
    }
    // A key that is no name keeps its value out of the document (it is an error).
    const into = name === undefined ? {} : f.into;
    const v = item.value as Node | null;
    if (v) stack.push({ t: 'node', node: v, pkey: ck, depth: depth + 1, ks, ke, into, slot: name ?? '' });
    else {
      const end = ks >= 0 ? ke : f.at;
      sink.index(ck, { kind: 'none', ks, ke, vs: end, ve: end });
      put(into, name ?? '', null);
    }
  }

  function duplicate(k: Node | null, first: Node | null, name: string, pkey: string, start: number, end: number): void {
    const spell = (n: Node | null) => (n?.range ? sink.text.slice(n.range[0], n.range[1]).trimEnd() : '');
    const quote = (s: string) => (s ? `\`${s}\`` : t('an empty key'));
    const [spelt, firstSpelt] = [spell(k), spell(first)];
    const line = first?.range ? sink.lineOf(first.range[0]) : undefined;
    const readAs = name === '' ? t('the empty key') : `\`${name}\``;
    const same = spelt === firstSpelt;
    const message = !line
      ? same
        ? t('Duplicate key: {0} is already in this mapping, and each key may appear once (the later one would silently win).', quote(spelt))
        : t('{0} is the same key as {1}: both read as {2}. Each key may appear once in a mapping (the later one would silently win).', quote(spelt), quote(firstSpelt), readAs)
      : same
        ? t('Duplicate key: {0} is already on line {1} in this mapping, and each key may appear once (the later one would silently win).', quote(spelt), line)
        : t('{0} is the same key as {1} on line {2}: both read as {3}. Each key may appear once in a mapping (the later one would silently win).', quote(spelt), quote(firstSpelt), line, readAs);
    sink.report({ code: 'yaml/duplicate-key', severity: 'error', message }, start, end, pkey);
  }
}

/** The property name `doc.toJS()` gives a scalar key: `~` and `null` are the empty name, `1.0` is `1`. */
export function jsKey(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}
