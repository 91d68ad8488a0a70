import { CONFIG_FILES, isRoleId, isSecretName, isServiceId, ROLES, SECRETS, SECRETS_OF_UNDEPLOYED, neededSecrets, REGISTRY } from '../services/registry';
import { catalogFor, keyDefaultText, keyOptions, optionInfo, TYPE_NAMES } from '../catalog/options';
import { Analysis } from '../compile';
import { Position, Range } from '../findings';
import { ParsedDocument, YamlPath } from '../parse';
import { own } from '../own';
import { NODE_NAME_PATTERN, schemaAt } from '../schema';
import { docOf } from './complete';
import { t } from '../l10n';

/** The innermost key or scalar value under the cursor. */
export function pathAt(doc: ParsedDocument, pos: Position): { path: YamlPath; on: 'key' | 'value'; range: Range } | undefined {
  return doc.innermostAt(pos);
}

export interface HoverInfo {
  markdown: string;
  range: Range;
}

function scalarAt(a: Analysis, path: YamlPath): unknown {
  let v: unknown = a.doc.value;
  for (const p of path) v = v && typeof v === 'object' ? own(v as Record<string | number, unknown>, p) : undefined;
  return v;
}

function nodeHover(a: Analysis, name: string): string | undefined {
  const n = a.cloud.nodes.find((x) => x.name === name);
  if (!n) return undefined;
  return `**${t('node')} \`${n.name}\`** — ${n.address}\n\n${t('Roles: {0}', n.roles.join(', ') || t('none'))}\n\n${t('Services: {0}', n.services.join(', ') || t('none'))}`;
}

/** Where a secret is used: the services of this cloud that need it. Never its value. */
function secretHover(a: Analysis, name: string): string {
  const needing = new Set(isSecretName(name) ? (neededSecrets(a.cloud).get(name) ?? []) : []);
  const users = [...new Set(a.cloud.nodes.flatMap((n) => n.services.filter((s) => needing.has(s)).map((s) => t('{0} on {1}', s, n.name))))];
  const s = a.cloud.secrets.get(name);
  const source = s?.env
    ? s.value === undefined
      ? t('from environment variable `{0}` (not set here)', s.env)
      : t('from environment variable `{0}`', s.env)
    : s
      ? t('a literal in this file')
      : t('not set');
  const later = isSecretName(name) ? SECRETS_OF_UNDEPLOYED[name] : undefined;
  const usedBy = users.length
    ? t('Used by: {0}.', users.join(', '))
    : later
      ? t('Used by: {0}, which ostopo does not deploy yet.', t(later))
      : t('Used by: {0}.', t('no service placed in this cloud'));
  return `**${t('secret')} \`${name}\`**${isSecretName(name) ? ` — ${t(SECRETS[name])}` : ''}\n\n${t('Value: {0}.', source)}\n\n${usedBy}`;
}

