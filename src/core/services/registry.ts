import { NetworkMechanism, Profile, rowEntry } from '../profiles';
import { chrony, etcd, mariadb, memcached, rabbitmq } from './infra';
import { cephMgr, cephMon, cephOsd } from './ceph';
import { cinderApi, cinderScheduler, cinderVolume } from './cinder';
import { glance, ImageStoreId } from './glance';
import { horizon } from './horizon';
import { keystone } from './keystone';
import { neutronDhcpAgent, neutronL3Agent, neutronLinuxbridgeAgent, neutronMetadataAgent, neutronOpenvswitchAgent, neutronServer } from './neutron';
import { novaApi, novaApiMetadata, novaCompute, novaConductor, novaNovncproxy, novaScheduler } from './nova';
import { placement } from './placement';
import type { ConfigFileDef, ServiceDescriptor, ServiceOnProfile } from './types';

/**
 * The service registry: the only list of services. Every other module (render, validation, completion,
 * hover, the schema, verify, the tree) reads services from here. The order is the install guide's; the
 * render order is derived from each descriptor's `after` (see renderOrder) and equals it.
 */
export const SERVICE_IDS = [
  'chrony',
  'mariadb',
  'rabbitmq',
  'memcached',
  'etcd',
  'keystone',
  'glance',
  'placement',
  'nova-api',
  'nova-api-metadata',
  'nova-scheduler',
  'nova-conductor',
  'nova-novncproxy',
  'nova-compute',
  'neutron-server',
  'neutron-linuxbridge-agent',
  'neutron-openvswitch-agent',
  'neutron-dhcp-agent',
  'neutron-metadata-agent',
  'neutron-l3-agent',
  'horizon',
  'ceph-mon',
  'ceph-mgr',
  'ceph-osd',
  'cinder-api',
  'cinder-scheduler',
  'cinder-volume',
] as const;
export type ServiceId = (typeof SERVICE_IDS)[number];

/** Every descriptor, by id (a missing or extra one is a compile error). */
export const REGISTRY: Readonly<Record<ServiceId, ServiceDescriptor>> = {
  chrony,
  mariadb,
  rabbitmq,
  memcached,
  etcd,
  keystone,
  glance,
  placement,
  'nova-api': novaApi,
  'nova-api-metadata': novaApiMetadata,
  'nova-scheduler': novaScheduler,
  'nova-conductor': novaConductor,
  'nova-novncproxy': novaNovncproxy,
  'nova-compute': novaCompute,
  'neutron-server': neutronServer,
  'neutron-linuxbridge-agent': neutronLinuxbridgeAgent,
  'neutron-openvswitch-agent': neutronOpenvswitchAgent,
  'neutron-dhcp-agent': neutronDhcpAgent,
  'neutron-metadata-agent': neutronMetadataAgent,
  'neutron-l3-agent': neutronL3Agent,
  horizon,
  'ceph-mon': cephMon,
  'ceph-mgr': cephMgr,
  'ceph-osd': cephOsd,
  'cinder-api': cinderApi,
  'cinder-scheduler': cinderScheduler,
  'cinder-volume': cinderVolume,
};

/** The projects the services belong to, in the guide's order: `config.<project>` overrides their files. */
export const PROJECT_IDS = ['chrony', 'mariadb', 'rabbitmq', 'memcached', 'etcd', 'keystone', 'glance', 'placement', 'nova', 'neutron', 'horizon', 'ceph', 'cinder'] as const;
export type ProjectId = (typeof PROJECT_IDS)[number];

export const ROLE_IDS = ['controller', 'network', 'compute', 'block', 'ceph'] as const;
export type RoleId = (typeof ROLE_IDS)[number];

