import type { ServiceDescriptor } from './types';

export const keystone: ServiceDescriptor = {
  id: 'keystone',
  ports: [5000],
  project: 'keystone',
  title: 'Keystone (Identity)',
  description: 'Identity service on port 5000: database, fernet tokens, bootstrap of admin and the RegionOne endpoints, the service and demo projects.',
  roles: ['controller'],
  requires: ['mariadb', 'memcached'],
  after: ['mariadb', 'memcached'],
  singleInstance: true,
  secrets: ['DEMO_PASS'],
  owner: 'keystone',
  openrc: true,
  database: { user: 'keystone', names: ['keystone'], secret: 'KEYSTONE_DBPASS' },
  profiles: {
    'centos7/train': {
      packages: ['openstack-keystone', 'httpd', 'mod_wsgi'],
      units: ['httpd'],
      api: { kind: 'httpd-wsgi', vhost: '/etc/httpd/conf.d/wsgi-keystone.conf', link: { from: '/usr/share/keystone/wsgi-keystone.conf', to: '/etc/httpd/conf.d/wsgi-keystone.conf' } },
    },
    'debian12/zed': {
      packages: ['keystone'],
      units: ['keystone'],
      api: { kind: 'uwsgi', defaultsFile: '/etc/default/keystone', ini: '/etc/keystone/keystone-uwsgi.ini', port: 5000 },
      withoutRecommends: true,
    },
  },
  configFiles: [
    { name: 'keystone.conf', project: 'keystone', description: "keystone's main configuration (/etc/keystone/keystone.conf).", oslo: true, catalog: { service: 'keystone', file: 'keystone.conf' } },
  ],
};