/** Hover: the key's documentation (type, default, allowed values), or what a referenced name is. */
export function hoverAt(a: Analysis, pos: Position): HoverInfo | undefined {
  const hit = pathAt(a.doc, pos);
  if (!hit) return undefined;
  const { path, on, range } = hit;
  const last = path[path.length - 1];
  const value = scalarAt(a, path);
  // Config overrides: the option catalog knows each option.
  const cfg = path[0] === 'config' ? 1 : path[0] === 'nodes' && path[2] === 'config' ? 3 : -1;
  if (cfg > 0 && path.length === cfg + 3) {
    // A setting of a file without sections (qemu.conf, horizon's local_settings).
    const [project, file, key = ''] = path.slice(cfg).map(String);
    const def = CONFIG_FILES.find((f) => f.project === project && f.name === file && (f.format === 'keyvalue' || f.format === 'python'));
    const known = def?.catalog ? keyOptions(def.catalog.service, def.catalog.file) : undefined;
    const o = known ? own(known.keys, key) : undefined;
    if (o && known) {
      const md = [`**${key}** (${TYPE_NAMES[o.t]}) ${t('in {0}', file ?? '')}`, o.h];
      if (o.d !== undefined) md.push(def?.format === 'python' ? t('Default: `{0}`', JSON.stringify(o.d)) : t("libvirt's default: `{0}`", keyDefaultText(o.d)));
      md.push(`_${t('From {0}.', known.source)}_`);
      return { markdown: md.join('\n\n'), range };
    }
  }
  if (cfg > 0 && path.length === cfg + 4) {
    const [project, file, section = '', option = ''] = path.slice(cfg).map(String);
    const def = CONFIG_FILES.find((f) => f.project === project && f.name === file);
    const cat = catalogFor(a.cloud.profile);
    const o = def?.catalog && cat ? optionInfo(cat.release, def.catalog.service, def.catalog.file, section, option) : undefined;
    if (o) {
      const md = [`**[${section}] ${option}** (${TYPE_NAMES[o.t]}) ${t('in {0}', file ?? '')}`, o.h];
      if (o.d !== undefined) md.push(t('Default: `{0}`', Array.isArray(o.d) ? o.d.join(',') : String(o.d)));
      if (o.c?.length) md.push(t('Choices: {0}', o.c.map((c) => `\`${String(c)}\``).join(', ')));
      if (o.x) md.push(`**${t('Deprecated for removal.')}**`);
      if (cat && !cat.own) md.push(`_${t('From the {0} option catalog: {1} has none of its own.', cat.release, a.cloud.release)}_`);
      return { markdown: md.join('\n\n'), range };
    }
  }
  if (path[0] === 'nodes' && path.length === 2 && on === 'key') return { markdown: nodeHover(a, String(last)) ?? '', range };
  if (path[0] === 'secrets' && path.length === 2 && on === 'key') return { markdown: secretHover(a, String(last)), range };
  const s = schemaAt(path);
  if (on === 'value' && typeof value === 'string') {
    const ref = s?.['x-ostopo-ref'];
    if (ref === 'node') {
      const md = nodeHover(a, value);
      if (md) return { markdown: md, range };
    }
    if (ref === 'service' && isServiceId(value))
      return {
        markdown: `**${t('service')} \`${value}\`** — ${t(REGISTRY[value].title)}\n\n${t(REGISTRY[value].description)}\n\n${t('Needs: {0}.', REGISTRY[value].requires.join(', ') || t('nothing'))}`,
        range,
      };
    if (ref === 'role' && isRoleId(value)) return { markdown: `**${t('role')} \`${value}\`** — ${t(ROLES[value].description)}\n\n${t('Services: {0}', ROLES[value].services.join(', '))}.`, range };
  }
  if (!s) return undefined;
  const title = typeof last === 'number' ? t('item of `{0}`', String(path[path.length - 2])) : `\`${String(last ?? t('topology'))}\``;
  const type = Array.isArray(s.type) ? s.type.join(' | ') : s.type;
  // On one of the allowed values (`release: epoxy`): what that value means, then the key's documentation.
  const written = on === 'value' && (typeof value === 'string' || typeof value === 'number') ? (typeof value === 'number' && s['x-ostopo-as-text'] ? a.doc.source(path) : value) : undefined;
  const i = written === undefined ? -1 : (s.enum?.indexOf(written) ?? -1);
  const meaning = i >= 0 && s.enumDescriptions?.[i] ? `**\`${String(written)}\`**: ${s.enumDescriptions[i]}\n\n---\n\n` : '';
  return { markdown: `${meaning}**${title}**${type ? ` (${type})` : ''}\n\n${docOf(s)}`, range };
}

export interface SymbolInfo {
  name: string;
  detail: string;
  kind: 'file' | 'object' | 'node' | 'key' | 'array' | 'secret';
  range: Range;
  selectionRange: Range;
  children: SymbolInfo[];
}

