import { stringify } from 'yaml';
import { CONFIG_FILES, PROJECT_IDS, ROLE_IDS, SECRET_NAMES, SERVICE_IDS } from '../../src/core/services/registry';
import { fileOptions } from '../../src/core/catalog/options';
import { JsonSchema, topologySchema } from '../../src/core/schema';

/**
 * A structure-aware fuzzer for topologies: mutations of the parsed tree (types swapped, keys deleted,
 * renamed and added with the schema's names and hostile ones, deep nesting, huge values, unicode and
 * control characters, aliases, cycles and alias bombs, Object.prototype names) and of the text (bit
 * flips and invalid UTF-8 bytes, truncation, YAML syntax inserted, lines repeated, dropped or
 * re-indented, keys re-spelt). Case `i` of seed `s` is always the same input.
 */

/** mulberry32: small, seeded, fast. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: R, n: number) => Math.floor(r() * n);

const PROTO = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'propertyIsEnumerable', 'prototype'];
const CHARS = [
  '\u0000',
  '\u001b',
  '\u0007',
  '\u007f',
  '\u0085',
  '\u009b',
  '\ud800',
  '\udfff',
  '\ufffd',
  '\ufeff',
  '\u202e',
  '\u2028',
  '\u00e9',
  '\u540d',
  '\ud83d\ude42',
  '\t',
  '\n',
  '\r',
  '"',
  "'",
  '\\',
  '$',
  '`',
  '#',
  ':',
  '-',
  ' ',
];
const HOSTILE = [
  ...PROTO,
  '',
  ' ',
  'true',
  'True',
  'null',
  '~',
  '1',
  '1.0',
  '0x1F',
  '-',
  '<<',
  '*',
  '&a',
  'a: b',
  '#x',
  "x'y",
  'x"y',
  '${env:X}',
  '${env:constructor}',
  '${',
  '$(reboot)',
  'x; rm -rf /',
  '\u00e9t\u00e9',
  '\u540d\u524d',
  'a\u0000b',
  'a\u001b[31mb',
  '\ud800',
  '\udc00\ud800',
  'x\ny',
  '\ufeffkey',
  '\u202eevil',
  'A'.repeat(300),
];

/** Every name the schema knows, the catalog's, and the sections and options of nova.conf. */
function schemaNames(): string[] {
  const out = new Set<string>();
  const walk = (s: JsonSchema | undefined, depth: number) => {
    if (!s || depth > 8) return;
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      out.add(k);
      walk(v, depth + 1);
    }
    if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, depth + 1);
    walk(s.items, depth + 1);
    for (const e of s.enum ?? []) if (typeof e === 'string') out.add(e);
  };
  walk(topologySchema, 0);
  for (const x of [...SERVICE_IDS, ...ROLE_IDS, ...SECRET_NAMES, ...PROJECT_IDS, ...CONFIG_FILES.map((f) => f.name), 'controller', 'compute1', 'DEFAULT']) out.add(x);
  const nova = fileOptions('zed', 'nova', 'nova.conf') ?? {};
  for (const [section, options] of Object.entries(nova).slice(0, 20)) {
    out.add(section);
    for (const o of Object.keys(options).slice(0, 10)) out.add(o);
  }
  return [...out];
}
const NAMES = schemaNames();

function hostileString(r: R): string {
  switch (int(r, 6)) {
    case 0:
      return pick(r, HOSTILE);
    case 1: {
      let s = '';
      for (let i = int(r, 12); i >= 0; i--) s += r() < 0.5 ? pick(r, CHARS) : String.fromCharCode(32 + int(r, 95));
      return s;
    }
    case 2:
      return pick(r, NAMES) + pick(r, CHARS);
    case 3:
      return pick(r, ['10.0.0.11', '10.0.0.0/24', '10.0.0.255', '0.0.0.0/0', '256.1.1.1', 'pool.ntp.org', 'eth1', 'root', 'zed', 'train', 'debian12', 'centos7', 'x'.repeat(70)]);
    case 4:
      return `Str0ng-${pick(r, HOSTILE)}-Value-1`;
    default:
      return pick(r, NAMES);
  }
}

