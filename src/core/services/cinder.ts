import type { ProfileId } from '../profiles';
import { MASK_ISCSI_IN_CONTAINERS } from './containers';
import type { ServiceDescriptor } from './types';

const CINDER_CONF = {
  name: 'cinder.conf',
  project: 'cinder',
  description: 'cinder configuration (/etc/cinder/cinder.conf), on the controller (API, scheduler) and the block storage nodes (volume).',
  oslo: true,
  catalog: { service: 'cinder', file: 'cinder.conf' },
} as const;

/**
 * The guide's "Block Storage service": the API and scheduler on the controller, placed by the
 * `controller` role when a node of the topology has the `block` role (the guide's block1).
 */
export const cinderApi: ServiceDescriptor = {
  id: 'cinder-api',
  project: 'cinder',
  title: 'Cinder API',
  description:
    "Block Storage API on port 8776 (service `cinderv3`, type `volumev3`); owns the cinder database. Placed by the `controller` role when a node has the `block` role; nova's `[cinder]` section then points compute at it.",
  roles: ['controller'],
  placedWhen: { blockNode: true },
  requires: ['keystone', 'mariadb', 'rabbitmq', 'cinder-scheduler'],
  after: ['keystone', 'mariadb', 'rabbitmq', 'glance'],
  singleInstance: true,
  secrets: ['RABBIT_PASS'],
  owner: 'cinder',
  database: { user: 'cinder', names: ['cinder'], secret: 'CINDER_DBPASS' },
  keystone: { user: 'cinder', secret: 'CINDER_PASS', name: 'cinderv3', type: 'volumev3', description: 'OpenStack Block Storage', port: 8776, path: '/v3/%(project_id)s' },
  profiles: {
    'centos7/train': { packages: ['openstack-cinder'], units: ['openstack-cinder-api'], api: { kind: 'daemon' } },
    'debian12/zed': {
      packages: ['cinder-api'],
      units: ['cinder-api'],
      api: { kind: 'uwsgi', defaultsFile: '/etc/default/cinder-api', ini: '/etc/cinder/cinder-api-uwsgi.ini', port: 8776 },
      preInstall: [MASK_ISCSI_IN_CONTAINERS],
      withoutRecommends: true,
    },
  },
  configFiles: [CINDER_CONF],
};

export const cinderScheduler: ServiceDescriptor = {
  id: 'cinder-scheduler',
  project: 'cinder',
  title: 'Cinder scheduler',
  description: "Picks the volume backend for each new volume (from the volume services' reports over RabbitMQ). Placed with cinder-api.",
  roles: ['controller'],
  placedWhen: { blockNode: true },
  requires: ['cinder-api', 'rabbitmq'],
  after: ['cinder-api'],
  singleInstance: true,
  secrets: ['CINDER_DBPASS', 'CINDER_PASS', 'RABBIT_PASS'],
  owner: 'cinder',
  profiles: {
    'centos7/train': { packages: ['openstack-cinder'], units: ['openstack-cinder-scheduler'] },
    'debian12/zed': { packages: ['cinder-scheduler'], units: ['cinder-scheduler'], preInstall: [MASK_ISCSI_IN_CONTAINERS], withoutRecommends: true },
  },
};

/**
 * The guide's block storage node: cinder-volume with the LVM backend, exporting volumes over iSCSI
 * (the guide's target helper: tgtadm on Debian and Ubuntu, lioadm on CentOS).
 */
export const cinderVolume: ServiceDescriptor = {
  id: 'cinder-volume',
  project: 'cinder',
  title: 'Cinder volume',
  description:
    "Creates and exports volumes on its node (the guide's block1): the LVM backend on the volume group `cinder-volumes` (made from `nodes.<name>.lvmDevices` where given), exported over iSCSI.",
  roles: ['block'],
  requires: ['cinder-api', 'cinder-scheduler', 'rabbitmq', 'mariadb', 'glance'],
  after: ['cinder-scheduler', 'ceph-osd'],
  singleInstance: false,
  secrets: ['CINDER_DBPASS', 'CINDER_PASS', 'RABBIT_PASS'],
  secretsWhen: [{ placed: ['ceph-mon'], secrets: ['CEPH_CINDER_KEY'] }],
  owner: 'cinder',
  profiles: {
    // The backend's own packages and units come from VOLUME_BACKENDS.
    'centos7/train': { packages: ['openstack-cinder', 'python-keystone'], units: ['openstack-cinder-volume'] },
    'debian12/zed': { packages: ['cinder-volume'], units: ['cinder-volume'], preInstall: [MASK_ISCSI_IN_CONTAINERS], withoutRecommends: true },
  },
  configFiles: [CINDER_CONF],
};

/** A volume backend of cinder-volume: its section in cinder.conf (also the volume service's host suffix), and what it needs per profile row. */
export interface VolumeBackend {
  section: string;
  title: string;
  /** Per row: cinder-volume's packages and units, and what compute nodes need to attach its volumes. */
  profiles: Partial<Record<ProfileId, { packages: string[]; units: string[]; computePackages?: string[] }>>;
}

/**
 * The backends ostopo configures: the guide's LVM over iSCSI, and Ceph RBD (chosen when a node has the
 * `ceph` role: cinder's volumes are then RBD images in the pool `volumes`, attached by QEMU's librbd).
 */
export const VOLUME_BACKENDS = {
  lvm: {
    section: 'lvm',
    title: 'LVM over iSCSI',
    profiles: {
      'centos7/train': { packages: ['lvm2', 'device-mapper-persistent-data', 'targetcli'], units: ['target'] },
      'debian12/zed': { packages: ['lvm2', 'thin-provisioning-tools', 'tgt'], units: ['tgt'] },
    },
  },
  rbd: {
    section: 'ceph',
    title: 'Ceph RBD',
    profiles: {
      // QEMU's rbd block driver (block-rbd.so) on compute nodes: nova attaches the volumes through librbd.
      'debian12/zed': { packages: ['ceph-common', 'python3-rbd', 'python3-rados'], units: [], computePackages: ['qemu-block-extra'] },
    },
  },
} as const satisfies Record<string, VolumeBackend>;
export type VolumeBackendId = keyof typeof VOLUME_BACKENDS;
