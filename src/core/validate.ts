import { availableOn, CONFIG_FILES, isSecretName, neededSecrets, ROLES, SECRET_NAMES, REGISTRY, ServiceId, SecretName } from './services/registry';
import { authPluginOptions, catalogFor, fileOptions, OptionInfo } from './catalog/options';
import { clip, didYouMean, Finding, Severity, FindingCode, FindingData } from './findings';
import { ConfigOverrides, hostsOf, namesOf, parseSecretRef, ResolvedCloud, ResolvedNode } from './model';
import { inCidr, ipv4ToInt, isNetworkOrBroadcast, parseCidr } from './net';
import { own } from './own';
import { ParsedDocument, YamlPath } from './parse';
import { PROFILES } from './profiles';
import { weakness } from './secrets';
import { volumeBackend } from './render/cinder';
import { SecretsFile } from './secretsFile';
import { t } from './l10n';
import { checkNetworks, checkVerify } from './validateNetworks';
import { checkKeyValueFile, checkPySettingsFile } from './validateSettingsFiles';

/**
 * Semantic rules: what the schema cannot say. Each finding is placed on the key or value that causes
 * it. Codes are stable (README lists them).
 */
/** `keychain`: VS Code's SecretStorage was asked for the secrets written `${keychain}` (false in the CLI). */
export function checkSemantics(doc: ParsedDocument, cloud: ResolvedCloud, secretsFile?: SecretsFile, keychain = false): Finding[] {
  const out: Finding[] = [];
  const add: Add = (code, severity, message, path, which = 'key', suggestions, data) =>
    out.push({ code, severity, message, path, range: doc.locate(path, which), ...(suggestions?.length ? { suggestions } : {}), ...(data ? { data } : {}) });

  checkProfile(cloud, add);
  checkNodes(cloud, add);
  checkNtp(cloud, add);
  checkStorage(cloud, add);
  checkNetworks(cloud, doc, add);
  checkVerify(cloud, add);
  checkRepositories(cloud, add);
  checkPlacement(cloud, doc, add);
  checkSecrets(cloud, doc, add, secretsFile, keychain);
  checkConfig(cloud, add);
  return out;
}

export type Add = (code: FindingCode, severity: Severity, message: string, path: YamlPath, which?: 'key' | 'value', suggestions?: string[], data?: FindingData) => void;

function checkProfile(cloud: ResolvedCloud, add: Add): void {
  const knownOs = PROFILES.some((p) => p.os === cloud.os);
  const knownRelease = PROFILES.some((p) => p.release === cloud.release);
  if (!cloud.profile && knownOs && knownRelease) {
    const rows = PROFILES.map((p) => t('{0} on {1}', p.release, p.os)).join(', ');
    const forOs = PROFILES.filter((p) => p.os === cloud.os).map((p) => p.release);
    add('profile/unsupported', 'error', t('There is no profile for OpenStack {0} on {1}. Supported: {2}.', cloud.release, cloud.os, rows), ['release'], 'value', forOs);
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
      t(
        '{0}: the operating system is past its end of life ({1}) and its mirrors are gone, so installing packages fails on a stock node. Say where packages come from: `repositories.os` (a vault such as {2}, or a local mirror).',
        cloud.profile!.title,
        src.endOfLife.since,
        src.endOfLife.example,
      ),
      repos ? ['repositories'] : ['os'],
      repos ? 'key' : 'value',
    );
  }
  if (!repos) return;
  const unused = src.kind === 'apt' ? 'openstack' : 'security';
  if (repos[unused] !== undefined) {
    const why = src.kind === 'apt' ? t('Debian carries OpenStack in its main archive (`repositories.os`)') : t('CentOS 7 takes its updates from `<os>/updates`');
    add('repositories/unused', 'warning', t('`repositories.{0}` is not used on {1}: {2}.', unused, cloud.profile!.title, why), ['repositories', unused]);
  }
  repos.gpgKeys.forEach((k, i) => {
    if (k.startsWith('http://'))
      add(
        'repositories/insecure-key-url',
        'warning',
        t('This key is fetched over plain http: anyone on the way can replace it, and with it every package. Use https://, a file:// URL, or the key itself (ASCII-armored).'),
        ['repositories', 'gpgKeys', i],
        'value',
      );
  });
}

function checkStorage(cloud: ResolvedCloud, add: Add): void {
  if (cloud.imageStore === 'rbd' && !cloud.nodes.some((n) => n.services.includes('ceph-mon')))
    add(
      'storage/images-without-ceph',
      'error',
      t('Images in Ceph need a Ceph cluster: give a node the `ceph` role (and `cephOsds`), or keep the file store (`file`).'),
      ['storage', 'images'],
      'value',
      ['file'],
    );
}