/** A random value: scalars of every type (with the awkward numbers), lists, mappings, deep nesting, huge values. */
function randomValue(r: R, depth = 0): unknown {
  const k = r();
  if (k < 0.3) return hostileString(r);
  if (k < 0.45) return pick(r, [null, true, false, 0, -0, 1, -1, 1.5, 22, 65536, 2 ** 53 + 1, Infinity, -Infinity, NaN, 1e-300]);
  if (k < 0.55 || depth > 3) return pick(r, NAMES);
  if (k < 0.7) return Array.from({ length: int(r, 4) }, () => randomValue(r, depth + 1));
  if (k < 0.85) return Object.fromEntries(Array.from({ length: int(r, 4) }, () => [r() < 0.7 ? pick(r, NAMES) : hostileString(r), randomValue(r, depth + 1)]));
  if (k < 0.97) {
    // Nesting around the limit of 64 levels, in lists or mappings.
    let v: unknown = pick(r, NAMES);
    for (let i = int(r, 90); i > 0; i--) v = r() < 0.5 ? [v] : { [pick(r, NAMES)]: v };
    return v;
  }
  // Huge, rarely: a long string, a long list, a wide mapping (bench/editor.mjs times 1 MB of each).
  const n = 1000 + int(r, 8000);
  switch (int(r, 3)) {
    case 0:
      return (pick(r, NAMES) + pick(r, CHARS)).repeat(Math.ceil(n / 4));
    case 1:
      return Array.from({ length: n / 10 }, (_, i) => `item-${i}`);
    default:
      return Object.fromEntries(Array.from({ length: n / 10 }, (_, i) => [`key_${i}`, i]));
  }
}

type Tree = Record<string, unknown> | unknown[];
const isTree = (v: unknown): v is Tree => !!v && typeof v === 'object';

/** All containers of the tree with their paths' depth (parents before children). */
function containers(root: Tree): Tree[] {
  const out: Tree[] = [];
  const seen = new Set<unknown>();
  const stack: unknown[] = [root];
  while (stack.length && out.length < 5000) {
    const t = stack.pop();
    if (!isTree(t) || seen.has(t)) continue;
    seen.add(t);
    out.push(t);
    for (const v of Object.values(t)) if (isTree(v)) stack.push(v);
  }
  return out;
}

function keysOf(t: Tree): (string | number)[] {
  return Array.isArray(t) ? t.map((_, i) => i) : Object.keys(t);
}

/** Sets a key as a YAML mapping would have it (an own property, also for `__proto__`). */
function setKey(t: Tree, k: string | number, v: unknown): void {
  if (Array.isArray(t) && typeof k === 'number') t[k] = v;
  else Object.defineProperty(t, k, { value: v, enumerable: true, writable: true, configurable: true });
}

const TREE_OPS = ['swap', 'swap', 'delete', 'rename', 'rename', 'add', 'add', 'nest', 'share', 'cycle', 'bomb', 'chars', 'move'] as const;

/** Applies 1-4 structural mutations; returns their names. */
function mutateTree(root: Record<string, unknown>, r: R): string[] {
  const done: string[] = [];
  for (let n = 1 + int(r, 4); n > 0; n--) {
    const all = containers(root);
    const t = pick(r, all);
    const keys = keysOf(t);
    const key = keys.length ? pick(r, keys) : undefined;
    const op = pick(r, TREE_OPS);
    done.push(op);
    switch (op) {
      case 'swap':
        if (key !== undefined) setKey(t, key, randomValue(r));
        break;
      case 'delete':
        if (key !== undefined) {
          if (Array.isArray(t)) t.splice(key as number, 1);
          else delete t[key as string];
        }
        break;
      case 'rename':
        if (key !== undefined && !Array.isArray(t)) {
          const v = t[key as string];
          delete t[key as string];
          setKey(t, r() < 0.5 ? pick(r, NAMES) : hostileString(r), v);
        }
        break;
      case 'add':
        if (Array.isArray(t)) t.push(randomValue(r));
        else setKey(t, r() < 0.6 ? pick(r, NAMES) : r() < 0.5 ? pick(r, PROTO) : hostileString(r), randomValue(r));
        break;
      case 'nest':
        if (key !== undefined) {
          let v = (t as Record<string | number, unknown>)[key];
          for (let i = 1 + int(r, 80); i > 0; i--) v = r() < 0.5 ? [v] : { [pick(r, NAMES)]: v };
          setKey(t, key, v);
        }
        break;
      case 'share': {
        // The same object in two places: yaml writes an anchor and an alias.
        const other = pick(r, all);
        if (key !== undefined && other !== root) setKey(t, key, other);
        break;
      }
      case 'cycle': {
        // A value that holds itself: a recursive alias.
        const inner = pick(r, containers(t));
        if (Array.isArray(inner)) inner.push(t);
        else setKey(inner, pick(r, NAMES), t);
        break;
      }
      case 'bomb': {
        let lol: unknown = ['lol'];
        for (let i = 2 + int(r, 8); i > 0; i--) lol = Array.from({ length: 2 + int(r, 9) }, () => lol);
        if (key !== undefined) setKey(t, key, lol);
        break;
      }
      case 'chars':
        if (key !== undefined) {
          const v = (t as Record<string | number, unknown>)[key];
          const s = typeof v === 'string' ? v : String(key);
          const at = int(r, s.length + 1);
          const bad = s.slice(0, at) + pick(r, CHARS) + s.slice(at);
          if (typeof v === 'string' || Array.isArray(t)) setKey(t, key, bad);
          else {
            delete t[key as string];
            setKey(t, bad, v);
          }
        }
        break;
      case 'move': {
        // A subtree where another one belongs (a node under `config`, `nodes` under a node...).
        const other = pick(r, all);
        const okeys = keysOf(other);
        if (key !== undefined && okeys.length) setKey(t, key, structuredCloneSafe((other as Record<string | number, unknown>)[pick(r, okeys)]));
        break;
      }
    }
  }
  return done;
}

