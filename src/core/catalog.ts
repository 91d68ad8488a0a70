/**
 * What ostopo knows about OpenStack services, independent of OS and release: ids, roles, prerequisites,
 * secrets and the config files each project renders. Profiles (profiles.ts) say how each is installed.
 * The JSON Schema's enums and descriptions are built from this table.
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
  'nova-scheduler',
  'nova-conductor',
  'nova-novncproxy',
  'nova-compute',
  'neutron-server',
] as const;
export type ServiceId = (typeof SERVICE_IDS)[number];

export const ROLE_IDS = ['controller', 'compute'] as const;
export type RoleId = (typeof ROLE_IDS)[number];

/** The project a service belongs to: it owns the config files that `config.<project>` overrides. */
export const PROJECT_IDS = ['chrony', 'mariadb', 'rabbitmq', 'memcached', 'etcd', 'keystone', 'glance', 'placement', 'nova', 'neutron'] as const;
export type ProjectId = (typeof PROJECT_IDS)[number];

export const SECRET_NAMES = [
  'ADMIN_PASS',
  'DEMO_PASS',
  'DB_ROOT_PASS',
  'RABBIT_PASS',
  'KEYSTONE_DBPASS',
  'GLANCE_DBPASS',
  'GLANCE_PASS',
  'PLACEMENT_DBPASS',
  'PLACEMENT_PASS',
  'NOVA_DBPASS',
  'NOVA_PASS',
  'NEUTRON_DBPASS',
  'NEUTRON_PASS',
  'METADATA_SECRET',
  'CINDER_DBPASS',
  'CINDER_PASS',
  'DASH_DBPASS',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export interface ServiceDef {
  id: ServiceId;
  project: ProjectId;
  title: string;
  description: string;
  /** Services that must run somewhere in the cloud for this one to work. */
  requires: ServiceId[];
  /** At most one node may run it (the guide's single-controller architecture). */
  singleInstance: boolean;
  secrets: SecretName[];
}

const S = (
  id: ServiceId,
  project: ProjectId,
  title: string,
  description: string,
  requires: ServiceId[],
  secrets: SecretName[],
  singleInstance = true,
): ServiceDef => ({ id, project, title, description, requires, singleInstance, secrets });

export const SERVICES: Record<ServiceId, ServiceDef> = {
  chrony: S('chrony', 'chrony', 'Chrony (NTP)', 'Time synchronisation. The NTP server node (`ntp.server`) syncs from `ntp.servers` and serves the others; every other node syncs from it.', [], [], false),
  mariadb: S('mariadb', 'mariadb', 'MariaDB', 'The SQL database of every OpenStack service, bound to the node address (guide: "SQL database").', [], ['DB_ROOT_PASS']),
  rabbitmq: S('rabbitmq', 'rabbitmq', 'RabbitMQ', 'The message queue used by nova (and later neutron, cinder); user `openstack`.', [], ['RABBIT_PASS']),
  memcached: S('memcached', 'memcached', 'Memcached', 'Token cache for keystone and the keystone_authtoken middleware of every API.', [], []),
  etcd: S('etcd', 'etcd', 'etcd', 'Distributed key-value store for distributed key locking and configuration (guide: "Etcd").', [], []),
  keystone: S('keystone', 'keystone', 'Keystone (Identity)', 'Identity service on port 5000: database, fernet tokens, bootstrap of admin and the RegionOne endpoints, the service and demo projects.', ['mariadb', 'memcached'], ['KEYSTONE_DBPASS', 'ADMIN_PASS', 'DEMO_PASS']),
  glance: S('glance', 'glance', 'Glance (Image)', 'Image service on port 9292 with the file store.', ['keystone', 'mariadb'], ['GLANCE_DBPASS', 'GLANCE_PASS', 'ADMIN_PASS']),
  placement: S('placement', 'placement', 'Placement', 'Placement API on port 8778, tracks resource providers for the scheduler.', ['keystone', 'mariadb'], ['PLACEMENT_DBPASS', 'PLACEMENT_PASS', 'ADMIN_PASS']),
  'nova-api': S('nova-api', 'nova', 'Nova API', 'Compute API on port 8774 (and metadata on 8775); owns the nova_api, nova and nova_cell0 databases and the cells. Its server views ask neutron for security groups, so it needs the networking API.', ['keystone', 'mariadb', 'rabbitmq', 'placement', 'glance', 'nova-conductor', 'nova-scheduler', 'neutron-server'], ['NOVA_DBPASS', 'NOVA_PASS', 'RABBIT_PASS', 'PLACEMENT_PASS', 'NEUTRON_PASS', 'ADMIN_PASS']),
  'nova-scheduler': S('nova-scheduler', 'nova', 'Nova scheduler', 'Picks the compute host for each instance, using placement.', ['nova-api', 'rabbitmq', 'placement'], ['NOVA_DBPASS', 'NOVA_PASS', 'RABBIT_PASS', 'PLACEMENT_PASS']),
  'nova-conductor': S('nova-conductor', 'nova', 'Nova conductor', 'Mediates database access for compute nodes.', ['nova-api', 'mariadb', 'rabbitmq'], ['NOVA_DBPASS', 'NOVA_PASS', 'RABBIT_PASS', 'PLACEMENT_PASS']),
  'nova-novncproxy': S('nova-novncproxy', 'nova', 'Nova noVNC proxy', 'Browser console proxy on port 6080.', ['nova-api'], ['NOVA_DBPASS', 'NOVA_PASS', 'RABBIT_PASS', 'PLACEMENT_PASS']),
  'nova-compute': S('nova-compute', 'nova', 'Nova compute', 'Runs instances on this node (libvirt/KVM, or QEMU when the CPU has no hardware virtualisation).', ['nova-api', 'nova-conductor', 'rabbitmq', 'placement', 'glance', 'keystone'], ['NOVA_PASS', 'RABBIT_PASS', 'PLACEMENT_PASS', 'NEUTRON_PASS'], false),
  'neutron-server': S('neutron-server', 'neutron', 'Neutron server (Networking)', 'Networking API on port 9696 with the ML2 plugin and the provider network (guide: "Networking service", controller part). Agents are not deployed yet.', ['keystone', 'mariadb', 'rabbitmq'], ['NEUTRON_DBPASS', 'NEUTRON_PASS', 'NOVA_PASS', 'RABBIT_PASS', 'ADMIN_PASS']),
};

export interface RoleDef {
  id: RoleId;
  description: string;
  services: ServiceId[];
}

export const ROLES: Record<RoleId, RoleDef> = {
  controller: {
    id: 'controller',
    description: 'The guide\'s controller node: chrony server, MariaDB, RabbitMQ, Memcached, etcd, keystone, glance, placement, the nova control services and the neutron server.',
    services: ['chrony', 'mariadb', 'rabbitmq', 'memcached', 'etcd', 'keystone', 'glance', 'placement', 'nova-api', 'nova-scheduler', 'nova-conductor', 'nova-novncproxy', 'neutron-server'],
  },
  compute: {
    id: 'compute',
    description: 'A compute node: chrony client and nova-compute.',
    services: ['chrony', 'nova-compute'],
  },
};

export const SECRETS: Record<SecretName, string> = {
  ADMIN_PASS: 'Password of the `admin` user (keystone bootstrap, admin-openrc).',
  DEMO_PASS: 'Password of the demo user `myuser` in project `myproject` (demo-openrc).',
  DB_ROOT_PASS: 'Password of the database `root` user (the guide\'s mysql_secure_installation step).',
  RABBIT_PASS: 'Password of the RabbitMQ user `openstack`; part of every service\'s `transport_url`.',
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
  DASH_DBPASS: 'Database password of the dashboard (horizon).',
};

/** Config files a project renders that users may override with `config.<project>.<file>.<section>.<option>`. */
export interface ConfigFileDef {
  /** Logical name used in the topology (the file's basename on the node in most profiles). */
  name: string;
  project: ProjectId;
  description: string;
  /** oslo.config files: `$` is escaped, multi-valued options are repeated keys. */
  oslo: boolean;
  /** Service in the option catalog (catalog/oslo-zed.json) whose options this file takes. */
  catalog?: { service: string; file: string };
}

export const CONFIG_FILES: ConfigFileDef[] = [
  { name: 'keystone.conf', project: 'keystone', description: 'keystone\'s main configuration (/etc/keystone/keystone.conf).', oslo: true, catalog: { service: 'keystone', file: 'keystone.conf' } },
  { name: 'glance-api.conf', project: 'glance', description: 'glance API configuration (/etc/glance/glance-api.conf).', oslo: true, catalog: { service: 'glance', file: 'glance-api.conf' } },
  { name: 'placement.conf', project: 'placement', description: 'placement configuration (/etc/placement/placement.conf).', oslo: true, catalog: { service: 'placement', file: 'placement.conf' } },
  { name: 'nova.conf', project: 'nova', description: 'nova configuration (/etc/nova/nova.conf), on controller and compute nodes.', oslo: true, catalog: { service: 'nova', file: 'nova.conf' } },
  { name: 'nova-compute.conf', project: 'nova', description: 'Debian only: /etc/nova/nova-compute.conf, read after nova.conf by nova-compute (compute_driver, [libvirt]).', oslo: true, catalog: { service: 'nova', file: 'nova.conf' } },
  { name: 'neutron.conf', project: 'neutron', description: 'neutron server configuration (/etc/neutron/neutron.conf).', oslo: true, catalog: { service: 'neutron', file: 'neutron.conf' } },
  { name: 'ml2_conf.ini', project: 'neutron', description: 'The ML2 plugin (/etc/neutron/plugins/ml2/ml2_conf.ini): type and mechanism drivers, the provider network.', oslo: true, catalog: { service: 'neutron', file: 'ml2_conf.ini' } },
  { name: 'openstack.cnf', project: 'mariadb', description: 'MariaDB server options for OpenStack (/etc/my.cnf.d/openstack.cnf on CentOS, /etc/mysql/mariadb.conf.d/99-openstack.cnf on Debian).', oslo: false },
];

export function configFilesOf(project: string): ConfigFileDef[] {
  return CONFIG_FILES.filter((f) => f.project === project);
}

export function isServiceId(s: unknown): s is ServiceId {
  return typeof s === 'string' && (SERVICE_IDS as readonly string[]).includes(s);
}

export function isRoleId(s: unknown): s is RoleId {
  return typeof s === 'string' && (ROLE_IDS as readonly string[]).includes(s);
}

export function isSecretName(s: unknown): s is SecretName {
  return typeof s === 'string' && (SECRET_NAMES as readonly string[]).includes(s);
}
