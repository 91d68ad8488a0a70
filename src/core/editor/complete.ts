import { availableOn, CONFIG_FILES, isRoleId, isServiceId, REGISTRY, ROLES, SECRET_NAMES, SECRETS, neededSecrets, ServiceId } from '../services/registry';
import { hostsOf } from '../model';
import { catalogFor, fileOptions, keyDefaultText, keyOptions, OptionInfo, TYPE_NAMES } from '../catalog/options';
import { Analysis } from '../compile';
import { Position, Range } from '../findings';
import { YamlPath } from '../parse';
import { own } from '../own';
import { JsonSchema, schemaAt } from '../schema';
import { cursorContext } from './cursor';
import { SNIPPETS, TOPOLOGY_SNIPPET } from './snippets';
import { t } from '../l10n';

export { TOPOLOGY_SNIPPET };

export type CompletionKind = 'property' | 'value' | 'enum' | 'node' | 'secret' | 'section' | 'option' | 'snippet';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  /** Short type or role shown beside the label. */
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /**
   * Text inserted; `snippet` means VS Code snippet syntax ($1, ${1:x}). Lines after the first are
   * relative to the indentation of the cursor's line (the editor adds it).
   */
  insertText: string;
  snippet?: boolean;
  range: Range;
  sortText?: string;
}

const typeName = (s: JsonSchema) => (Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? ''));

/** The option catalog of the topology's profile (catalogFor decides; a row without one borrows the newest). */
function catalogRelease(a: Analysis): string {
  return catalogFor(a.cloud.profile)?.release ?? '';
}

function optionDoc(o: OptionInfo): string {
  const parts = [o.h, t('Type: {0}.', TYPE_NAMES[o.t])];
  if (o.d !== undefined) parts.push(t('Default: `{0}`.', Array.isArray(o.d) ? o.d.join(',') : String(o.d)));
  if (o.c?.length) parts.push(t('Choices: {0}.', o.c.map((c) => `\`${String(c)}\``).join(', ')));
  if (o.x) parts.push(`**${t('Deprecated for removal.')}**`);
  return parts.join(' ');
}

/** Keys of an object schema (with snippet bodies for objects and lists). */
function keyEntries(s: JsonSchema, ctx: ReturnType<typeof cursorContext>): CompletionEntry[] {
  const out: CompletionEntry[] = [];
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    if (ctx.siblings.includes(k)) continue;
    out.push(keyEntry(k, sub, ctx.range));
  }
  return out;
}

function keyEntry(k: string, sub: JsonSchema, range: Range, kind: CompletionKind = 'property', detail?: string, documentation?: string): CompletionEntry {
  const t = Array.isArray(sub.type) ? sub.type[0] : sub.type;
  // Later lines are relative to the key's line: the editor indents them to it (VS Code adds the line's
  // leading whitespace to every inserted line after the first).
  const pad = '  ';
  let insertText = `${k}: $0`;
  if (t === 'object') insertText = `${k}:\n${pad}$0`;
  else if (t === 'array') insertText = sub.items?.enum ? `${k}: [$0]` : `${k}:\n${pad}- $0`;
  else if (sub.enum?.length) insertText = `${k}: \${1|${sub.enum.map(String).join(',')}|}`;
  else if (sub.default !== undefined && typeof sub.default !== 'object') insertText = `${k}: \${1:${String(sub.default)}}`;
  return {
    label: k,
    kind,
    detail: detail ?? typeName(sub),
    documentation: documentation ?? docOf(sub),
    insertText,
    snippet: true,
    range,
    sortText: `${(sub as { required?: boolean }).required ? 0 : 1}${k}`,
  };
}

export function docOf(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.description) parts.push(s.description);
  if (s.default !== undefined) parts.push(t('Default: `{0}`.', JSON.stringify(s.default)));
  if (s.enum) parts.push(t('Allowed: {0}.', s.enum.map((e) => `\`${String(e)}\``).join(', ')));
  if (s.patternDescription) parts.push(t('Form: {0}.', s.patternDescription));
  return parts.join('\n\n');
}

function valueEntries(s: JsonSchema, a: Analysis, range: Range, exclude: string[] = []): CompletionEntry[] {
  const ref = s['x-ostopo-ref'];
  if (ref === 'node') {
    return a.cloud.nodes
      .filter((n) => !exclude.includes(n.name))
      .map((n) => ({
        label: n.name,
        kind: 'node' as const,
        detail: n.address,
        documentation: t('Node `{0}` ({1}): {2}.', n.name, n.address, n.services.join(', ') || t('no services')),
        insertText: n.name,
        range,
      }));
  }
  if (s.enum) {
    return s.enum
      .filter((e) => !exclude.includes(String(e)))
      .map((e, i) => ({ label: String(e), kind: 'enum' as const, detail: ref ?? typeName(s), documentation: s.enumDescriptions?.[i], insertText: String(e), range }));
  }
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes('boolean')) return ['true', 'false'].map((b) => ({ label: b, kind: 'value' as const, insertText: b, range }));
  if (s.const !== undefined) return [{ label: String(s.const), kind: 'value', insertText: String(s.const), range }];
  if (s.examples?.length) return s.examples.filter((x) => typeof x !== 'object').map((x) => ({ label: String(x), kind: 'value' as const, detail: t('example'), insertText: String(x), range }));
  return [];
}