function checkNodes(cloud: ResolvedCloud, add: Add): void {
  const cidr = cloud.managementCidr ? parseCidr(cloud.managementCidr) : undefined;
  const seen = new Map<string, string>();
  // Which nodes each name of /etc/hosts belongs to (node/duplicate-hostname), built once: a fleet where
  // every node has a `hostname` would otherwise compare every node with every other.
  const owners = new Map<string, ResolvedNode[]>();
  const order = new Map(cloud.nodes.map((n, i) => [n, i]));
  for (const n of cloud.nodes) for (const x of namesOf(n)) (owners.get(x) ?? owners.set(x, []).get(x)!).push(n);
  for (const n of cloud.nodes) {
    const path = ['nodes', n.name, 'address'];
    if (ipv4ToInt(n.address) === undefined) continue; // the schema reports it
    const first = seen.get(n.address);
    if (first) add('node/duplicate-address', 'error', t('Address {0} is already used by node `{1}`: every node needs its own address.', n.address, first), path, 'value');
    else seen.set(n.address, n.name);
    if (cidr && !inCidr(n.address, cidr)) {
      add('node/address-outside-cidr', 'warning', t('Address {0} of `{1}` is outside the management network {2}.', n.address, n.name, cloud.managementCidr ?? ''), path, 'value');
    } else if (cidr && isNetworkOrBroadcast(n.address, cidr)) {
      add('node/reserved-address', 'error', t('{0} is the network or broadcast address of {1}, not a host address.', n.address, cloud.managementCidr ?? ''), path, 'value');
    }
    // Names /etc/hosts gives two nodes would resolve to one of them; nova and neutron would take two hosts for one.
    if (n.hostname !== n.name) {
      const other = namesOf(n)
        .flatMap((x) => owners.get(x) ?? [])
        .filter((o) => o !== n)
        .sort((a, b) => order.get(a)! - order.get(b)!)[0];
      if (other)
        add(
          'node/duplicate-hostname',
          'error',
          t('Host name {0} is also a name of node `{1}`: every node needs names of its own (nova and neutron know a node by its host name).', n.hostname, other.name),
          ['nodes', n.name, 'hostname'],
          'value',
        );
    }
    if (n.lvmDevices.length && !n.services.includes('cinder-volume'))
      add(
        'node/lvm-devices-unused',
        'warning',
        t('`{0}` does not run cinder-volume (the `block` role), so nothing makes these devices a volume group.', n.name),
        ['nodes', n.name, 'lvmDevices'],
        'key',
      );
    else if (n.lvmDevices.length && volumeBackend(cloud) === 'rbd')
      add('node/lvm-devices-unused', 'warning', t("cinder's volumes go to Ceph (a node has the `ceph` role), so nothing makes these devices a volume group."), ['nodes', n.name, 'lvmDevices'], 'key');
    if (n.services.includes('ceph-osd') && !n.cephOsds.length)
      add('node/no-ceph-osds', 'error', t('`{0}` runs ceph-osd (the `ceph` role) but lists no `cephOsds`: give it at least one, e.g. `cephOsds: [{ size: 10G }]`.', n.name), ['nodes', n.name], 'key');
    if (n.cephOsds.length && !n.services.includes('ceph-osd'))
      add('node/ceph-osds-unused', 'warning', t('`{0}` does not run ceph-osd (the `ceph` role), so these OSDs are not made.', n.name), ['nodes', n.name, 'cephOsds'], 'key');
    if (n.services.length === 0) add('node/no-services', 'warning', t('Node `{0}` runs nothing: give it `roles` ({1}) or `services`.', n.name, Object.keys(ROLES).join(', ')), ['nodes', n.name]);
  }
}

