import type { ServiceDescriptor } from './types';

export const glance: ServiceDescriptor = {
  id: 'glance',
  project: 'glance',
  title: 'Glance (Image)',
  description: 'Image service on port 9292 with the file store.',
  roles: ['controller'],
  requires: ['keystone', 'mariadb'],
  after: ['keystone'],
  singleInstance: true,
  secrets: [],
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
