import type { ServiceDescriptor } from './types';

/** The guide's "Environment" chapter: NTP, the SQL database, the message queue, memcached and etcd. */

export const chrony: ServiceDescriptor = {
  id: 'chrony',
  project: 'chrony',
  title: 'Chrony (NTP)',
  description: 'Time synchronisation. The NTP server node (`ntp.server`) syncs from `ntp.servers` and serves the others; every other node syncs from it.',
  roles: ['controller', 'compute', 'block', 'ceph'],
  requires: [],
  after: [],
  singleInstance: false,
  secrets: [],
  profiles: {
    'centos7/train': { packages: ['chrony'], units: ['chronyd'] },
    'debian12/zed': { packages: ['chrony'], units: ['chrony'] },
  },
};

export const mariadb: ServiceDescriptor = {
  id: 'mariadb',
  ports: [3306],
  project: 'mariadb',
  title: 'MariaDB',
  description: 'The SQL database of every OpenStack service, bound to the node address (guide: "SQL database").',
  roles: ['controller'],
  requires: [],
  after: [],
  singleInstance: true,
  secrets: ['DB_ROOT_PASS'],
  profiles: {
    'centos7/train': { packages: ['mariadb', 'mariadb-server', 'python2-PyMySQL'], units: ['mariadb'] },
    'debian12/zed': { packages: ['mariadb-server', 'python3-pymysql'], units: ['mariadb'] },
  },
  configFiles: [
    {
      name: 'openstack.cnf',
      project: 'mariadb',
      description: 'MariaDB server options for OpenStack (/etc/my.cnf.d/openstack.cnf on CentOS, /etc/mysql/mariadb.conf.d/99-openstack.cnf on Debian).',
      oslo: false,
    },
  ],
};

export const rabbitmq: ServiceDescriptor = {
  id: 'rabbitmq',
  ports: [5672, 25672],
  project: 'rabbitmq',
  title: 'RabbitMQ',
  description: 'The message queue used by nova (and later neutron, cinder); user `openstack`.',
  roles: ['controller'],
  requires: [],
  after: [],
  singleInstance: true,
  secrets: ['RABBIT_PASS'],
  owner: 'rabbitmq',
  profiles: {
    'centos7/train': { packages: ['rabbitmq-server'], units: ['rabbitmq-server'] },
    'debian12/zed': { packages: ['rabbitmq-server'], units: ['rabbitmq-server'] },
  },
};

export const memcached: ServiceDescriptor = {
  id: 'memcached',
  ports: [11211],
  project: 'memcached',
  title: 'Memcached',
  description: 'Token cache for keystone and the keystone_authtoken middleware of every API.',
  roles: ['controller'],
  requires: [],
  after: [],
  singleInstance: true,
  secrets: [],
  owner: 'memcached',
  profiles: {
    'centos7/train': { packages: ['memcached', 'python-memcached'], units: ['memcached'] },
    'debian12/zed': { packages: ['memcached', 'python3-memcache'], units: ['memcached'], owner: 'memcache' },
  },
};

export const etcd: ServiceDescriptor = {
  id: 'etcd',
  ports: [2379, 2380],
  project: 'etcd',
  title: 'etcd',
  description: 'Distributed key-value store for distributed key locking and configuration (guide: "Etcd").',
  roles: ['controller'],
  requires: [],
  after: [],
  singleInstance: true,
  secrets: [],
  owner: 'etcd',
  profiles: {
    'centos7/train': { packages: ['etcd'], units: ['etcd'] },
    'debian12/zed': { packages: ['etcd-server'], units: ['etcd'] },
  },
};
