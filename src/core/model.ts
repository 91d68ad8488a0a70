import { isRoleId, isServiceId, PlacementContext, placedBy, RoleId, SERVICE_IDS, ServiceId } from './services/registry';
import { IMAGE_STORE_IDS, ImageStoreId } from './services/glance';
import { own } from './own';
import { findProfile, NETWORK_MECHANISMS, NetworkMechanism, OVS_DATAPATHS, OvsDatapath, Profile, releaseId } from './profiles';

/** The topology after defaults and role expansion: what validators (semantic part) and renderers read. */
/** SSH settings as the topology writes them (node over defaults); unset values come from `ssh -G` or defaults. */
export interface SshSettings {
  user?: string;
  port?: number;
  identityFile?: string;
  host?: string;
  knownHostsFile?: string;
}

export interface ResolvedNode {
  name: string;
  /** Its host name (`hostname`, default its name): what nova and neutron report it as. */
  hostname: string;
  address: string;
  roles: RoleId[];
  /** Services in catalog order (roles expanded, explicit ones added). */
  services: ServiceId[];
  providerInterface?: string;
  /** Address of its VXLAN tunnel endpoint (`overlayAddress`; default: its management address). */
  overlayAddress: string;
  /** Block devices made into its LVM volume group for cinder-volume (`lvmDevices`: the guide's /dev/sdb). */
  lvmDevices: string[];
  /** Its Ceph OSDs (`cephOsds`): BlueStore on a sparse file of this size (`10G`), one OSD each. */
  cephOsds: { size: string }[];
  ssh: SshSettings;
  config: ConfigOverrides;
}

/** A host name's first label: what `hostname -s` prints, and how neutron's and libvirt's host lists are compared. */
export function shortName(hostname: string): string {
  return hostname.split('.')[0]!;
}

/** The names /etc/hosts gives a node: its host name first (the canonical one, `hostname -f`), its short form, its name. */
export function namesOf(n: Pick<ResolvedNode, 'name' | 'hostname'>): string[] {
  return [...new Set([n.hostname, shortName(n.hostname), n.name])];
}

/** `<project>.<file>.<section>.<option>: value` as written in the topology (validated by the schema). */
export type OptionValue = string | number | boolean | null | (string | number | boolean)[];
export type ConfigOverrides = Record<string, Record<string, Record<string, Record<string, OptionValue> | null> | null>>;

/**
 * An option as the topology sets it for a node's file (`config.<project>.<file>.<section>.<option>`): the
 * node's override, else the cloud's; undefined where neither sets it (null: an override that removes it).
 */