/** The guide's secret names that ostopo knows (a service may need them or not yet). */
export const SECRETS = {
  ADMIN_PASS: 'Password of the `admin` user (keystone bootstrap, admin-openrc).',
  DEMO_PASS: 'Password of the demo user `myuser` in project `myproject` (demo-openrc).',
  DB_ROOT_PASS: "Password of the database `root` user (the guide's mysql_secure_installation step).",
  RABBIT_PASS: "Password of the RabbitMQ user `openstack`; part of every service's `transport_url`.",
  KEYSTONE_DBPASS: 'Database password of the keystone database user.',
  GLANCE_DBPASS: 'Database password of the glance database user.',
  GLANCE_PASS: 'Password of the keystone user `glance`.',
  PLACEMENT_DBPASS: 'Database password of the placement database user.',
  PLACEMENT_PASS: 'Password of the keystone user `placement`.',
  NOVA_DBPASS: 'Database password of the nova database user (nova_api, nova, nova_cell0).',
  NOVA_PASS: 'Password of the keystone user `nova`.',
  NEUTRON_DBPASS: 'Database password of the neutron database user.',
  NEUTRON_PASS: 'Password of the keystone user `neutron`.',
  METADATA_SECRET: 'Shared secret between nova and the neutron metadata agent.',
  CINDER_DBPASS: 'Database password of the cinder database user.',
  CINDER_PASS: 'Password of the keystone user `cinder`.',
  CEPH_MON_KEY: "Ceph's monitor key (`mon.`): the monitors authenticate each other with it. A cephx key (`ostopo secrets generate` makes one; `ceph-authtool --gen-print-key` too).",
  CEPH_ADMIN_KEY: "Ceph's `client.admin` key: the ceph nodes' /etc/ceph/ceph.client.admin.keyring, with every capability. A cephx key.",
  CEPH_CINDER_KEY: "Ceph's `client.cinder` key (RBD on the pools `volumes` and `images`): cinder-volume's keyring, and the libvirt secret nova-compute attaches volumes with. A cephx key.",
  CEPH_GLANCE_KEY: "Ceph's `client.glance` key (RBD on the pool `images`): glance-api's keyring where images are kept in Ceph (`storage.images: rbd`). A cephx key.",
  DASH_DBPASS: 'Database password of the dashboard (horizon).',
  HEAT_DBPASS: 'Database password of the heat database user.',
  HEAT_DOMAIN_PASS: 'Password of the `heat_domain_admin` user of the `heat` domain.',
  HEAT_PASS: 'Password of the keystone user `heat`.',
  CEILOMETER_PASS: 'Password of the keystone user `ceilometer`.',
  SWIFT_PASS: 'Password of the keystone user `swift`.',
} as const;
export type SecretName = keyof typeof SECRETS;

/** Secrets whose value has a form of its own (generated and checked as such); the others are passwords. */
export const SECRET_FORMATS: Partial<Record<SecretName, 'cephx'>> = { CEPH_MON_KEY: 'cephx', CEPH_ADMIN_KEY: 'cephx', CEPH_CINDER_KEY: 'cephx', CEPH_GLANCE_KEY: 'cephx' };
export const SECRET_NAMES = Object.keys(SECRETS) as SecretName[];

/**
 * The guide's secrets of services ostopo does not deploy yet, with the service that uses them: known
 * names (a topology written for the whole guide keeps them without a warning), said so in hovers. A
 * test keeps it true: no descriptor uses these, and every other secret is used by one.
 */
export const SECRETS_OF_UNDEPLOYED: Partial<Record<SecretName, string>> = {
  DASH_DBPASS: "horizon's sessions in a database (ostopo keeps them in memcached, as the guide does)",
  HEAT_DBPASS: 'heat (Orchestration)',
  HEAT_DOMAIN_PASS: 'heat (Orchestration)',
  HEAT_PASS: 'heat (Orchestration)',
  CEILOMETER_PASS: 'ceilometer (Telemetry)',
  SWIFT_PASS: 'swift (Object Storage)',
};

export interface RoleDef {
  id: RoleId;
  description: string;
  /** The services it places, in registry order (from the descriptors' `roles`). */
  services: ServiceId[];
}

