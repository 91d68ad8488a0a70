import { MASK_ISCSI_IN_CONTAINERS } from './containers';
import type { PreInstallFile, ServiceDescriptor } from './types';

/**
 * nova-consoleproxy ships the noVNC, SPICE and serial proxies; its postinst writes this file (spicehtml5
 * and the serial proxy, on every address) unless it exists. Each unit reads it and exits 0 when not chosen.
 */
const CONSOLE_PROXY_DEFAULTS: PreInstallFile = {
  path: '/etc/default/nova-consoleproxy',
  lines: ['# The console proxy that runs: novnc or spicehtml5.', 'NOVA_CONSOLE_PROXY_TYPE=novnc', '', '# The serial console proxy (true or false).', 'NOVA_SERIAL_PROXY_START=false'],
  description: "Which console proxy of nova-consoleproxy runs: noVNC (the guide's), not the SPICE or serial proxies.",
};

/** What every nova.conf of a control service holds: database, keystone user, RabbitMQ, placement and neutron users. */
const NOVA_SECRETS = ['NOVA_DBPASS', 'NOVA_PASS', 'RABBIT_PASS', 'PLACEMENT_PASS', 'NEUTRON_PASS'] as const;

export const novaApi: ServiceDescriptor = {
  id: 'nova-api',
  project: 'nova',
  title: 'Nova API',
  description:
    'Compute API on port 8774 (and metadata on 8775); owns the nova_api, nova and nova_cell0 databases and the cells. Its server views ask neutron for security groups, so it needs the networking API.',
  roles: ['controller'],
  requires: ['keystone', 'mariadb', 'rabbitmq', 'placement', 'glance', 'nova-conductor', 'nova-scheduler', 'neutron-server'],
  after: ['keystone', 'mariadb', 'rabbitmq', 'placement', 'glance'],
  singleInstance: true,
  secrets: ['RABBIT_PASS', 'PLACEMENT_PASS', 'NEUTRON_PASS'],
  owner: 'nova',
  database: { user: 'nova', names: ['nova_api', 'nova', 'nova_cell0'], secret: 'NOVA_DBPASS' },
  keystone: { user: 'nova', secret: 'NOVA_PASS', name: 'nova', type: 'compute', description: 'OpenStack Compute', port: 8774, path: '/v2.1' },
  profiles: {
    'centos7/train': { packages: ['openstack-nova-api'], units: ['openstack-nova-api'], api: { kind: 'daemon' } },
    'debian12/zed': {
      packages: ['nova-api'],
      units: ['nova-api'],
      api: { kind: 'uwsgi', defaultsFile: '/etc/default/nova-api', ini: '/etc/nova/nova-api-uwsgi.ini', port: 8774 },
      preInstall: [MASK_ISCSI_IN_CONTAINERS],
      // Without Recommends: keystone's server code, Sphinx, Flask, LDAP among them.
      withoutRecommends: true,
    },
  },
  configFiles: [
    { name: 'nova.conf', project: 'nova', description: 'nova configuration (/etc/nova/nova.conf), on controller and compute nodes.', oslo: true, catalog: { service: 'nova', file: 'nova.conf' } },
  ],
};

export const novaApiMetadata: ServiceDescriptor = {
  id: 'nova-api-metadata',
  ports: [8775],
  project: 'nova',
  title: 'Nova metadata API',
  description:
    "Instance metadata on port 8775 (user data, keys, the instance's uuid), reached by instances through the neutron metadata agent with METADATA_SECRET. Placed by the `controller` role when the topology has a provider or self-service network (Debian: its own uwsgi service from the nova-api package; CentOS: served by nova-api).",
  roles: ['controller'],
  placedWhen: { networks: 'any' },
  requires: ['nova-api'],
  after: ['nova-api'],
  singleInstance: true,
  secrets: [...NOVA_SECRETS, 'METADATA_SECRET'],
  owner: 'nova',
  profiles: {
    // openstack-nova-api serves `enabled_apis = osapi_compute,metadata` itself.
    'centos7/train': { packages: [], units: [] },
    // Debian's nova-api package ships the metadata API's unit and uwsgi ini too.
    'debian12/zed': {
      packages: ['nova-api'],
      units: ['nova-api-metadata'],
      api: { kind: 'uwsgi', defaultsFile: '/etc/default/nova-api-metadata', ini: '/etc/nova/nova-api-metadata-uwsgi.ini', port: 8775 },
      preInstall: [MASK_ISCSI_IN_CONTAINERS],
      withoutRecommends: true,
    },
  },
};

