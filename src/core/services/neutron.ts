import type { ServiceDescriptor } from './types';

export const neutronServer: ServiceDescriptor = {
  id: 'neutron-server',
  project: 'neutron',
  title: 'Neutron server (Networking)',
  description: 'Networking API on port 9696 with the ML2 plugin and the provider network (guide: "Networking service", controller part). Agents are not deployed yet.',
  roles: ['controller'],
  requires: ['keystone', 'mariadb', 'rabbitmq'],
  after: ['keystone', 'mariadb', 'rabbitmq'],
  singleInstance: true,
  secrets: ['NOVA_PASS', 'RABBIT_PASS'],
  owner: 'neutron',
  database: { user: 'neutron', names: ['neutron'], secret: 'NEUTRON_DBPASS' },
  keystone: { user: 'neutron', secret: 'NEUTRON_PASS', name: 'neutron', type: 'network', description: 'OpenStack Networking', port: 9696 },
  profiles: {
    'centos7/train': { packages: ['openstack-neutron', 'openstack-neutron-ml2'], units: ['neutron-server'], api: { kind: 'daemon' } },
    'debian12/zed': {
      packages: ['neutron-server'],
      units: ['neutron-api', 'neutron-rpc-server'],
      // The neutron-api init script is named after neutron-server: its defaults file is /etc/default/neutron-server.
      api: { kind: 'uwsgi', defaultsFile: '/etc/default/neutron-server', ini: '/etc/neutron/neutron-api-uwsgi.ini', port: 9696 },
    },
  },
  configFiles: [
    { name: 'neutron.conf', project: 'neutron', description: 'neutron server configuration (/etc/neutron/neutron.conf).', oslo: true, catalog: { service: 'neutron', file: 'neutron.conf' } },
    {
      name: 'ml2_conf.ini',
      project: 'neutron',
      description: 'The ML2 plugin (/etc/neutron/plugins/ml2/ml2_conf.ini): type and mechanism drivers, the provider network.',
      oslo: true,
      catalog: { service: 'neutron', file: 'ml2_conf.ini' },
    },
  ],
};