function checkNtp(cloud: ResolvedCloud, add: Add): void {
  const names = cloud.nodes.map((n) => n.name);
  const server = cloud.ntp.server;
  const chronyNodes = cloud.nodes.filter((n) => n.services.includes('chrony'));
  if (server && !names.includes(server)) {
    const s = didYouMean(server, names);
    add('ref/unknown-node', 'error', t('`ntp.server` names node `{0}`, which is not in `nodes`', server) + (s.length ? t(' — did you mean `{0}`?', s[0]!) : ''), ['ntp', 'server'], 'value', s);
  } else if (server && chronyNodes.length && !chronyNodes.some((n) => n.name === server)) {
    add('ntp/server-without-chrony', 'error', t('The NTP server node `{0}` does not run `chrony`: the other nodes would sync from nothing.', server), ['ntp', 'server'], 'value');
  } else if (!server && chronyNodes.length) {
    add('ntp/no-server', 'warning', t('No NTP server node: set `ntp.server` or give a node the `controller` role.'), ['ntp']);
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
        const why = m && !cloud.profile.networkMechanisms.includes(m) ? t('the {0} mechanism is not in {1}', m, cloud.release) : t('ostopo has no packages for it there');
        add('profile/service-unavailable', 'error', t('`{0}` is not available on {1}: {2}.', s, cloud.profile.title, why), placementPath(doc, n, s), 'value');
        continue;
      }
      const missing = REGISTRY[s].requires.filter((r) => !placed.has(r));
      if (missing.length) {
        add(
          'service/missing-prerequisite',
          'error',
          missing.length > 1
            ? t('`{0}` on `{1}` needs {2} somewhere in the cloud, and no node runs them.', s, n.name, missing.map((m) => `\`${m}\``).join(', '))
            : t('`{0}` on `{1}` needs {2} somewhere in the cloud, and no node runs it.', s, n.name, `\`${missing[0]}\``),
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
        t("`{0}` runs on `{1}` already: ostopo deploys one {0} per cloud (the guide's single controller).", s, hosts[0]!.name),
        placementPath(doc, extra, s),
        'value',
        undefined,
        { service: s, host: hosts[0]!.name },
      );
    }
  }
}

function checkSecrets(cloud: ResolvedCloud, doc: ParsedDocument, add: Add, file: SecretsFile | undefined, keychain: boolean): void {
  const needed = neededSecrets(cloud);
  for (const [name, services] of needed) {
    if (!cloud.secrets.has(name)) {
      add(
        'secret/missing',
        'error',
        cloud.secretsFile
          ? t('Missing secret `{0}`, needed by {1}. Add it under `secrets` or to {2} (`ostopo secrets generate` fills it).', name, [...services].join(', '), cloud.secretsFile)
          : t('Missing secret `{0}`, needed by {1}. Add it under `secrets`, as a value or `${env:NAME}`, or let `ostopo secrets generate` write it to a secrets file.', name, [...services].join(', ')),
        doc.get(['secrets']) ? ['secrets'] : [],
        'key',
        undefined,
        { secret: name, services: [...services] },
      );
    }
  }
  for (const [name, s] of cloud.secrets) {
    if (s.file !== undefined) {
      checkFileSecret(name, s.value ?? '', s.file, needed.has(name as SecretName), add);
      continue;
    }
    const path = ['secrets', name];
    if (!isSecretName(name)) {
      const sugg = didYouMean(name, SECRET_NAMES);
      add('secret/unknown-name', 'warning', t('ostopo uses no secret named `{0}`', clip(name)) + (sugg.length ? t(' — did you mean `{0}`?', sugg[0]!) : '.'), path, 'key', sugg);
      continue;
    }
    if (file?.values.has(name)) add('secret/shadowed', 'warning', t('`{0}` is also in {1}: the value here is the one used.', name, file.path), path, 'key');
    const ref = parseSecretRef(s.raw);
    if (ref.malformed) {
      add('secret/bad-reference', 'error', t('`{0}`: a reference is written `${env:VARIABLE}` (letters, digits and _); in a literal, write `$${` for `${`.', name), path, 'value');
      continue;
    }
    if (s.keychain && s.value === undefined) {
      add(
        'secret/keychain-unset',
        'warning',
        keychain
          ? t('`{0}` is kept in the OS keychain (VS Code), which has no value for it yet: run "ostopo: Store Secret in Keychain".', name)
          : t('`{0}` is kept only in the OS keychain of VS Code (SecretStorage), which the CLI cannot read: deploy from VS Code, or give it a value in the secrets file or the environment.', name),
        path,
        'value',
      );
      continue;
    }
    if (s.env && s.value === undefined) {
      add('secret/env-unset', 'warning', t('`{0}` comes from environment variable {1}, which is not set here: render and deploy need it.', name, s.env), path, 'value');
      continue;
    }
    if (s.value !== undefined && /[\r\n\0]/.test(s.value)) {
      add('value/line-break', 'error', t('`{0}` contains a line break or NUL, which would break the config files it is written to.', name), path, 'value');
      continue;
    }
    const weak = s.value !== undefined ? weakness(name, s.value) : undefined;
    if (weak && needed.has(name)) add('secret/weak', 'warning', t('`{0}` is weak: {1}.', name, weak) + (s.env ? t(' (from {0})', s.env) : ''), path, 'value');
  }
}