/** Names already used in a list at `path` (not proposed twice). */
function listed(a: Analysis, path: YamlPath): string[] {
  let v: unknown = a.doc.value;
  for (const p of path) v = v && typeof v === 'object' ? own(v as Record<string, unknown>, p) : undefined;
  return Array.isArray(v) ? v.map(String) : [];
}

/** Completion for `config:` overrides: projects, files, sections and options of the file's catalog. */
function configEntries(a: Analysis, ctx: ReturnType<typeof cursorContext>, rel: YamlPath): CompletionEntry[] | undefined {
  const range = ctx.range;
  const [project, file, section = ''] = rel.map(String);
  const keyed = CONFIG_FILES.find((f) => f.project === project && f.name === file && (f.format === 'keyvalue' || f.format === 'python'));
  if (keyed) {
    // A file without sections (qemu.conf, horizon's local_settings): its settings directly under the file.
    const shown = (d: unknown) => (keyed.format === 'python' ? JSON.stringify(d) : keyDefaultText(d));
    const keys = keyed.catalog ? keyOptions(keyed.catalog.service, keyed.catalog.file)?.keys : undefined;
    if (!keys) return [];
    if (ctx.kind === 'key' && rel.length === 2)
      return Object.entries(keys)
        .filter(([name]) => !ctx.siblings.includes(name))
        .map(([name, o]) => ({ label: name, kind: 'option' as const, detail: TYPE_NAMES[o.t], documentation: optionDoc(o), insertText: `${name}: $0`, snippet: true, range, sortText: name }));
    if (ctx.kind === 'value' && rel.length === 2) {
      const o = own(keys, ctx.key!);
      return o?.d !== undefined
        ? [
            {
              label: shown(o.d),
              kind: 'value',
              detail: 'default',
              insertText: shown(o.d),
              range,
            },
          ]
        : [];
    }
    return [];
  }
  if (ctx.kind === 'key' && rel.length === 2) {
    const def = CONFIG_FILES.find((f) => f.project === project && f.name === file);
    const cat = def?.catalog ? fileOptions(catalogRelease(a), def.catalog.service, def.catalog.file) : undefined;
    if (!cat) return [];
    return Object.keys(cat)
      .filter((sec) => !ctx.siblings.includes(sec))
      .map((sec) => ({
        label: sec,
        kind: 'section' as const,
        detail: `[${sec}] of ${file}`,
        documentation: `${Object.keys(cat[sec] ?? {}).length} options.`,
        insertText: `${sec}:\n  $0`,
        snippet: true,
        range,
        sortText: sec === 'DEFAULT' ? '0' : `1${sec}`,
      }));
  }
  if (rel.length === 3 && (ctx.kind === 'key' || ctx.kind === 'value')) {
    const def = CONFIG_FILES.find((f) => f.project === project && f.name === file);
    const cat = def?.catalog ? own(fileOptions(catalogRelease(a), def.catalog.service, def.catalog.file), section) : undefined;
    if (!cat) return [];
    if (ctx.kind === 'value') {
      const o = own(cat, ctx.key!);
      if (!o) return [];
      if (o.c?.length) return o.c.map((c) => ({ label: String(c), kind: 'enum' as const, insertText: String(c), range }));
      if (o.t === 'b') return ['true', 'false'].map((b) => ({ label: b, kind: 'value' as const, insertText: b, range }));
      return o.d !== undefined ? [{ label: String(o.d), kind: 'value', detail: 'default', insertText: String(o.d), range }] : [];
    }
    return Object.entries(cat)
      .filter(([name]) => !ctx.siblings.includes(name))
      .map(([name, o]) => ({
        label: name,
        kind: 'option' as const,
        detail: TYPE_NAMES[o.t],
        documentation: optionDoc(o),
        insertText: `${name}: $0`,
        snippet: true,
        range,
        sortText: `${o.x ? 2 : 1}${name}`,
      }));
  }
  return undefined;
}

/**
 * Completion at a position of the topology text: keys valid there (with their docs), enum values,
 * node names where a node is referenced, secret names, and sections and options of config overrides.
 * `a` is the analysis of the same text (the editor keeps one per document version).
 */
