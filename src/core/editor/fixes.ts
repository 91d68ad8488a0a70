import { isServiceId } from '../services/registry';
import { Analysis } from '../compile';
import { Finding, FindingCode, Fix, FixEdit, Position } from '../findings';
import { ipv4ToInt, parseCidr } from '../net';
import { own } from '../own';
import { KEYCHAIN_REF } from '../model';
import { generateSecretFor } from '../secrets';
import { t } from '../l10n';

const REPLACEABLE = new Set<FindingCode>([
  'schema/enum',
  'schema/const',
  'schema/unknown-key',
  'ref/unknown-node',
  'ref/unknown-service',
  'ref/unknown-role',
  'secret/unknown-name',
  'config/unknown-option',
  'config/unknown-section',
  'profile/unsupported',
  'config/file-not-in-profile',
]);

const lineText = (text: string, line: number) => text.split(/\r?\n/)[line] ?? '';
const at = (line: number, character: number): Position => ({ line, character });
const insert = (p: Position, newText: string): FixEdit => ({ range: { start: p, end: p }, newText });

/**
 * Insert a `NAME: value` line as the last entry of `secrets:` (or a new `secrets:` block at the end);
 * undefined when `secrets` has entries that are not written out (an alias).
 */
function addSecretEdit(a: Analysis, name: string, value: string): FixEdit | undefined {
  const sec = a.doc.get(['secrets']);
  // The entries of `secrets` when it is a mapping (it may be anything while it is being typed).
  const secrets = own(a.doc.value && typeof a.doc.value === 'object' ? (a.doc.value as Record<string, unknown>) : undefined, 'secrets');
  const entries = secrets && typeof secrets === 'object' && !Array.isArray(secrets) ? Object.keys(secrets) : [];
  const lastName = entries[entries.length - 1];
  const last = lastName === undefined ? undefined : a.doc.get(['secrets', lastName]);
  if (sec && sec.key && last?.key) {
    return insert(at(last.value.end.line + 1, 0), `${' '.repeat(last.key.start.character)}${name}: ${value}\n`);
  }
  if (entries.length) return undefined;
  if (sec && sec.key) return { range: { start: sec.key.end, end: sec.value.end }, newText: `:\n  ${name}: ${value}` };
  const lines = a.doc.text.split(/\r?\n/);
  const end = a.doc.text.endsWith('\n') ? lines.length - 1 : lines.length;
  return insert(at(end, 0), `${a.doc.text.endsWith('\n') || !a.doc.text ? '' : '\n'}secrets:\n  ${name}: ${value}\n`);
}

/**
 * The edit that makes `secrets.NAME` read `${keychain}` (its value kept in VS Code's SecretStorage):
 * the value of an existing entry replaced, or a new entry; none when it reads so already.
 */
export function keychainEdit(a: Analysis, name: string): FixEdit | undefined {
  const s = a.cloud.secrets.get(name);
  if (s?.keychain) return undefined;
  const entry = s && !s.file ? a.doc.get(['secrets', name]) : undefined;
  if (entry) return { range: { start: entry.value.start, end: entry.value.end }, newText: KEYCHAIN_REF };
  return addSecretEdit(a, name, KEYCHAIN_REF);
}

/** Add a service to a node's `services` (flow or block list), or a new `services:` line. */
function addServiceEdit(a: Analysis, node: string, service: string): FixEdit | undefined {
  const list = a.doc.get(['nodes', node, 'services']);
  const raw = own((a.doc.value as { nodes?: Record<string, { services?: unknown }> })?.nodes, node)?.services;
  if (list && Array.isArray(raw)) {
    const t = lineText(a.doc.text, list.value.start.line);
    if (t[list.value.start.character] === '[') {
      const close = { line: list.value.end.line, character: list.value.end.character - 1 };
      return insert(close, raw.length ? `, ${service}` : service);
    }
    const lastItem = a.doc.get(['nodes', node, 'services', raw.length - 1]);
    if (lastItem) return insert(at(lastItem.value.end.line + 1, 0), `${' '.repeat(lastItem.value.start.character - 2)}- ${service}\n`);
  }
  const addr = a.doc.get(['nodes', node, 'address']);
  if (!addr?.key) return undefined;
  return insert(at(addr.value.end.line + 1, 0), `${' '.repeat(addr.key.start.character)}services: [${service}]\n`);
}

/**
 * Remove item `index` of the list at `path`: from a flow list with its comma, from a block list its
 * whole line. Undefined when the list is not written out where the path says.
 */