/** A secret of the secrets file: its findings sit on the topology's `secretsFile` line and name the file's line. */
function checkFileSecret(name: string, value: string, file: string, needed: boolean, add: Add): void {
  const where = ['secretsFile'];
  if (!isSecretName(name)) {
    const sugg = didYouMean(name, SECRET_NAMES);
    add('secret/unknown-name', 'warning', t('{0}: ostopo uses no secret named `{1}`', file, clip(name)) + (sugg.length ? t(' — did you mean `{0}`?', sugg[0]!) : '.'), where, 'value', sugg);
  } else if (/[\r\n\0]/.test(value)) {
    add('value/line-break', 'error', t('`{0}` contains a line break or NUL, which would break the config files it is written to.', name) + t(' (from {0})', file), where, 'value');
  } else {
    const weak = weakness(name, value);
    if (weak && needed) add('secret/weak', 'warning', t('`{0}` is weak: {1}.', name, weak) + t(' (from {0})', file), where, 'value');
  }
}

/**
 * Did-you-mean for unknown names of the option catalog, for the first MAX_SUGGESTED of them: each search
 * compares with every name of a section (hundreds), and past a few hundred unknown names a suggestion
 * helps nobody while the searches would make validation slow.
 */
const MAX_SUGGESTED = 200;

/**
 * Unknown options reported one by one in a section, at most: past that, one finding on the section says
 * how many more there are. A section of thousands of unknown options is a file pasted in the wrong
 * place, and tens of thousands of findings would only make the editor and the CLI slow to show them.
 */
export const MAX_UNKNOWN_PER_SECTION = 1000;

