import { availableOn, CONFIG_FILES, isSecretName, ROLES, SECRET_NAMES, REGISTRY, ServiceId, SecretName, secretsOf } from './services/registry';
import { authPluginOptions, catalogFor, fileOptions, keyOptions, OptionInfo } from './catalog/options';
import { keyValueProblem } from './render/ini';
import { clip, didYouMean, Finding, Severity, FindingCode, FindingData } from './findings';
import { ConfigOverrides, hostsOf, parseSecretRef, ResolvedCloud, ResolvedNode } from './model';
import { inCidr, ipv4ToInt, isNetworkOrBroadcast, parseCidr } from './net';
import { own } from './own';
import { ParsedDocument, YamlPath } from './parse';
import { PROFILES } from './profiles';
import { weakness } from './secrets';
import { checkNetworks, checkVerify } from './validateNetworks';

/**
 * Semantic rules: what the schema cannot say. Each finding is placed on the key or value that causes
 * it. Codes are stable (README lists them).
 */
export function checkSemantics(doc: ParsedDocument, cloud: ResolvedCloud): Finding[] {
  const out: Finding[] = [];
  const add: Add = (code, severity, message, path, which = 'key', suggestions, data) =>
    out.push({ code, severity, message, path, range: doc.locate(path, which), ...(suggestions?.length ? { suggestions } : {}), ...(data ? { data } : {}) });

  checkProfile(cloud, add);
  checkNodes(cloud, add);
  checkNtp(cloud, add);
  checkNetworks(cloud, doc, add);
  checkVerify(cloud, add);
  checkRepositories(cloud, add);
  checkPlacement(cloud, doc, add);
  checkSecrets(cloud, doc, add);
  checkConfig(cloud, add);
  return out;
}

export type Add = (code: FindingCode, severity: Severity, message: string, path: YamlPath, which?: 'key' | 'value', suggestions?: string[], data?: FindingData) => void;

function checkProfile(cloud: ResolvedCloud, add: Add): void {
  const knownOs = PROFILES.some((p) => p.os === cloud.os);
  const knownRelease = PROFILES.some((p) => p.release === cloud.release);
  if (!cloud.profile && knownOs && knownRelease) {
    const rows = PROFILES.map((p) => `${p.release} on ${p.os}`).join(', ');
    const forOs = PROFILES.filter((p) => p.os === cloud.os).map((p) => p.release);
    add('profile/unsupported', 'error', `There is no profile for OpenStack ${cloud.release} on ${cloud.os}. Supported: ${rows}.`, ['release'], 'value', forOs);
  }
}

function checkRepositories(cloud: ResolvedCloud, add: Add): void {
  const src = cloud.profile?.packageSources;
  if (!src) return;
  const repos = cloud.repositories;
  if (src.endOfLife && !repos?.os) {
    add(
      'profile/end-of-life-repositories',
      'warning',
      `${cloud.profile!.title}: the operating system is past its end of life (${src.endOfLife.since}) and its mirrors are gone, so installing packages fails on a stock node. Say where packages come from: \`repositories.os\` (a vault such as ${src.endOfLife.example}, or a local mirror).`,
      repos ? ['repositories'] : ['os'],
      repos ? 'key' : 'value',
    );
  }
  if (!repos) return;
  const unused = src.kind === 'apt' ? 'openstack' : 'security';
  if (repos[unused] !== undefined) {
    const why = src.kind === 'apt' ? 'Debian carries OpenStack in its main archive (`repositories.os`)' : 'CentOS 7 takes its updates from `<os>/updates`';
    add('repositories/unused', 'warning', `\`repositories.${unused}\` is not used on ${cloud.profile!.title}: ${why}.`, ['repositories', unused]);
  }
  repos.gpgKeys.forEach((k, i) => {
    if (k.startsWith('http://'))
      add(
        'repositories/insecure-key-url',
        'warning',
        'This key is fetched over plain http: anyone on the way can replace it, and with it every package. Use https://, a file:// URL, or the key itself (ASCII-armored).',
        ['repositories', 'gpgKeys', i],
        'value',
      );
  });
}