export function overridden(node: { config: ConfigOverrides }, cloud: { config: ConfigOverrides }, project: string, file: string, section: string, option: string): unknown {
  for (const layer of [node.config, cloud.config]) {
    const v = layer?.[project]?.[file]?.[section]?.[option];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** A string option as the topology sets it for a node's file; undefined where it sets none. */
export function overriddenString(node: { config: ConfigOverrides }, cloud: { config: ConfigOverrides }, project: string, file: string, section: string, option: string): string | undefined {
  const v = overridden(node, cloud, project, file, section, option);
  return typeof v === 'string' ? v : undefined;
}

export interface SecretValue {
  name: string;
  /** As written: a literal (`$${` standing for `${`) or `${env:NAME}`. */
  raw: string;
  /** Environment variable it comes from, if a reference. */
  env?: string;
  /** The value, or undefined when the referenced variable is not set. */
  value?: string;
  /** The secrets file it comes from (`secretsFile`, as written), when the topology's `secrets` do not set it. */
  file?: string;
  /** Written `${keychain}`: kept in VS Code's SecretStorage (the OS keychain), which only the editor reads. */
  keychain?: true;
}

export interface ResolvedCloud {
  name: string;
  release: string;
  os: string;
  profile?: Profile;
  region: string;
  managementCidr?: string;
  provider?: ProviderNetwork;
  /** The guide's networking option 2: self-service (VXLAN) networks routed to the provider network. */
  selfservice?: SelfServiceNetwork;
  /** The ML2 mechanism of instance networks (`networks.mechanism`, else the profile's default). */
  mechanism?: NetworkMechanism;
  /** Open vSwitch's datapath (`networks.ovsDatapath`): set with the openvswitch mechanism only. */
  ovsDatapath?: OvsDatapath;
  ntp: { servers: string[]; server?: string; allow: string[] };
  /** The secrets file (`secretsFile`), as written: relative to the topology's folder, or absolute. */
  secretsFile?: string;
  /** Where packages come from (`repositories`), when the topology says; else the nodes' own sources. */
  repositories?: Repositories;
  /** Worker processes of every API and daemon; undefined keeps the services' defaults. */
  workers?: number;
  /** The guide's sample identity objects (`guideSamples`, default true): example domain, myproject, myuser, myrole, demo-openrc. */
  guideSamples: boolean;
  /** `cloudsYaml.passwords`: the passwords go into secure.yaml beside clouds.yaml. */
  cloudsYamlPasswords: boolean;
  /** Where glance keeps images (`storage.images`, default the file store). */
  imageStore: ImageStoreId;
  /** What verify's "Launch an instance" boots (`verify.image`): local files, relative to the topology. */
  verifyImage?: VerifyImage;
  nodes: ResolvedNode[];
  secrets: Map<string, SecretValue>;
  config: ConfigOverrides;
}

/** `networks.provider`: the physical network instances reach the outside through. */
export interface ProviderNetwork {
  /** Physical network name in neutron (flat_networks, interface/bridge mappings). */
  name: string;
  interface?: string;
  cidr?: string;
  gateway?: string;
  allocationPool?: { start?: string; end?: string };
  dns: string[];
}

/** `networks.selfservice`: VXLAN networks of projects, and the one verify creates. */
export interface SelfServiceNetwork {
  /** VXLAN VNI range `first:last` of ML2. */
  vniRange: string;
  cidr: string;
  gateway?: string;
}

export const DEFAULT_PROVIDER_NAME = 'provider';
export const DEFAULT_VNI_RANGE = '1:1000';
export const DEFAULT_SELFSERVICE_CIDR = '172.16.1.0/24';

/** `verify.image`: a kernel and ramdisk booted directly (`kernel`, `ramdisk`), or a bootable disk image (`disk`). */
export interface VerifyImage {
  kernel?: string;
  ramdisk?: string;
  disk?: string;
}

/** The topology's `repositories`: base URLs and extra GPG keys (armored text or URLs). */
export interface Repositories {
  os?: string;
  security?: string;
  openstack?: string;
  gpgKeys: string[];
}

export type Env = Record<string, string | undefined>;

/** The value VS Code's keychain (SecretStorage) holds for a secret of a cloud; the CLI has none. */
export type KeychainLookup = (cloud: string, name: string) => string | undefined;

/** A secret kept in VS Code's keychain (SecretStorage) only: the topology says so, the value is not in any file. */
export const KEYCHAIN_REF = '${keychain}';

const ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** `$${` in a literal secret: a literal `${` (any other `${` starts a reference). */
const ESCAPED_OPEN = /\$\$\{/g;

/**
 * A secret as written: `${env:NAME}` (env), or a literal whose value is `literal`, in which `$${` stands
 * for a literal `${` (left to right: `$$${` is `$` then `${`); any other `${` is a malformed reference.
 */
export function parseSecretRef(raw: string): { env?: string; keychain?: true; malformed: boolean; literal?: string } {
  if (raw === KEYCHAIN_REF) return { keychain: true, malformed: false };
  const m = ENV_REF.exec(raw);
  if (m) return { env: m[1], malformed: false };
  if (raw.replace(ESCAPED_OPEN, '').includes('${')) return { malformed: true };
  return { malformed: false, literal: raw.replace(ESCAPED_OPEN, '${') };
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function sshOf(v: unknown, base: SshSettings): SshSettings {
  const o = obj(v);
  const out: SshSettings = { ...base };
  if (typeof o.user === 'string') out.user = o.user;
  if (typeof o.port === 'number' && Number.isInteger(o.port)) out.port = o.port;
  if (typeof o.identityFile === 'string') out.identityFile = o.identityFile;
  if (typeof o.host === 'string') out.host = o.host;
  if (typeof o.knownHostsFile === 'string') out.knownHostsFile = o.knownHostsFile;
  return out;
}

/** Expands roles, applies defaults. Tolerates any input shape: the schema check reports what is wrong. */
export function resolveTopology(value: unknown, env: Env = process.env, keychain?: KeychainLookup): ResolvedCloud {
  const root = obj(value);
  // `release: 2025.1` is a YAML number: the release is the text it stands for (releaseId: also `epoxy`).
  const release = releaseId(typeof root.release === 'number' ? String(root.release) : (str(root.release) ?? ''));
  const os = str(root.os) ?? '';
  const networks = obj(root.networks);
  const mgmt = obj(networks.management);
  const prov = networks.provider === undefined ? undefined : obj(networks.provider);
  const self = networks.selfservice === undefined ? undefined : obj(networks.selfservice);
  const sshDefaults = sshOf(root.ssh, {});
  const profile = findProfile(os, release);
  const written = str(networks.mechanism);
  const mechanism = NETWORK_MECHANISMS.some((m) => m.id === written) ? (written as NetworkMechanism) : profile?.networkMechanisms[0];
  const blockNode = Object.values(obj(root.nodes)).some((n) => strList(obj(n).roles).includes('block'));
  const placement: PlacementContext = { networks: !!prov || !!self, selfservice: !!self, mechanism, blockNode };

  const nodes: ResolvedNode[] = [];
  for (const [name, raw] of Object.entries(obj(root.nodes))) {
    const n = obj(raw);
    const roles = strList(n.roles).filter(isRoleId);
    const set = new Set<ServiceId>();
    for (const r of roles) for (const s of placedBy(r, placement)) set.add(s);
    for (const s of strList(n.services)) if (isServiceId(s)) set.add(s);
    nodes.push({
      name,
      hostname: str(n.hostname) ?? name,
      address: str(n.address) ?? '',
      roles,
      services: SERVICE_IDS.filter((s) => set.has(s)),
      providerInterface: str(n.providerInterface) ?? (prov ? str(prov.interface) : undefined),
      overlayAddress: str(n.overlayAddress) ?? str(n.address) ?? '',
      lvmDevices: strList(n.lvmDevices),
      cephOsds: (Array.isArray(n.cephOsds) ? n.cephOsds : []).flatMap((o) => {
        const size = str(obj(o).size);
        return size ? [{ size }] : [];
      }),
      ssh: sshOf(n.ssh, sshDefaults),
      config: obj(n.config) as ConfigOverrides,
    });
  }

  const secrets = new Map<string, SecretValue>();
  for (const [name, raw] of Object.entries(obj(root.secrets))) {
    if (typeof raw !== 'string' && typeof raw !== 'number') continue;
    const text = String(raw);
    const ref = parseSecretRef(text);
    secrets.set(
      name,
      ref.env
        ? { name, raw: text, env: ref.env, value: envValue(env, ref.env) }
        : ref.keychain
          ? { name, raw: text, keychain: true, value: keychain?.(str(root.name) ?? 'cloud', name) }
          : { name, raw: text, value: ref.literal ?? text },
    );
  }

  const ntp = obj(root.ntp);
  const repos = root.repositories === undefined ? undefined : obj(root.repositories);
  const cidr = str(mgmt.cidr);
  const controller = nodes.find((n) => n.roles.includes('controller'));
  const vimg = obj(obj(root.verify).image);
  const workers = typeof root.workers === 'number' && Number.isInteger(root.workers) && root.workers > 0 ? root.workers : undefined;
  return {
    name: str(root.name) ?? 'cloud',
    release,
    os,
    profile,
    region: str(root.region) ?? 'RegionOne',
    secretsFile: typeof root.secretsFile === 'string' && root.secretsFile !== '' ? root.secretsFile : undefined,
    managementCidr: cidr,
    provider: prov && {
      name: str(prov.name) ?? DEFAULT_PROVIDER_NAME,
      interface: str(prov.interface),
      cidr: str(prov.cidr),
      gateway: str(prov.gateway),
      allocationPool: prov.allocationPool === undefined ? undefined : { start: str(obj(prov.allocationPool).start), end: str(obj(prov.allocationPool).end) },
      dns: strList(prov.dns),
    },
    selfservice: self && {
      vniRange: str(self.vniRange) ?? DEFAULT_VNI_RANGE,
      cidr: str(self.cidr) ?? DEFAULT_SELFSERVICE_CIDR,
      gateway: str(self.gateway),
    },
    mechanism,
    ovsDatapath: mechanism === 'openvswitch' ? (OVS_DATAPATHS.find((d) => d.id === networks.ovsDatapath) ?? OVS_DATAPATHS[0]).id : undefined,
    ntp: {
      servers: Array.isArray(ntp.servers) ? strList(ntp.servers) : ['pool.ntp.org'],
      server: str(ntp.server) ?? controller?.name ?? nodes.find((n) => n.services.includes('chrony'))?.name,
      allow: Array.isArray(ntp.allow) ? strList(ntp.allow) : cidr ? [cidr] : [],
    },
    repositories: repos && {
      os: str(repos.os),
      security: str(repos.security),
      openstack: str(repos.openstack),
      gpgKeys: Array.isArray(repos.gpgKeys) ? strList(repos.gpgKeys) : [],
    },
    workers,
    guideSamples: root.guideSamples !== false,
    cloudsYamlPasswords: obj(root.cloudsYaml).passwords === true,
    imageStore: IMAGE_STORE_IDS.find((x) => x === obj(root.storage).images) ?? 'file',
    verifyImage: root.verify === undefined || obj(root.verify).image === undefined ? undefined : { kernel: str(vimg.kernel), ramdisk: str(vimg.ramdisk), disk: str(vimg.disk) },
    nodes,
    secrets,
    config: obj(root.config) as ConfigOverrides,
  };
}

/** A variable of the environment: `${env:constructor}` names no variable, whatever the environment object inherits. */
function envValue(env: Env, name: string): string | undefined {
  const v = own(env, name);
  return typeof v === 'string' ? v : undefined;
}

/** Nodes running a service, in topology order. */
export function hostsOf(cloud: ResolvedCloud, service: ServiceId): ResolvedNode[] {
  return cloud.nodes.filter((n) => n.services.includes(service));
}