const ROLE_DESCRIPTIONS: Record<RoleId, string> = {
  controller:
    "The guide's controller node: chrony server, MariaDB, RabbitMQ, Memcached, etcd, keystone, glance, placement, the nova control services (with the metadata API when the topology has instance networks), the neutron server, the dashboard (horizon), and cinder's API and scheduler when a node has the `block` role.",
  network:
    "The guide's network node (networking option 2 runs it on the controller): the L2 agent of the cloud's mechanism, the DHCP and metadata agents, and the L3 agent when `networks.selfservice` is set. Needs a provider or self-service network in `networks`.",
  compute: "A compute node: chrony client, nova-compute, and the L2 agent of the cloud's mechanism when the topology has a provider or self-service network.",
  block:
    "The guide's block storage node (block1): chrony client and cinder-volume. Its backend is Ceph RBD (the pool `volumes`) when a node has the `ceph` role, else the guide's LVM over iSCSI (the volume group `cinder-volumes`, made from `lvmDevices` where the node lists them).",
  ceph: "A Ceph storage node (from the distribution's packages): chrony client and BlueStore OSDs on files (`cephOsds`); the first such node also runs the cluster's monitor and manager. cinder's volumes go there (RBD), and glance's images with `storage.images: rbd`.",
};

export const ROLES: Readonly<Record<RoleId, RoleDef>> = Object.fromEntries(
  ROLE_IDS.map((r) => [r, { id: r, description: ROLE_DESCRIPTIONS[r], services: SERVICE_IDS.filter((s) => REGISTRY[s].roles.includes(r)) }]),
) as Record<RoleId, RoleDef>;

/** Config files users may override, per project, from the descriptors (each file once, in registry order). */
export const CONFIG_FILES: readonly ConfigFileDef[] = SERVICE_IDS.flatMap((s) => REGISTRY[s].configFiles ?? []);

export function configFilesOf(project: string): ConfigFileDef[] {
  return CONFIG_FILES.filter((f) => f.project === project);
}

export function servicesOf(project: ProjectId): ServiceId[] {
  return SERVICE_IDS.filter((s) => REGISTRY[s].project === project);
}

/** What decides whether a role places a conditional service (descriptor `placedWhen`). */
export interface PlacementContext {
  /** A provider or self-service network is in the topology. */
  networks: boolean;
  selfservice: boolean;
  mechanism?: NetworkMechanism;
  /** A node of the topology has the `block` role. */
  blockNode: boolean;
}

/** The services a role places in a cloud: its services whose `placedWhen` holds. */
export function placedBy(role: RoleId, p: PlacementContext): ServiceId[] {
  return ROLES[role].services.filter((s) => {
    const w = REGISTRY[s].placedWhen;
    if (!w) return true;
    if (w.networks === 'any' && !p.networks) return false;
    if (w.networks === 'selfservice' && !p.selfservice) return false;
    if (w.blockNode && !p.blockNode) return false;
    return !w.mechanism || w.mechanism === p.mechanism;
  });
}

/** An L2 agent: wires instances' ports on its node, one per mechanism (its descriptor names the mechanism). */
export function isL2Agent(service: ServiceId): boolean {
  return !!REGISTRY[service].placedWhen?.mechanism;
}

/**
 * Whether a service can run on a profile row: it has packages there (an entry for the row or one it
 * extends) and, for an L2 agent, the row has its mechanism.
 */
export function availableOn(profile: Profile, service: ServiceId): boolean {
  const m = REGISTRY[service].placedWhen?.mechanism;
  return !!onProfile(profile, service) && (!m || profile.networkMechanisms.includes(m));
}

/** How a service is installed and run on a profile row (or the row it extends); undefined where it is not available. */
export function onProfile(profile: Profile, service: ServiceId): ServiceOnProfile | undefined {
  return rowEntry(profile, REGISTRY[service].profiles);
}

/** The system user and group owning a service's files on a profile. */
export function ownerOf(profile: Profile, service: ServiceId): string {
  return onProfile(profile, service)?.owner ?? REGISTRY[service].owner ?? 'root';
}

/**
 * The order in which services render on a node: each after the services its descriptor names in
 * `after`, otherwise in registry order (a stable topological sort). A cycle is a programming error.
 */