function checkNodes(cloud: ResolvedCloud, add: Add): void {
  const cidr = cloud.managementCidr ? parseCidr(cloud.managementCidr) : undefined;
  const seen = new Map<string, string>();
  for (const n of cloud.nodes) {
    const path = ['nodes', n.name, 'address'];
    if (ipv4ToInt(n.address) === undefined) continue; // the schema reports it
    const first = seen.get(n.address);
    if (first) add('node/duplicate-address', 'error', `Address ${n.address} is already used by node \`${first}\`: every node needs its own address.`, path, 'value');
    else seen.set(n.address, n.name);
    if (cidr && !inCidr(n.address, cidr)) {
      add('node/address-outside-cidr', 'warning', `Address ${n.address} of \`${n.name}\` is outside the management network ${cloud.managementCidr}.`, path, 'value');
    } else if (cidr && isNetworkOrBroadcast(n.address, cidr)) {
      add('node/reserved-address', 'error', `${n.address} is the network or broadcast address of ${cloud.managementCidr}, not a host address.`, path, 'value');
    }
    if (n.services.length === 0) add('node/no-services', 'warning', `Node \`${n.name}\` runs nothing: give it \`roles\` (${Object.keys(ROLES).join(', ')}) or \`services\`.`, ['nodes', n.name]);
  }
}

function checkNtp(cloud: ResolvedCloud, add: Add): void {
  const names = cloud.nodes.map((n) => n.name);
  const server = cloud.ntp.server;
  const chronyNodes = cloud.nodes.filter((n) => n.services.includes('chrony'));
  if (server && !names.includes(server)) {
    const s = didYouMean(server, names);
    add('ref/unknown-node', 'error', `\`ntp.server\` names node \`${server}\`, which is not in \`nodes\`${s.length ? ` — did you mean \`${s[0]}\`?` : ''}`, ['ntp', 'server'], 'value', s);
  } else if (server && chronyNodes.length && !chronyNodes.some((n) => n.name === server)) {
    add('ntp/server-without-chrony', 'error', `The NTP server node \`${server}\` does not run \`chrony\`: the other nodes would sync from nothing.`, ['ntp', 'server'], 'value');
  } else if (!server && chronyNodes.length) {
    add('ntp/no-server', 'warning', 'No NTP server node: set `ntp.server` or give a node the `controller` role.', ['ntp']);
  }
}

/** Where a node's service comes from: its explicit `services` item, else the role item that expands to it. */
function placementPath(doc: ParsedDocument, node: ResolvedNode, service: ServiceId): YamlPath {
  const raw = own((doc.value as { nodes?: Record<string, { services?: unknown; roles?: unknown }> })?.nodes, node.name);
  const services = Array.isArray(raw?.services) ? raw.services : [];
  const i = services.indexOf(service);
  if (i >= 0) return ['nodes', node.name, 'services', i];
  const roles = Array.isArray(raw?.roles) ? raw.roles : [];
  const r = roles.findIndex((x: unknown) => typeof x === 'string' && own(ROLES as Record<string, { services: ServiceId[] }>, x)?.services.includes(service));
  if (r >= 0) return ['nodes', node.name, 'roles', r];
  return ['nodes', node.name];
}