function structuredCloneSafe(v: unknown): unknown {
  try {
    return structuredClone(v);
  } catch {
    return v;
  }
}

/** Values a topology accepts that are awkward where they land: quotes, `$`, backslashes, unicode, length. */
const AWKWARD = [
  "a'b",
  'a"b',
  'a$b$$c',
  'a`id`b',
  'a\\b',
  'a b  c',
  'p@ss:w/rd%20?#&',
  '\u00e9t\u00e9-\u540d\u524d-\ud83d\ude42',
  '${HOME}',
  '$(reboot)',
  '<secret:ADMIN_PASS>',
  '{ADMIN_PASS}',
  '-x',
  ' lead',
  'trail ',
  'Q'.repeat(5000),
];

/** Mutations a valid topology survives, so that render, plan and runbook see awkward but valid input. */
function mutateValid(root: Record<string, unknown>, r: R): string[] {
  const done: string[] = [];
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const nodes = obj(root.nodes) ?? {};
  const names = Object.keys(nodes);
  for (let n = 1 + int(r, 3); n > 0; n--) {
    const op = pick(r, ['secret', 'option', 'option', 'node', 'share', 'rename', 'list'] as const);
    done.push(`valid-${op}`);
    switch (op) {
      case 'secret': {
        const secrets = obj(root.secrets);
        const k = secrets && pick(r, Object.keys(secrets));
        if (secrets && k && typeof secrets[k] === 'string' && !String(secrets[k]).startsWith('${')) secrets[k] = `${pick(r, AWKWARD)}-Str0ng-1`;
        break;
      }
      case 'option': {
        const nova = fileOptions('zed', 'nova', 'nova.conf') ?? {};
        const section = pick(r, ['DEFAULT', 'api', 'scheduler', 'filter_scheduler', 'libvirt', 'oslo_messaging_rabbit']);
        const options = Object.keys(nova[section] ?? {});
        if (!options.length) break;
        const scope = r() < 0.5 || !names.length ? root : obj(nodes[pick(r, names)]);
        if (!scope) break;
        const config = (scope.config = obj(scope.config) ?? {}) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
        const file = ((config.nova ??= {})['nova.conf'] ??= {});
        (file[section] ??= {})[pick(r, options)] = pick(r, [pick(r, AWKWARD), int(r, 100000), r() < 0.5, [pick(r, AWKWARD), 'b'], null]);
        break;
      }
      case 'node':
        nodes[`n${int(r, 1000)}`] = { address: `10.0.0.${100 + int(r, 150)}`, roles: ['compute'] };
        break;
      case 'share': {
        // Two nodes with the same roles list or config: an anchor and its alias in the text.
        const [a, b] = [obj(nodes[pick(r, names)]), obj(nodes[pick(r, names)])];
        if (a && b && a !== b) b[r() < 0.5 ? 'roles' : 'config'] = a[r() < 0.5 ? 'roles' : 'config'] ?? a.roles;
        break;
      }
      case 'rename': {
        const k = pick(r, names);
        if (!k) break;
        const v = nodes[k];
        delete nodes[k];
        nodes[pick(r, ['constructor', 'a', 'x-y', 'n'.repeat(63), 'node1', 'tostring', 'proto'])] = v;
        break;
      }
      case 'list': {
        const ntp = (root.ntp = obj(root.ntp) ?? {});
        ntp.servers = Array.from({ length: 1 + int(r, 30) }, (_, i) => `ntp${i}.example.org`);
        break;
      }
    }
  }
  return done;
}

const SYNTAX = [
  ':',
  ': ',
  '- ',
  '? ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '&a ',
  '*a',
  '&b [*a, *a, *a] ',
  '!!str ',
  '!!binary ',
  '!foo ',
  '|',
  '>-',
  '#',
  '\t',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '<<: *a\n',
  '~',
  '1e400',
  '0x1F',
  '.nan',
  '"\\0"',
  '"\\ud800"',
  '"\\e"',
  '\r\n',
  '\ufeff',
  '\u0000',
  '\\',
  '${env:',
  '@',
  '`',
  '%',
];