export const novaScheduler: ServiceDescriptor = {
  id: 'nova-scheduler',
  project: 'nova',
  title: 'Nova scheduler',
  description: 'Picks the compute host for each instance, using placement.',
  roles: ['controller'],
  requires: ['nova-api', 'rabbitmq', 'placement'],
  after: ['nova-api'],
  singleInstance: true,
  secrets: [...NOVA_SECRETS],
  owner: 'nova',
  profiles: {
    'centos7/train': { packages: ['openstack-nova-scheduler'], units: ['openstack-nova-scheduler'] },
    'debian12/zed': { packages: ['nova-scheduler'], units: ['nova-scheduler'], preInstall: [MASK_ISCSI_IN_CONTAINERS], withoutRecommends: true },
  },
};

export const novaConductor: ServiceDescriptor = {
  id: 'nova-conductor',
  project: 'nova',
  title: 'Nova conductor',
  description: 'Mediates database access for compute nodes.',
  roles: ['controller'],
  requires: ['nova-api', 'mariadb', 'rabbitmq'],
  after: ['nova-api'],
  singleInstance: true,
  secrets: [...NOVA_SECRETS],
  owner: 'nova',
  profiles: {
    'centos7/train': { packages: ['openstack-nova-conductor'], units: ['openstack-nova-conductor'] },
    'debian12/zed': { packages: ['nova-conductor'], units: ['nova-conductor'], preInstall: [MASK_ISCSI_IN_CONTAINERS], withoutRecommends: true },
  },
};

export const novaNovncproxy: ServiceDescriptor = {
  id: 'nova-novncproxy',
  ports: [6080],
  project: 'nova',
  title: 'Nova noVNC proxy',
  description: 'Browser console proxy on port 6080.',
  roles: ['controller'],
  requires: ['nova-api'],
  after: ['nova-api'],
  singleInstance: true,
  secrets: [...NOVA_SECRETS],
  owner: 'nova',
  profiles: {
    'centos7/train': { packages: ['openstack-nova-novncproxy'], units: ['openstack-nova-novncproxy'] },
    'debian12/zed': { packages: ['nova-consoleproxy'], units: ['nova-novncproxy'], preInstall: [MASK_ISCSI_IN_CONTAINERS], preInstallFiles: [CONSOLE_PROXY_DEFAULTS], withoutRecommends: true },
  },
};

export const novaCompute: ServiceDescriptor = {
  id: 'nova-compute',
  project: 'nova',
  title: 'Nova compute',
  description: 'Runs instances on this node (libvirt/KVM, or QEMU when the CPU has no hardware virtualisation).',
  roles: ['compute'],
  requires: ['nova-api', 'nova-conductor', 'rabbitmq', 'placement', 'glance', 'keystone'],
  after: ['nova-api'],
  singleInstance: false,
  secrets: ['NOVA_PASS', 'RABBIT_PASS', 'PLACEMENT_PASS', 'NEUTRON_PASS'],
  // The libvirt secret QEMU attaches cinder's RBD volumes with, where cinder keeps them in Ceph.
  secretsWhen: [{ placed: ['ceph-mon', 'cinder-volume'], secrets: ['CEPH_CINDER_KEY'] }],
  owner: 'nova',
  profiles: {
    // + the profile's computeDrivers: packages and units per compute_driver (libvirtd before nova-compute).
    'centos7/train': { packages: ['openstack-nova-compute'], units: ['openstack-nova-compute'] },
    'debian12/zed': {
      packages: ['nova-compute'],
      units: ['nova-compute'],
      preInstall: [MASK_ISCSI_IN_CONTAINERS],
      // /etc/init.d/nova-compute passes --config-file nova.conf --config-file nova-compute.conf.
      configReadOrder: ['nova.conf', 'nova-compute.conf'],
    },
  },
  configFiles: [
    {
      name: 'nova-compute.conf',
      project: 'nova',
      description: 'Debian only: /etc/nova/nova-compute.conf, read after nova.conf by nova-compute (compute_driver, [libvirt]).',
      oslo: true,
      catalog: { service: 'nova', file: 'nova.conf' },
    },
    {
      name: 'qemu.conf',
      project: 'nova',
      description:
        'libvirt\'s QEMU driver (/etc/libvirt/qemu.conf) on nodes where nova-compute uses libvirt: `key: value` (a string is written quoted, a list as `[ "a", "b" ]`, true and false as 1 and 0). ostopo writes this file only where a topology overrides it, and restarts libvirtd when it changes.',
      oslo: false,
      format: 'keyvalue',
      catalog: { service: 'libvirt', file: 'qemu.conf' },
    },
  ],
};