function checkPlacement(cloud: ResolvedCloud, doc: ParsedDocument, add: Add): void {
  const placed = new Set(cloud.nodes.flatMap((n) => n.services));
  for (const n of cloud.nodes) {
    for (const s of n.services) {
      if (cloud.profile && !availableOn(cloud.profile, s)) {
        const m = REGISTRY[s].placedWhen?.mechanism;
        const why = m && !cloud.profile.networkMechanisms.includes(m) ? `the ${m} mechanism is not in ${cloud.release}` : 'ostopo has no packages for it there';
        add('profile/service-unavailable', 'error', `\`${s}\` is not available on ${cloud.profile.title}: ${why}.`, placementPath(doc, n, s), 'value');
        continue;
      }
      const missing = REGISTRY[s].requires.filter((r) => !placed.has(r));
      if (missing.length) {
        add(
          'service/missing-prerequisite',
          'error',
          `\`${s}\` on \`${n.name}\` needs ${missing.map((m) => `\`${m}\``).join(', ')} somewhere in the cloud, and no node runs ${missing.length > 1 ? 'them' : 'it'}.`,
          placementPath(doc, n, s),
          'value',
          missing,
          { services: missing },
        );
      }
    }
  }
  for (const s of placed) {
    if (!REGISTRY[s].singleInstance) continue;
    const hosts = hostsOf(cloud, s);
    for (const extra of hosts.slice(1)) {
      add(
        'service/multiple-instances',
        'error',
        `\`${s}\` runs on \`${hosts[0]!.name}\` already: ostopo deploys one ${s} per cloud (the guide's single controller).`,
        placementPath(doc, extra, s),
        'value',
        undefined,
        { service: s, host: hosts[0]!.name },
      );
    }
  }
}

function checkSecrets(cloud: ResolvedCloud, doc: ParsedDocument, add: Add): void {
  const needed = new Map<SecretName, Set<ServiceId>>();
  for (const n of cloud.nodes) for (const s of n.services) for (const sec of secretsOf(s)) (needed.get(sec) ?? needed.set(sec, new Set()).get(sec)!).add(s);
  for (const [name, services] of [...needed].sort(([a], [b]) => SECRET_NAMES.indexOf(a) - SECRET_NAMES.indexOf(b))) {
    if (!cloud.secrets.has(name)) {
      add(
        'secret/missing',
        'error',
        `Missing secret \`${name}\`, needed by ${[...services].join(', ')}. ${'Add it under `secrets`, as a value or `${env:NAME}`.'}`,
        doc.get(['secrets']) ? ['secrets'] : [],
        'key',
        undefined,
        { secret: name, services: [...services] },
      );
    }
  }
  for (const [name, s] of cloud.secrets) {
    const path = ['secrets', name];
    if (!isSecretName(name)) {
      const sugg = didYouMean(name, SECRET_NAMES);
      add('secret/unknown-name', 'warning', `ostopo uses no secret named \`${clip(name)}\`${sugg.length ? ` — did you mean \`${sugg[0]}\`?` : '.'}`, path, 'key', sugg);
      continue;
    }
    const ref = parseSecretRef(s.raw);
    if (ref.malformed) {
      add('secret/bad-reference', 'error', `\`${name}\`: a reference is written \`\${env:VARIABLE}\` (letters, digits and _); in a literal, write \`$\${\` for \`\${\`.`, path, 'value');
      continue;
    }
    if (s.env && s.value === undefined) {
      add('secret/env-unset', 'warning', `\`${name}\` comes from environment variable ${s.env}, which is not set here: render and deploy need it.`, path, 'value');
      continue;
    }
    if (s.value !== undefined && /[\r\n\0]/.test(s.value)) {
      add('value/line-break', 'error', `\`${name}\` contains a line break or NUL, which would break the config files it is written to.`, path, 'value');
      continue;
    }
    const weak = s.value !== undefined ? weakness(name, s.value) : undefined;
    if (weak && needed.has(name)) add('secret/weak', 'warning', `\`${name}\` is weak: ${weak}.${s.env ? ` (from ${s.env})` : ''}`, path, 'value');
  }
}

/**
 * Did-you-mean for unknown names of the option catalog, for the first MAX_SUGGESTED of them: each search
 * compares with every name of a section (hundreds), and past a few hundred unknown names a suggestion
 * helps nobody while the searches would make validation slow.
 */
const MAX_SUGGESTED = 200;