/** The outline: top-level keys, nodes (with address and roles), secrets by name, overrides by file. */
export function outline(a: Analysis): SymbolInfo[] {
  const doc = a.doc;
  const root = doc.value && typeof doc.value === 'object' && !Array.isArray(doc.value) ? (doc.value as Record<string, unknown>) : {};
  const sym = (path: YamlPath, name: string, kind: SymbolInfo['kind'], detail: string, children: SymbolInfo[] = []): SymbolInfo | undefined => {
    const l = doc.get(path);
    if (!l) return undefined;
    const sel = l.key ?? l.value;
    const range = { start: sel.start, end: l.value.end.line > sel.end.line || (l.value.end.line === sel.end.line && l.value.end.character > sel.end.character) ? l.value.end : sel.end };
    return { name, detail, kind, range, selectionRange: sel, children };
  };
  const out: SymbolInfo[] = [];
  for (const [k, v] of Object.entries(root)) {
    let children: SymbolInfo[] = [];
    let detail = v !== null && typeof v !== 'object' && !schemaAt([k])?.['x-ostopo-secret'] ? String(v) : '';
    if (k === 'nodes' && v && typeof v === 'object') {
      children = a.cloud.nodes.map((n) => sym(['nodes', n.name], n.name, 'node', `${n.address}${n.roles.length ? ' · ' + n.roles.join(', ') : ''}`)).filter((x): x is SymbolInfo => !!x);
      detail = `${children.length} node(s)`;
    } else if (k === 'secrets' && v && typeof v === 'object') {
      children = Object.keys(v)
        .map((n) => sym(['secrets', n], n, 'secret', a.cloud.secrets.get(n)?.env ? `\${env:${a.cloud.secrets.get(n)!.env}}` : ''))
        .filter((x): x is SymbolInfo => !!x);
    } else if (k === 'config' && v && typeof v === 'object') {
      children = Object.entries(v as Record<string, unknown>).flatMap(([p, files]) =>
        files && typeof files === 'object'
          ? Object.keys(files)
              .map((f) => sym(['config', p, f], `${p} / ${f}`, 'object', ''))
              .filter((x): x is SymbolInfo => !!x)
          : [],
      );
    }
    const s = sym([k], k, Array.isArray(v) ? 'array' : v && typeof v === 'object' ? 'object' : 'key', detail, children);
    if (s) out.push(s);
  }
  return out;
}

/** Every place a node name stands: its definition under `nodes`, and each reference (e.g. `ntp.server`). */
export function nodeOccurrences(a: Analysis, name: string): { definition?: Range; references: Range[] } {
  const refs: Range[] = [];
  for (const { path, value } of a.doc.located()) {
    const s = schemaAt(path);
    if (s?.['x-ostopo-ref'] === 'node' && scalarAt(a, path) === name) refs.push(value);
  }
  return { definition: a.doc.keyRange(['nodes', name]), references: refs };
}

/** The node name under the cursor: a key under `nodes` or a value that references a node. */
export function nodeNameAt(a: Analysis, pos: Position): { name: string; range: Range } | undefined {
  const hit = pathAt(a.doc, pos);
  if (!hit) return undefined;
  if (hit.path[0] === 'nodes' && hit.path.length === 2 && hit.on === 'key') return { name: String(hit.path[1]), range: hit.range };
  const v = scalarAt(a, hit.path);
  if (hit.on === 'value' && typeof v === 'string' && schemaAt(hit.path)?.['x-ostopo-ref'] === 'node' && a.cloud.nodes.some((n) => n.name === v)) return { name: v, range: hit.range };
  return undefined;
}

/** Text edits that rename a node everywhere; an error message when the new name is not valid. */
export function renameNode(a: Analysis, pos: Position, newName: string): { edits: { range: Range; newText: string }[] } | { error: string } {
  const at = nodeNameAt(a, pos);
  if (!at) return { error: t('Only node names can be renamed here.') };
  if (!new RegExp(NODE_NAME_PATTERN).test(newName)) return { error: t('`{0}` is not a node name: lower-case letters, digits and `-`, starting with a letter.', newName) };
  if (a.cloud.nodes.some((n) => n.name === newName)) return { error: t('A node `{0}` exists already.', newName) };
  const occ = nodeOccurrences(a, at.name);
  const ranges = [...(occ.definition ? [occ.definition] : []), ...occ.references];
  return { edits: ranges.map((range) => ({ range, newText: newName })) };
}