function removeItemEdit(a: Analysis, path: (string | number)[], index: number): FixEdit | undefined {
  const list = a.doc.get(path);
  const item = a.doc.get([...path, index]);
  if (!list || !item) return undefined;
  const text = a.doc.text;
  const lines = text.split(/\r?\n/);
  const flow = lineText(text, list.value.start.line)[list.value.start.character] === '[';
  if (!flow) {
    const line = item.value.start.line;
    // The item's line only when it holds nothing else (`- glance`, maybe a comment).
    if (!/^\s*-\s*\S+\s*(#.*)?$/.test(lines[line] ?? '')) return undefined;
    return { range: { start: at(line, 0), end: at(line + 1, 0) }, newText: '' };
  }
  const prev = index > 0 ? a.doc.get([...path, index - 1]) : undefined;
  const next = a.doc.get([...path, index + 1]);
  // `[a, glance]` -> `[a]`; `[glance, b]` -> `[b]`; `[glance]` -> `[]`.
  if (prev) return { range: { start: prev.value.end, end: item.value.end }, newText: '' };
  if (next) return { range: { start: item.value.start, end: next.value.start }, newText: '' };
  return { range: item.value, newText: '' };
}

/** A free host address in the management network, for a duplicate address. */
function freeAddress(a: Analysis): string | undefined {
  const c = a.cloud.managementCidr ? parseCidr(a.cloud.managementCidr) : undefined;
  if (!c || c.prefix > 30) return undefined;
  const used = new Set(a.cloud.nodes.map((n) => ipv4ToInt(n.address)));
  const size = 2 ** (32 - c.prefix);
  for (let i = 11; i < Math.min(size - 1, 65536); i++) {
    const ip = (c.network + i) >>> 0;
    if (!used.has(ip)) return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
  }
  return undefined;
}

/** The node that should carry a missing prerequisite: where its peers run (keystone, the database), else the node that needs it. */
function hostFor(a: Analysis, needing: string): string {
  const anchor = a.cloud.nodes.find((n) => n.services.includes('keystone')) ?? a.cloud.nodes.find((n) => n.services.includes('mariadb'));
  return anchor?.name ?? needing;
}

/**
 * Quick fixes for a finding: did-you-mean replacements, a missing or weak secret with a strong generated
 * value (or an unset variable's replaced by one), a missing prerequisite service added to a node, a second
 * instance of a one-per-cloud service removed, a free address for a duplicate one.
 */
export function fixesFor(a: Analysis, f: Finding, random?: (n: number) => Uint8Array): Fix[] {
  const fixes: Fix[] = [];
  if (REPLACEABLE.has(f.code)) {
    for (const s of f.suggestions ?? []) fixes.push({ title: t('Change to `{0}`', s), edits: [{ range: f.range, newText: s }] });
  }
  const path = f.path ?? [];
  if (f.code === 'secret/missing') {
    const name = f.data?.secret;
    const generated = name ? addSecretEdit(a, name, generateSecretFor(name, random)) : undefined;
    const fromEnv = name ? addSecretEdit(a, name, `\${env:${name}}`) : undefined;
    if (generated) fixes.push({ title: t('Add {0} with a generated strong value', name ?? ''), edits: [generated] });
    if (fromEnv) fixes.push({ title: t('Add {0} from the environment ({1})', name ?? '', `\${env:${name}}`), edits: [fromEnv] });
  }
  if (f.code === 'secret/weak' && path[0] === 'secrets') {
    fixes.push({ title: t('Replace {0} with a generated strong value', String(path[1])), edits: [{ range: f.range, newText: generateSecretFor(String(path[1]), random) }] });
  }
  if (f.code === 'service/missing-prerequisite' && path[0] === 'nodes') {
    const node = String(path[1]);
    for (const s of f.data?.services ?? []) {
      if (!isServiceId(s)) continue;
      const target = hostFor(a, node);
      const e = addServiceEdit(a, target, s);
      if (e) fixes.push({ title: t('Add `{0}` to node `{1}`', s, target), edits: [e] });
    }
  }
  if (f.code === 'service/multiple-instances' && path[0] === 'nodes' && path[2] === 'services' && typeof path[3] === 'number') {
    const e = removeItemEdit(a, path.slice(0, 3), path[3]);
    if (e) fixes.push({ title: t('Remove `{0}` from `{1}` (it runs on `{2}`)', f.data?.service ?? '', String(path[1]), f.data?.host ?? ''), edits: [e] });
  }
  if (f.code === 'secret/env-unset' && path[0] === 'secrets') {
    fixes.push({
      title: t('Replace with a generated strong value (written into this file; the variable is no longer read)'),
      edits: [{ range: f.range, newText: generateSecretFor(String(path[1]), random) }],
    });
  }
  if (f.code === 'node/duplicate-address') {
    const free = freeAddress(a);
    if (free) fixes.push({ title: t('Use the free address {0}', free), edits: [{ range: f.range, newText: free }] });
  }
  return fixes;
}