function checkConfig(cloud: ResolvedCloud, add: Add): void {
  const profile = cloud.profile;
  let searches = 0;
  const suggest = (word: string, candidates: () => string[]) => (searches++ < MAX_SUGGESTED ? didYouMean(word, candidates()) : []);
  const renders = (n: ResolvedNode, project: string) => n.services.some((s) => REGISTRY[s].project === project);
  const scopes: { overrides: ConfigOverrides; base: YamlPath; nodes: ResolvedNode[]; where: string }[] = [
    { overrides: cloud.config, base: ['config'], nodes: cloud.nodes, where: 'No node runs a' },
    ...cloud.nodes.map((n) => ({ overrides: n.config, base: ['nodes', n.name, 'config'], nodes: [n], where: `Node \`${n.name}\` runs no` })),
  ];
  // Checked against the row's own catalog only (catalogFor).
  const choice = catalogFor(profile);
  for (const { overrides, base, nodes, where } of scopes) {
    if (!overrides || typeof overrides !== 'object') continue;
    for (const [project, files] of Object.entries(overrides)) {
      if (!files || typeof files !== 'object') continue;
      const rendered = nodes.some((n) => renders(n, project));
      for (const [file, sections] of Object.entries(files)) {
        const def = CONFIG_FILE_BY_NAME.get(`${project}/${file}`);
        if (!def) continue; // schema
        const fpath = [...base, project, file];
        if (profile && file === 'nova-compute.conf' && !profile.extraConfigFiles.includes(file)) {
          add('config/file-not-in-profile', 'error', `The ${profile.title} profile has no ${file}: put these options in nova.conf.`, fpath, 'key', ['nova.conf']);
          continue;
        }
        if (!rendered) {
          add('config/not-rendered', 'warning', `${where} ${project} service, so this ${file} override changes nothing.`, fpath);
          continue;
        }
        if (!sections || typeof sections !== 'object') continue;
        if (def.format === 'keyvalue' && !nodes.some((n) => n.services.includes('nova-compute'))) {
          add(
            'config/not-rendered',
            'warning',
            `${base[0] === 'config' ? 'No node runs' : `Node \`${nodes[0]!.name}\` does not run`} nova-compute, so this ${file} override changes nothing (it is written where nova-compute uses libvirt).`,
            fpath,
          );
          continue;
        }
        if (def.format === 'keyvalue') {
          checkKeyValueFile(def.catalog, file, sections as Record<string, unknown>, fpath, add, suggest);
          continue;
        }
        const catalog = def.catalog && choice?.own ? fileOptions(choice.release, def.catalog.service, def.catalog.file) : undefined;
        for (const [section, opts] of Object.entries(sections)) {
          const spath = [...fpath, section];
          const known = own(catalog, section);
          if (catalog && !known && !/^(fs|file|rbd|swift|cinder|http|os_glance_.*|mdev_.*|backend.*)$/.test(section)) {
            const sugg = suggest(section, () => Object.keys(catalog));
            add('config/unknown-section', 'warning', `${file} has no section [${clip(section)}] in ${cloud.release}${sugg.length ? ` — did you mean [${sugg[0]}]?` : '.'}`, spath, 'key', sugg);
            continue;
          }
          if (!opts || typeof opts !== 'object') continue;
          // A keystoneauth section takes the options of whichever auth_type plugin it names.
          const dynamic = !!own(known, 'auth_type');
          const plugin = dynamic && choice ? authPluginOptions(choice.release) : undefined;
          for (const [option, value] of Object.entries(opts)) {
            const opath = [...spath, option];
            if (hasLineBreak(value)) {
              add('value/line-break', 'error', `[${section}] ${option}: a value cannot contain a line break; it would end the option and start garbage lines in ${file}.`, opath, 'value');
              continue;
            }
            if (!known) continue;
            const info: OptionInfo | undefined = own(known, option) ?? own(plugin, option);
            if (!info) {
              const sugg = suggest(option, () => [...Object.keys(known), ...Object.keys(plugin ?? {})]);
              // The service would ignore it without a word. Where the section's options are fixed, that is
              // an error; where they depend on the auth plugin, a warning.
              add(
                'config/unknown-option',
                dynamic ? 'warning' : 'error',
                `[${section}] has no option \`${clip(option)}\` in ${cloud.release}'s ${file}${dynamic ? ' (nor does the password auth plugin)' : ''}${sugg.length ? ` — did you mean \`${sugg[0]}\`?` : '.'}${dynamic ? '' : ' The service would ignore it.'}`,
                opath,
                'key',
                sugg,
              );
              continue;
            }
            // A number that is not finite is the schema's (schema/range).
            const problem = value === null || (typeof value === 'number' && !Number.isFinite(value)) ? undefined : typeProblem(info, value);
            if (problem) add('config/option-type', 'warning', `[${section}] ${option}: ${problem}`, opath, 'value');
            if (info.x) add('config/deprecated-option', 'info', `[${section}] ${option} is deprecated for removal: ${info.h}`, opath, 'key');
          }
        }
      }
    }
  }
}

/** Overrides of a `key = value` file (qemu.conf): each key known to its catalog, each value writable and of the key's type. */
function checkKeyValueFile(
  catalog: { service: string; file: string } | undefined,
  file: string,
  entries: Record<string, unknown>,
  fpath: YamlPath,
  add: Add,
  suggest: (word: string, candidates: () => string[]) => string[],
): void {
  const known = catalog ? keyOptions(catalog.service, catalog.file) : undefined;
  for (const [key, value] of Object.entries(entries)) {
    const kpath = [...fpath, key];
    const unwritable = value === null ? undefined : keyValueProblem(value);
    if (unwritable) {
      add('value/unrenderable', 'error', `${key}: ${unwritable}.`, kpath, 'value');
      continue;
    }
    if (!known) continue;
    const info = own(known.keys, key);
    if (!info) {
      const sugg = suggest(key, () => Object.keys(known.keys));
      // libvirt adds settings between versions: the catalog is one version's (its source says which).
      add('config/unknown-option', 'warning', `${file} has no setting \`${clip(key)}\` in ${known.source}${sugg.length ? ` — did you mean \`${sugg[0]}\`?` : '.'}`, kpath, 'key', sugg);
      continue;
    }
    if (value === null) continue;
    const problem =
      info.t === 'l'
        ? Array.isArray(value)
          ? undefined
          : `${key} takes a list, e.g. [ ] or [ "a", "b" ].`
        : Array.isArray(value)
          ? 'a list is given, but this setting takes one value.'
          : info.t === 'i' && !/^-?\d+$/.test(String(value === true ? 1 : value === false ? 0 : value))
            ? `expects a whole number (libvirt's booleans are 0 and 1), not ${clip(JSON.stringify(value))}.`
            : undefined;
    if (problem) add('config/option-type', 'warning', `${key}: ${problem}`, kpath, 'value');
  }
}

const CONFIG_FILE_BY_NAME = new Map(CONFIG_FILES.map((f) => [`${f.project}/${f.name}`, f]));

/** A value (or an item of a list) holding CR, LF or NUL: it would end the option in an INI file. */
function hasLineBreak(value: unknown): boolean {
  const bad = (v: unknown) => /[\r\n\0]/.test(String(v));
  return typeof value === 'string' ? bad(value) : Array.isArray(value) && value.some(bad);
}

function typeProblem(info: OptionInfo, value: unknown): string | undefined {
  const vals = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && !['l', 'm'].includes(info.t)) return 'a list is given, but this option takes one value.';
  for (const v of vals) {
    const s = String(v);
    if (info.t === 'b' && !/^(true|false|yes|no|on|off|1|0)$/i.test(s)) return `expects true or false, not ${clip(JSON.stringify(v))}.`;
    if ((info.t === 'i' || info.t === 'p') && !/^-?\d+$/.test(s)) return `expects a whole number, not ${clip(JSON.stringify(v))}.`;
    if (info.t === 'p' && (Number(s) < 0 || Number(s) > 65535)) return `expects a port (0-65535), not ${s}.`;
    if (info.t === 'f' && Number.isNaN(Number(s))) return `expects a number, not ${clip(JSON.stringify(v))}.`;
    if (info.c && info.c.length && info.t !== 'l' && !info.c.map(String).includes(s)) return `expects one of ${info.c.map(String).join(', ')}, not ${clip(JSON.stringify(v))}.`;
  }
  return undefined;
}
