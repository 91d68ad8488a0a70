import type { ServiceDescriptor } from './types';

export const neutronServer: ServiceDescriptor = {
  id: 'neutron-server',
  project: 'neutron',
  title: 'Neutron server (Networking)',
  description:
    'Networking API on port 9696 with the ML2 plugin: flat provider networks, and VXLAN self-service networks with the router service plugin when `networks.selfservice` is set (guide: "Networking service", controller part).',
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
      // One thread per process, as neutron's uwsgi guide runs it and Debian 13's package ships it: neutron-api
      // runs eventlet's monkey-patched stdlib, and bookworm's ini gives it 32 uwsgi threads. Eventlet's locks
      // and queues then cross OS threads ("greenlet.error: cannot switch to a different thread" at each RPC
      // notification), and a request waiting on one is never woken: a network create that never answered.
      api: { kind: 'uwsgi', defaultsFile: '/etc/default/neutron-server', ini: '/etc/neutron/neutron-api-uwsgi.ini', port: 9696, threads: 1 },
      // Without Recommends: build-essential and python3-dev among them.
      withoutRecommends: true,
    },
  },
  configFiles: [
    {
      name: 'neutron.conf',
      project: 'neutron',
      description: 'neutron configuration (/etc/neutron/neutron.conf), of the server and of the agents.',
      oslo: true,
      catalog: { service: 'neutron', file: 'neutron.conf' },
    },
    {
      name: 'ml2_conf.ini',
      project: 'neutron',
      description: 'The ML2 plugin (/etc/neutron/plugins/ml2/ml2_conf.ini): type and mechanism drivers, the provider network, VXLAN ranges.',
      oslo: true,
      catalog: { service: 'neutron', file: 'ml2_conf.ini' },
    },
  ],
};

/** What every agent reads besides its own file: neutron.conf (RabbitMQ, lock path). */
const AGENT_SECRETS = ['RABBIT_PASS'] as const;

export const neutronLinuxbridgeAgent: ServiceDescriptor = {
  id: 'neutron-linuxbridge-agent',
  project: 'neutron',
  title: 'Neutron Linux bridge agent',
  description:
    "Wires instances' ports on this node with Linux bridges: the provider network on its interface, self-service networks over VXLAN from the node's overlay address, iptables security groups (guide: networking option 1 and 2). Placed by the `network` and `compute` roles when the mechanism is `linuxbridge`.",
  roles: ['network', 'compute'],
  placedWhen: { networks: 'any', mechanism: 'linuxbridge' },
  requires: ['neutron-server', 'rabbitmq'],
  after: ['neutron-server'],
  singleInstance: false,
  secrets: [...AGENT_SECRETS],
  owner: 'neutron',
  profiles: {
    'centos7/train': { packages: ['openstack-neutron-linuxbridge', 'ebtables', 'ipset'], units: ['neutron-linuxbridge-agent'] },
    // Debian 12 carries the agent; 2025.1 does not (networkMechanisms of the row).
    'debian12/zed': { packages: ['neutron-linuxbridge-agent', 'conntrack', 'ipset'], units: ['neutron-linuxbridge-agent'] },
  },
  configFiles: [
    {
      name: 'linuxbridge_agent.ini',
      project: 'neutron',
      description: 'The Linux bridge agent (/etc/neutron/plugins/ml2/linuxbridge_agent.ini): interface mappings, VXLAN, security groups.',
      oslo: true,
      catalog: { service: 'neutron', file: 'linuxbridge_agent.ini' },
    },
  ],
};