/** Applies 1-4 text mutations, some on the UTF-8 bytes (decoded back as the CLI reads a file). */
function mutateText(text: string, r: R): { text: string; ops: string[] } {
  const ops: string[] = [];
  for (let n = 1 + int(r, 4); n > 0; n--) {
    const lines = text.split('\n');
    const i = int(r, lines.length);
    const op = pick(r, ['flip', 'bytes', 'truncate', 'syntax', 'syntax', 'dupline', 'dropline', 'indent', 'respell', 'swaplines'] as const);
    ops.push(op);
    switch (op) {
      case 'flip':
      case 'bytes': {
        const b = Buffer.from(text, 'utf8');
        if (!b.length) break;
        const at = int(r, b.length);
        const bytes = op === 'flip' ? Buffer.from([b[at] ^ (1 << int(r, 8))]) : Buffer.from(pick(r, [[0x80], [0xc3], [0xff], [0xed, 0xa0, 0x80], [0xe2, 0x28, 0xa1], [0xf0, 0x9f], [0x00]]));
        text = Buffer.concat([b.subarray(0, at), bytes, b.subarray(op === 'flip' ? at + 1 : at)]).toString('utf8');
        break;
      }
      case 'truncate':
        text = text.slice(0, int(r, text.length + 1));
        break;
      case 'syntax': {
        const l = lines[i] ?? '';
        const at = int(r, l.length + 1);
        lines[i] = l.slice(0, at) + pick(r, SYNTAX) + l.slice(at);
        text = lines.join('\n');
        break;
      }
      case 'dupline':
        lines.splice(i, 0, lines[int(r, lines.length)] ?? '');
        text = lines.join('\n');
        break;
      case 'dropline':
        lines.splice(i, 1);
        text = lines.join('\n');
        break;
      case 'indent':
        lines[i] = r() < 0.5 ? (lines[i] ?? '').replace(/^ {1,2}/, '') : ' '.repeat(1 + int(r, 4)) + (lines[i] ?? '');
        text = lines.join('\n');
        break;
      case 'respell': {
        // The same key spelt another way, on a repeated line: `true` / "true", 1 / "1", ~ / "".
        const m = /^(\s*)([^\s:#][^:#]*?):(\s|$)/.exec(lines[i] ?? '');
        if (m)
          lines.splice(
            i + 1,
            0,
            `${m[1]}${pick(r, [`"${m[2]}"`, `'${m[2]}'`, '~', '""', 'true', '"true"', '1', '"1"', '1.0', '? ' + m[2] + '\n' + m[1]])}:${lines[i].slice(m[0].length - m[3].length)}`,
          );
        text = lines.join('\n');
        break;
      }
      case 'swaplines': {
        const j = int(r, lines.length);
        [lines[i], lines[j]] = [lines[j], lines[i]];
        text = lines.join('\n');
        break;
      }
    }
  }
  return { text, ops };
}

export interface FuzzCase {
  text: string;
  /** How it was made: `tree:swap,nest+text:flip`... */
  kind: string;
  env: Record<string, string>;
}

const ENVS: Record<string, string>[] = [
  {},
  { OSTOPO_ADMIN_PASS: 'Fuzz-Admin-Pass-1', OSTOPO_DEMO_PASS: 'Fuzz-Demo-Pass-1' },
  { OSTOPO_ADMIN_PASS: 'a\'b"c$d`e\\f g@h:i/j%k', OSTOPO_DEMO_PASS: 'x\ny', OSTOPO_RABBIT_PASS: '' },
];

/** The case `index` of the run seeded `seed`, made from the seed topologies' texts (and their parsed values). */
export function makeCase(seeds: { text: string; value: unknown }[], seed: number, index: number): FuzzCase {
  const r = prng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const base = pick(r, seeds);
  const env = pick(r, ENVS);
  const mode = r();
  if (mode < 0.35) {
    const m = mutateText(base.text, r);
    return { text: m.text, kind: `text:${m.ops.join(',')}`, env };
  }
  if (mode < 0.92) {
    const tree = structuredClone(base.value) as Record<string, unknown>;
    // A third of the tree cases keep the topology valid, so render, plan and runbook get to see them.
    const ops = r() < 0.35 ? mutateValid(tree, r) : mutateTree(tree, r);
    let text: string;
    try {
      text = stringify(tree, { lineWidth: 0 });
    } catch {
      text = base.text;
    }
    if (!ops[0].startsWith('valid') && r() < 0.3) {
      const m = mutateText(text, r);
      return { text: m.text, kind: `tree:${ops.join(',')}+text:${m.ops.join(',')}`, env };
    }
    return { text, kind: `tree:${ops.join(',')}`, env };
  }
  // Garbage: YAML syntax and characters in any order.
  let text = '';
  for (let k = int(r, 300); k > 0; k--) text += r() < 0.6 ? pick(r, SYNTAX) : r() < 0.5 ? pick(r, NAMES) : pick(r, CHARS);
  return { text, kind: 'garbage', env };
}