export const RENDER_ORDER: readonly ServiceId[] = (() => {
  const out: ServiceId[] = [];
  const placed = new Set<ServiceId>();
  while (out.length < SERVICE_IDS.length) {
    const next = SERVICE_IDS.find((s) => !placed.has(s) && REGISTRY[s].after.every((a) => placed.has(a)));
    if (!next) throw new Error(`internal: the services' \`after\` form a cycle among ${SERVICE_IDS.filter((s) => !placed.has(s)).join(', ')}`);
    placed.add(next);
    out.push(next);
  }
  return out;
})();

export function isServiceId(s: unknown): s is ServiceId {
  return typeof s === 'string' && (SERVICE_IDS as readonly string[]).includes(s);
}

export function isRoleId(s: unknown): s is RoleId {
  return typeof s === 'string' && (ROLE_IDS as readonly string[]).includes(s);
}

export function isSecretName(s: unknown): s is SecretName {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(SECRETS, s);
}

export function isProjectId(s: unknown): s is ProjectId {
  return typeof s === 'string' && (PROJECT_IDS as readonly string[]).includes(s);
}

/** Per service that reads several rendered files on this profile: the files in the order it reads them. */
export function configReadOrders(profile: Profile): Partial<Record<ServiceId, string[]>> {
  const out: Partial<Record<ServiceId, string[]>> = {};
  for (const s of SERVICE_IDS) {
    const order = onProfile(profile, s)?.configReadOrder;
    if (order) out[s] = order;
  }
  return out;
}

/** Whether a service's steps run `openstack` commands (its node gets the openrc files). */
export function usesOpenrc(service: ServiceId): boolean {
  return !!(REGISTRY[service].openrc || REGISTRY[service].keystone);
}

/** What of a cloud decides which secrets its services need. */
export interface SecretsContext {
  guideSamples: boolean;
  nodes?: readonly { services: readonly ServiceId[] }[];
  /** Where glance keeps images (`storage.images`). */
  imageStore?: ImageStoreId;
}

/**
 * Every secret a service's files and commands use: its own (`secrets`), its database password, its
 * keystone user's password, and ADMIN_PASS where it runs `openstack` (admin-openrc). In SECRETS order.
 * With `cloud`, what that cloud needs (no DEMO_PASS without the guide's sample objects).
 */
export function secretsOf(service: ServiceId, cloud?: SecretsContext): SecretName[] {
  const d = REGISTRY[service];
  const all = new Set<SecretName>(d.secrets);
  // Without a cloud's nodes: every secret it may use.
  for (const w of d.secretsWhen ?? [])
    if (!cloud?.nodes || (w.placed.every((p) => cloud.nodes!.some((n) => n.services.includes(p))) && (!w.imageStore || w.imageStore === cloud.imageStore))) for (const x of w.secrets) all.add(x);
  // myuser's password, only where the guide's sample objects are made.
  if (cloud && !cloud.guideSamples) all.delete('DEMO_PASS');
  if (d.database) all.add(d.database.secret);
  if (d.keystone) all.add(d.keystone.secret);
  if (usesOpenrc(service)) all.add('ADMIN_PASS');
  return SECRET_NAMES.filter((s) => all.has(s));
}

/** Every secret the services placed on the nodes need, in the guide's order, with the services needing each. */
export function neededSecrets(cloud: SecretsContext & { nodes: readonly { services: readonly ServiceId[] }[] }): Map<SecretName, ServiceId[]> {
  const needed = new Map<SecretName, Set<ServiceId>>();
  // Once per service placed (what it needs depends on the cloud, not the node): per node and service,
  // secretsOf's look over every node made this quadratic in the nodes (1,000 computes: a million looks).
  const placed = new Set(cloud.nodes.flatMap((n) => n.services));
  for (const s of placed) for (const sec of secretsOf(s, cloud)) (needed.get(sec) ?? needed.set(sec, new Set()).get(sec)!).add(s);
  return new Map(SECRET_NAMES.filter((s) => needed.has(s)).map((s) => [s, [...needed.get(s)!]]));
}