export const neutronOpenvswitchAgent: ServiceDescriptor = {
  id: 'neutron-openvswitch-agent',
  project: 'neutron',
  title: 'Neutron Open vSwitch agent',
  description:
    "Wires instances' ports on this node with Open vSwitch: br-int, the provider network's bridge on its interface, VXLAN tunnels (br-tun) from the node's overlay address. Placed by the `network` and `compute` roles when the mechanism is `openvswitch`.",
  roles: ['network', 'compute'],
  placedWhen: { networks: 'any', mechanism: 'openvswitch' },
  requires: ['neutron-server', 'rabbitmq'],
  after: ['neutron-server'],
  singleInstance: false,
  secrets: [...AGENT_SECRETS],
  owner: 'neutron',
  profiles: {
    'centos7/train': { packages: ['openstack-neutron-openvswitch', 'ipset'], units: ['openvswitch', 'neutron-openvswitch-agent'] },
    'debian12/zed': { packages: ['neutron-openvswitch-agent', 'openvswitch-switch', 'conntrack', 'ipset'], units: ['openvswitch-switch', 'neutron-openvswitch-agent'] },
  },
  configFiles: [
    {
      name: 'openvswitch_agent.ini',
      project: 'neutron',
      description: 'The Open vSwitch agent (/etc/neutron/plugins/ml2/openvswitch_agent.ini): bridge mappings, tunnels, security groups.',
      oslo: true,
      catalog: { service: 'neutron', file: 'openvswitch_agent.ini' },
    },
  ],
};

export const neutronDhcpAgent: ServiceDescriptor = {
  id: 'neutron-dhcp-agent',
  project: 'neutron',
  title: 'Neutron DHCP agent',
  description: 'Serves DHCP (dnsmasq in a qdhcp- namespace per network) and, on isolated networks, the metadata route (guide: networking option 1 and 2). Placed by the `network` role.',
  roles: ['network'],
  placedWhen: { networks: 'any' },
  requires: ['neutron-server', 'rabbitmq'],
  after: ['neutron-server'],
  singleInstance: false,
  secrets: [...AGENT_SECRETS],
  owner: 'neutron',
  profiles: {
    'centos7/train': { packages: ['openstack-neutron'], units: ['neutron-dhcp-agent'] },
    'debian12/zed': { packages: ['neutron-dhcp-agent'], units: ['neutron-dhcp-agent'] },
  },
  configFiles: [{ name: 'dhcp_agent.ini', project: 'neutron', description: 'The DHCP agent (/etc/neutron/dhcp_agent.ini).', oslo: true, catalog: { service: 'neutron', file: 'dhcp_agent.ini' } }],
};

export const neutronMetadataAgent: ServiceDescriptor = {
  id: 'neutron-metadata-agent',
  project: 'neutron',
  title: 'Neutron metadata agent',
  description: 'Passes instances\' requests to 169.254.169.254 on to nova\'s metadata API, signed with METADATA_SECRET (guide: "Configure the metadata agent"). Placed by the `network` role.',
  roles: ['network'],
  placedWhen: { networks: 'any' },
  requires: ['neutron-server', 'rabbitmq', 'nova-api-metadata'],
  after: ['neutron-server'],
  singleInstance: false,
  secrets: [...AGENT_SECRETS, 'METADATA_SECRET'],
  owner: 'neutron',
  profiles: {
    'centos7/train': { packages: ['openstack-neutron'], units: ['neutron-metadata-agent'] },
    'debian12/zed': { packages: ['neutron-metadata-agent'], units: ['neutron-metadata-agent'] },
  },
  configFiles: [
    { name: 'metadata_agent.ini', project: 'neutron', description: 'The metadata agent (/etc/neutron/metadata_agent.ini).', oslo: true, catalog: { service: 'neutron', file: 'metadata_agent.ini' } },
  ],
};

export const neutronL3Agent: ServiceDescriptor = {
  id: 'neutron-l3-agent',
  project: 'neutron',
  title: 'Neutron L3 agent',
  description:
    'Routers between self-service networks and the provider network: SNAT and floating IPs (a qrouter- namespace per router; guide: networking option 2). Placed by the `network` role when `networks.selfservice` is set.',
  roles: ['network'],
  placedWhen: { networks: 'selfservice' },
  requires: ['neutron-server', 'rabbitmq'],
  after: ['neutron-server'],
  singleInstance: false,
  secrets: [...AGENT_SECRETS],
  owner: 'neutron',
  profiles: {
    'centos7/train': { packages: ['openstack-neutron'], units: ['neutron-l3-agent'] },
    'debian12/zed': { packages: ['neutron-l3-agent'], units: ['neutron-l3-agent'] },
  },
  configFiles: [{ name: 'l3_agent.ini', project: 'neutron', description: 'The L3 agent (/etc/neutron/l3_agent.ini).', oslo: true, catalog: { service: 'neutron', file: 'l3_agent.ini' } }],
};
