import { MASK_NVMF_IN_CONTAINERS } from './containers';
import type { ServiceDescriptor } from './types';

const CEPH_CONF = {
  name: 'ceph.conf',
  project: 'ceph',
  description: "Ceph's configuration (/etc/ceph/ceph.conf) on the ceph nodes and on its clients (cinder-volume): `config.ceph.ceph.conf.<section>.<option>`.",
  oslo: false,
} as const;

/**
 * The Ceph cluster ostopo deploys from the distribution's own packages (no cephadm): one monitor and one
 * manager on the first node with the `ceph` role, BlueStore OSDs on files (`cephOsds`) on each. Block
 * storage (cinder's RBD backend) and instances' volumes (librbd in QEMU) use it.
 */
export const cephMon: ServiceDescriptor = {
  id: 'ceph-mon',
  project: 'ceph',
  title: 'Ceph monitor',
  description: "Ceph's monitor (the cluster map and its keys): one per cloud, on the first node with the `ceph` role, listening on ports 3300 (msgr2) and 6789.",
  roles: ['ceph'],
  requires: ['ceph-mgr', 'ceph-osd'],
  after: ['chrony'],
  singleInstance: true,
  secrets: ['CEPH_MON_KEY', 'CEPH_ADMIN_KEY'],
  secretsWhen: [
    { placed: ['cinder-volume'], secrets: ['CEPH_CINDER_KEY'] },
    { placed: ['glance'], imageStore: 'rbd', secrets: ['CEPH_GLANCE_KEY'] },
  ],
  owner: 'ceph',
  profiles: {
    'debian12/zed': { packages: ['ceph-mon', 'ceph-common'], units: ['ceph-mon.target'], withoutRecommends: true },
  },
  configFiles: [CEPH_CONF],
  ports: [3300, 6789],
};

export const cephMgr: ServiceDescriptor = {
  id: 'ceph-mgr',
  project: 'ceph',
  title: 'Ceph manager',
  description: "Ceph's manager (placement groups' statistics, `ceph -s`): one per cloud, beside the monitor.",
  roles: ['ceph'],
  requires: ['ceph-mon'],
  after: ['ceph-mon'],
  singleInstance: true,
  secrets: ['CEPH_ADMIN_KEY'],
  owner: 'ceph',
  profiles: {
    'debian12/zed': { packages: ['ceph-mgr'], units: ['ceph-mgr.target'], withoutRecommends: true },
  },
};

export const cephOsd: ServiceDescriptor = {
  id: 'ceph-osd',
  project: 'ceph',
  title: 'Ceph OSD',
  description: "Ceph object storage daemons: one BlueStore OSD per entry of the node's `cephOsds` (a sparse file of that size in the OSD's directory).",
  roles: ['ceph'],
  requires: ['ceph-mon'],
  after: ['ceph-mgr'],
  singleInstance: false,
  secrets: ['CEPH_ADMIN_KEY'],
  owner: 'ceph',
  profiles: {
    'debian12/zed': { packages: ['ceph-osd'], units: ['ceph-osd.target'], preInstall: [MASK_NVMF_IN_CONTAINERS], withoutRecommends: true },
  },
};