export function completeAt(a: Analysis, text: string, pos: Position): CompletionEntry[] {
  // Right after a key's colon nothing fits: a value needs a space first, and the keys under it go on the
  // next line. Offering anything there turns `nova:` + Enter into `nova:glance:`.
  if (pos.character > 0 && charBefore(text, pos) === ':') return [];
  const ctx = cursorContext(text, pos);
  const path = ctx.parent;
  const cfg = configDepth(path);
  if (cfg > 0 && path.length >= cfg + 2) {
    const r = configEntries(a, ctx, path.slice(cfg));
    if (r) return r;
  }
  if (ctx.kind === 'key') {
    const s = schemaAt(path);
    if (!s || s.type === 'array') return [];
    if (path.length === 1 && path[0] === 'secrets') {
      const needed = neededSecrets(a.cloud);
      const named = SECRET_NAMES.filter((n) => !ctx.siblings.includes(n) && !a.cloud.secrets.has(n)).map((n) => ({
        label: n,
        kind: 'secret' as const,
        detail: needed.has(n) ? t('needed by this cloud') : t('secret'),
        documentation: docOf(schemaAt(['secrets', n]) ?? { description: SECRETS[n] }),
        insertText: `${n}: \${1:\\\${env:${n}\\}}`,
        snippet: true,
        range: ctx.range,
        sortText: `${needed.has(n) ? 0 : 1}${n}`,
      }));
      return [...named, ...snippetEntries(path, ctx.range)];
    }
    if (path.length === 0 && !ctx.siblings.length && !ctx.prefix) {
      return [
        {
          label: 'ostopo topology',
          kind: 'snippet',
          detail: t('a whole topology'),
          documentation: t('A controller and a compute node with every key a new topology needs.'),
          insertText: TOPOLOGY_SNIPPET,
          snippet: true,
          range: ctx.range,
          sortText: '0',
        },
        ...keyEntries(s, ctx),
      ];
    }
    return [...keyEntries(s, ctx), ...snippetEntries(path, ctx.range)];
  }
  if (ctx.kind === 'value') {
    const s = schemaAt([...path, ctx.key!]);
    return s ? valueEntries(s, a, ctx.range) : [];
  }
  // A list item: the list's item schema, without items already listed.
  const s = schemaAt([...path, 0]);
  if (!s) return [];
  const out = valueEntries(s, a, ctx.range, listed(a, path));
  if (s['x-ostopo-ref'] === 'role')
    for (const e of out) e.documentation = `${t(ROLES[e.label as keyof typeof ROLES]?.description ?? '')}\n\n${t('Services: {0}', ROLES[e.label as keyof typeof ROLES]?.services.join(', ') ?? '')}.`;
  if (path[0] === 'nodes' && path.length === 3 && (path[2] === 'services' || path[2] === 'roles')) {
    for (const e of out) {
      const why = placementProblem(a, String(path[1]), path[2], e.label);
      // Still offered (one may be moving a service), but said why and listed last.
      if (why) Object.assign(e, { detail: `✗ ${why}`, sortText: `~${e.label}` });
    }
  }
  return out;
}

/** Why placing a service or a role on a node would not validate (one instance per cloud, not on the profile), if so. */
function placementProblem(a: Analysis, node: string, list: 'services' | 'roles', id: string): string | undefined {
  const services: ServiceId[] = list === 'roles' ? (isRoleId(id) ? ROLES[id].services : []) : isServiceId(id) ? [id] : [];
  const profile = a.cloud.profile;
  for (const s of services) {
    if (list === 'services' && profile && !availableOn(profile, s)) return t('not available on {0}', profile.title);
    const elsewhere = REGISTRY[s].singleInstance ? hostsOf(a.cloud, s).find((n) => n.name !== node) : undefined;
    if (elsewhere) return list === 'roles' ? t('`{0}` of this role runs on `{1}` already (one per cloud)', s, elsewhere.name) : t('runs on `{0}` already (one per cloud)', elsewhere.name);
  }
  return undefined;
}

/** The character before a position (on its line), or '' at the start of a line. */
function charBefore(text: string, pos: Position): string {
  let start = 0;
  for (let l = 0; l < pos.line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return '';
    start = nl + 1;
  }
  return text[start + pos.character - 1] ?? '';
}

/**
 * The language's snippets where they fit: a node under `nodes`, an override under a `config`, a secret
 * from the environment under `secrets` (never in value lists). Later lines are relative to the cursor's
 * line: the editor indents them to it.
 */
function snippetEntries(path: YamlPath, range: Range): CompletionEntry[] {
  const fits = (name: string) =>
    name === 'Node'
      ? path.length === 1 && path[0] === 'nodes'
      : name === 'Service override'
        ? isConfigPath(path)
        : name === 'Secret from the environment'
          ? path.length === 1 && path[0] === 'secrets'
          : false;
  return Object.entries(SNIPPETS)
    .filter(([name]) => fits(name))
    .map(([name, sn]) => ({
      label: sn.prefix,
      kind: 'snippet' as const,
      detail: t(name),
      documentation: t(sn.description),
      insertText: sn.body.join('\n'),
      snippet: true,
      range,
      sortText: `2${name}`,
    }));
}

/** How deep a path's `config` mapping is: 1 (`config`), 3 (`nodes.<name>.config`), or -1 (none). */
function configDepth(path: YamlPath): number {
  return path[0] === 'config' ? 1 : path[0] === 'nodes' && path[2] === 'config' ? 3 : -1;
}

/** The path is a `config` mapping itself (its keys are projects). */
const isConfigPath = (path: YamlPath) => path.length === configDepth(path);
