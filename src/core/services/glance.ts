import type { ProfileId } from '../profiles';
import type { ServiceDescriptor } from './types';

/**
 * Where glance keeps images (`storage.images`): the guide's file store on the glance node, or Ceph RBD
 * (the pool `images`, glance's own Ceph user). Images already in the file store stay readable after a
 * switch to RBD: the file store stays enabled beside it.
 */
export const IMAGE_STORES = {
  file: { title: 'the file store (/var/lib/glance/images)', profiles: {} },
  rbd: {
    title: 'Ceph RBD (the pool `images`)',
    profiles: {
      // glance_store's rbd driver imports the rados and rbd bindings.
      'debian12/zed': { packages: ['python3-rbd', 'python3-rados'] },
    },
  },
} as const satisfies Record<string, { title: string; profiles: Partial<Record<ProfileId, { packages: readonly string[] }>> }>;
export type ImageStoreId = keyof typeof IMAGE_STORES;
export const IMAGE_STORE_IDS = Object.keys(IMAGE_STORES) as ImageStoreId[];

export const glance: ServiceDescriptor = {
  id: 'glance',
  project: 'glance',
  title: 'Glance (Image)',
  description: 'Image service on port 9292: images in the file store, or in Ceph RBD (`storage.images: rbd`).',
  roles: ['controller'],
  requires: ['keystone', 'mariadb'],
  after: ['keystone'],
  singleInstance: true,
  secrets: [],
  secretsWhen: [{ placed: ['ceph-mon'], imageStore: 'rbd', secrets: ['CEPH_GLANCE_KEY'] }],
  owner: 'glance',
  database: { user: 'glance', names: ['glance'], secret: 'GLANCE_DBPASS' },
  keystone: { user: 'glance', secret: 'GLANCE_PASS', name: 'glance', type: 'image', description: 'OpenStack Image', port: 9292 },
  profiles: {
    'centos7/train': { packages: ['openstack-glance'], units: ['openstack-glance-api'], api: { kind: 'daemon' } },
    // qemu-utils: qemu-img, for glance's image conversion and the offline image check of verify.
    // Without Recommends: they bring compilers, SciPy, Matplotlib and GDAL (120 packages, through python3-networkx).
    'debian12/zed': { packages: ['glance-api', 'qemu-utils'], units: ['glance-api'], api: { kind: 'daemon' }, withoutRecommends: true },
  },
  configFiles: [
    { name: 'glance-api.conf', project: 'glance', description: 'glance API configuration (/etc/glance/glance-api.conf).', oslo: true, catalog: { service: 'glance', file: 'glance-api.conf' } },
  ],
};