function checkConfig(cloud: ResolvedCloud, add: Add): void {
  const profile = cloud.profile;
  let searches = 0;
  const suggest = (word: string, candidates: () => string[]) => (searches++ < MAX_SUGGESTED ? didYouMean(word, candidates()) : []);
  const renders = (n: ResolvedNode, project: string) => n.services.some((s) => REGISTRY[s].project === project);
  // `node`: the node of a node's own overrides (undefined for the global `config`).
  const scopes: { overrides: ConfigOverrides; base: YamlPath; nodes: ResolvedNode[]; node?: string }[] = [
    { overrides: cloud.config, base: ['config'], nodes: cloud.nodes },
    ...cloud.nodes.map((n) => ({ overrides: n.config, base: ['nodes', n.name, 'config'], nodes: [n], node: n.name })),
  ];
  // Checked against the row's own catalog only (catalogFor).
  const choice = catalogFor(profile);
  for (const { overrides, base, nodes, node } of scopes) {
    if (!overrides || typeof overrides !== 'object') continue;
    for (const [project, files] of Object.entries(overrides)) {
      if (!files || typeof files !== 'object') continue;
      const rendered = nodes.some((n) => renders(n, project));
      for (const [file, sections] of Object.entries(files)) {
        const def = CONFIG_FILE_BY_NAME.get(`${project}/${file}`);
        if (!def) continue; // schema
        const fpath = [...base, project, file];
        if (profile && file === 'nova-compute.conf' && !profile.extraConfigFiles.includes(file)) {
          add('config/file-not-in-profile', 'error', t('The {0} profile has no {1}: put these options in nova.conf.', profile.title, file), fpath, 'key', ['nova.conf']);
          continue;
        }
        if (!rendered) {
          add(
            'config/not-rendered',
            'warning',
            node
              ? t('Node `{0}` runs no {1} service, so this {2} override changes nothing.', node, project, file)
              : t('No node runs a {0} service, so this {1} override changes nothing.', project, file),
            fpath,
          );
          continue;
        }
        if (!sections || typeof sections !== 'object') continue;
        if (def.format === 'keyvalue' && !nodes.some((n) => n.services.includes('nova-compute'))) {
          add(
            'config/not-rendered',
            'warning',
            node
              ? t('Node `{0}` does not run nova-compute, so this {1} override changes nothing (it is written where nova-compute uses libvirt).', node, file)
              : t('No node runs nova-compute, so this {0} override changes nothing (it is written where nova-compute uses libvirt).', file),
            fpath,
          );
          continue;
        }
        if (def.format === 'python') {
          checkPySettingsFile(def.catalog, file, sections as Record<string, unknown>, fpath, add, suggest);
          continue;
        }
        if (def.format === 'keyvalue') {
          checkKeyValueFile(def.catalog, file, sections as Record<string, unknown>, fpath, add, suggest);
          continue;
        }
        const catalog = def.catalog && choice?.own ? fileOptions(choice.release, def.catalog.service, def.catalog.file) : undefined;
        for (const [section, opts] of Object.entries(sections)) {
          const spath = [...fpath, section];
          // cinder's backend sections (named in enabled_backends: the guide's [lvm]) take backend_defaults' options.
          const known = own(catalog, section) ?? (file === 'cinder.conf' ? own(catalog, 'backend_defaults') : undefined);
          if (catalog && !known && !/^(fs|file|rbd|swift|cinder|http|os_glance_.*|mdev_.*|backend.*)$/.test(section)) {
            const sugg = suggest(section, () => Object.keys(catalog));
            add(
              'config/unknown-section',
              'warning',
              t('{0} has no section [{1}] in {2}', file, clip(section), cloud.release) + (sugg.length ? t(' — did you mean [{0}]?', sugg[0]!) : '.'),
              spath,
              'key',
              sugg,
            );
            continue;
          }
          if (!opts || typeof opts !== 'object') continue;
          // A keystoneauth section takes the options of whichever auth_type plugin it names.
          const dynamic = !!own(known, 'auth_type');
          const plugin = dynamic && choice ? authPluginOptions(choice.release) : undefined;
          let unknown = 0;
          for (const [option, value] of Object.entries(opts)) {
            const opath = [...spath, option];
            if (hasLineBreak(value)) {
              add('value/line-break', 'error', t('[{0}] {1}: a value cannot contain a line break; it would end the option and start garbage lines in {2}.', section, option, file), opath, 'value');
              continue;
            }
            if (!known) continue;
            const info: OptionInfo | undefined = own(known, option) ?? own(plugin, option);
            if (!info) {
              if (++unknown > MAX_UNKNOWN_PER_SECTION) continue;
              const sugg = suggest(option, () => [...Object.keys(known), ...Object.keys(plugin ?? {})]);
              // The service would ignore it without a word. Where the section's options are fixed, that is
              // an error; where they depend on the auth plugin, a warning.
              add(
                'config/unknown-option',
                dynamic ? 'warning' : 'error',
                t("[{0}] has no option `{1}` in {2}'s {3}", section, clip(option), cloud.release, file) +
                  (dynamic ? t(' (nor does the password auth plugin)') : '') +
                  (sugg.length ? t(' — did you mean `{0}`?', sugg[0]!) : '.') +
                  (dynamic ? '' : t(' The service would ignore it.')),
                opath,
                'key',
                sugg,
              );
              continue;
            }
            // A number that is not finite is the schema's (schema/range).
            const problem = value === null || (typeof value === 'number' && !Number.isFinite(value)) ? undefined : typeProblem(info, value);
            if (problem) add('config/option-type', 'warning', `[${section}] ${option}: ${problem}`, opath, 'value');
            if (info.x) add('config/deprecated-option', 'info', t('[{0}] {1} is deprecated for removal: {2}', section, option, info.h), opath, 'key');
          }
          if (unknown > MAX_UNKNOWN_PER_SECTION)
            add(
              'config/unknown-option',
              dynamic ? 'warning' : 'error',
              t(
                "[{0}] has {1} more options that {2}'s {3} does not have, not reported one by one (the first {4} are).",
                section,
                unknown - MAX_UNKNOWN_PER_SECTION,
                cloud.release,
                file,
                MAX_UNKNOWN_PER_SECTION,
              ),
              spath,
              'key',
            );
        }
      }
    }
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
  if (Array.isArray(value) && !['l', 'm'].includes(info.t)) return t('a list is given, but this option takes one value.');
  for (const v of vals) {
    const s = String(v);
    if (info.t === 'b' && !/^(true|false|yes|no|on|off|1|0)$/i.test(s)) return t('expects true or false, not {0}.', clip(JSON.stringify(v)));
    if ((info.t === 'i' || info.t === 'p') && !/^-?\d+$/.test(s)) return t('expects a whole number, not {0}.', clip(JSON.stringify(v)));
    if (info.t === 'p' && (Number(s) < 0 || Number(s) > 65535)) return t('expects a port (0-65535), not {0}.', s);
    if (info.t === 'f' && Number.isNaN(Number(s))) return t('expects a number, not {0}.', clip(JSON.stringify(v)));
    if (info.c && info.c.length && info.t !== 'l' && !info.c.map(String).includes(s)) return t('expects one of {0}, not {1}.', info.c.map(String).join(', '), clip(JSON.stringify(v)));
  }
  return undefined;
}
