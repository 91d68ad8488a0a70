import type { ServiceDescriptor } from './types';

export const placement: ServiceDescriptor = {
  id: 'placement',
  project: 'placement',
  title: 'Placement',
  description: 'Placement API on port 8778, tracks resource providers for the scheduler.',
  roles: ['controller'],
  requires: ['keystone', 'mariadb'],
  after: ['keystone'],
  singleInstance: true,
  secrets: [],
  owner: 'placement',
  database: { user: 'placement', names: ['placement'], secret: 'PLACEMENT_DBPASS' },
  keystone: { user: 'placement', secret: 'PLACEMENT_PASS', name: 'placement', type: 'placement', description: 'Placement API', port: 8778 },
  profiles: {
    'centos7/train': { packages: ['openstack-placement-api', 'python2-osc-placement'], units: ['httpd'], api: { kind: 'httpd-wsgi', vhost: '/etc/httpd/conf.d/00-placement-api.conf' } },
    'debian12/zed': {
      packages: ['placement-api', 'python3-osc-placement'],
      units: ['placement-api'],
      api: { kind: 'uwsgi', defaultsFile: '/etc/default/placement-api', ini: '/etc/placement/placement-api-uwsgi.ini', port: 8778 },
      withoutRecommends: true,
    },
  },
  configFiles: [
    { name: 'placement.conf', project: 'placement', description: 'placement configuration (/etc/placement/placement.conf).', oslo: true, catalog: { service: 'placement', file: 'placement.conf' } },
  ],
};
