import { ServiceId } from './catalog';

/**
 * The OS × release table. Everything that differs between targets is a field here; renderers read the
 * profile and never branch on the OS or release name. Adding a target means adding a row.
 */
export type OsId = 'centos7' | 'debian12';
export type ReleaseId = 'train' | 'zed';

/** How an API service is served. */
export type ApiServer =
  | { kind: 'httpd-wsgi'; vhost: string; link?: { from: string; to: string } }
  | { kind: 'uwsgi'; defaultsFile: string; ini: string; port: number }
  | { kind: 'daemon' };

export interface Profile {
  id: string;
  os: OsId;
  release: ReleaseId;
  title: string;
  packageManager: 'yum' | 'apt';
  /** The Python of the OpenStack client packages (its keystoneclient runs ostopo's identity helper). */
  python: string;
  /** Repository and client setup (the guide's "OpenStack packages" step), run on every node. */
  repository: { description: string; commands: { title: string; run: string; check?: string }[]; packages: string[] };
  /** /etc/hosts lines of a node that has no /etc/hosts at all (ostopo adds its block to what is there). */
  hostsPreamble: string[];
  /** Provider interface config (the guide's "Configure network interfaces"), {iface} replaced. */
  providerInterface: string[];
  packages: Record<ServiceId, string[]>;
  /** systemd units enabled and (re)started for a service, in order. */
  units: Record<ServiceId, string[]>;
  paths: {
    chronyConf: string;
    mariadbCnf: string;
    memcached: string;
    etcd: string;
    rabbitmqEnv?: string;
    providerInterface: string; // with {iface}
    httpdConf?: string;
    openrcDir: string;
  };
  chrony: { driftfile: string; extra: string[] };
  memcachedFormat: 'sysconfig' | 'debian';
  /** How the database root account is secured: the guide's mysql_secure_installation, or Debian's unix_socket. */
  mariadbRoot: 'password' | 'unix_socket';
  api: { keystone: ApiServer; placement: ApiServer; 'nova-api': ApiServer; 'neutron-server': ApiServer };
  /** ML2 mechanism driver of the provider network (the guide: linuxbridge; Debian packages openvswitch). */
  ml2MechanismDriver: 'linuxbridge' | 'openvswitch';
  /** Option-level differences between releases. */
  options: {
    glanceStores: 'legacy' | 'multistore';
    /** nova [DEFAULT] use_neutron / firewall_driver (removed after Train). */
    novaLegacyNetworkOptions: boolean;
    /** nova [service_user] send_service_user_token (checked by nova-status from Zed on). */
    novaServiceUserToken: boolean;
    novaLockPath: string;
    /** CentOS 7 Train placement-api vhost lacks access to /usr/bin. */
    placementDirectoryFix: boolean;
  };
  /** Debian starts daemons at install with default configs: install under a policy-rc.d that forbids it. */
  preventStartOnInstall: boolean;
  /** Package install command (packages are appended) and the check that they are installed ({pkgs}). */
  install: { command: string; installed: string };
  /** Bind every daemon to the node address (Debian's defaults listen on all addresses or 127.0.0.1). */
  bindToNodeAddress: boolean;
  /** Release of the option catalog (catalog/oslo-<release>.json) that checks `config` overrides, if any. */
  optionCatalog?: 'zed';
  /** Service users and groups that own config files. */
  owners: Record<'keystone' | 'glance' | 'placement' | 'nova' | 'neutron' | 'etcd' | 'memcached' | 'rabbitmq', string>;
  /** Extra config files this profile renders (logical names from catalog.CONFIG_FILES). */
  extraConfigFiles: string[];
  /**
   * Daemons that read several of the rendered files, in the order they read them (a later file wins):
   * an override in an earlier file of an option that a later one sets never reaches the daemon.
   */
  configReadOrder: Partial<Record<ServiceId, string[]>>;
  /**
   * What nova-compute adds per `compute_driver` (from the topology's nova overrides; default libvirt)
   * to `packages['nova-compute']` and `units['nova-compute']`: packages (libvirt: per virt_type), units
   * started before nova-compute, and whether it uses libvirt (virt_type fact, [libvirt] section).
   */
  computeDrivers: Record<string, ComputeDriver>;
  /** Commands run before a service's packages are installed (e.g. units that cannot run in containers). */
  preInstall: Partial<Record<ServiceId, { title: string; run: string; check?: string }[]>>;
  /**
   * Files a service's packages read when they are installed, written before the install (Debian's
   * postinst keeps a file that is there and would otherwise write its own defaults).
   */
  preInstallFiles: Partial<Record<ServiceId, { path: string; lines: string[]; description: string }[]>>;
}

export interface ComputeDriver {
  packages: { kvm: string[]; qemu: string[] };
  unitsBefore: string[];
  libvirt: boolean;
}

export const DEFAULT_COMPUTE_DRIVER = 'libvirt.LibvirtDriver';

const same = (p: string[]) => ({ kvm: p, qemu: p });

const CENTOS7_TRAIN: Profile = {
  id: 'centos7/train',
  os: 'centos7',
  release: 'train',
  title: 'CentOS 7 / OpenStack Train (RDO)',
  packageManager: 'yum',
  python: 'python',
  repository: {
    description: 'RDO Train repository, system upgrade, OpenStack client and SELinux policies',
    commands: [
      { title: 'enable the RDO Train repository', run: 'yum -y install centos-release-openstack-train', check: 'rpm -q centos-release-openstack-train >/dev/null' },
      { title: 'upgrade the packages on the node', run: 'yum -y upgrade', check: 'yum -q check-update >/dev/null 2>&1' },
    ],
    packages: ['python-openstackclient', 'openstack-selinux'],
  },
  hostsPreamble: ['127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4', '::1         localhost localhost.localdomain localhost6 localhost6.localdomain6'],
  providerInterface: ['DEVICE={iface}', 'TYPE=Ethernet', 'ONBOOT="yes"', 'BOOTPROTO="none"'],
  packages: {
    chrony: ['chrony'],
    mariadb: ['mariadb', 'mariadb-server', 'python2-PyMySQL'],
    rabbitmq: ['rabbitmq-server'],
    memcached: ['memcached', 'python-memcached'],
    etcd: ['etcd'],
    keystone: ['openstack-keystone', 'httpd', 'mod_wsgi'],
    glance: ['openstack-glance'],
    placement: ['openstack-placement-api'],
    'nova-api': ['openstack-nova-api'],
    'nova-scheduler': ['openstack-nova-scheduler'],
    'nova-conductor': ['openstack-nova-conductor'],
    'nova-novncproxy': ['openstack-nova-novncproxy'],
    'nova-compute': ['openstack-nova-compute'],
    'neutron-server': ['openstack-neutron', 'openstack-neutron-ml2'],
  },
  units: {
    chrony: ['chronyd'],
    mariadb: ['mariadb'],
    rabbitmq: ['rabbitmq-server'],
    memcached: ['memcached'],
    etcd: ['etcd'],
    keystone: ['httpd'],
    glance: ['openstack-glance-api'],
    placement: ['httpd'],
    'nova-api': ['openstack-nova-api'],
    'nova-scheduler': ['openstack-nova-scheduler'],
    'nova-conductor': ['openstack-nova-conductor'],
    'nova-novncproxy': ['openstack-nova-novncproxy'],
    'nova-compute': ['openstack-nova-compute'], // + computeDrivers[...].unitsBefore (libvirtd)
    'neutron-server': ['neutron-server'],
  },
  paths: {
    chronyConf: '/etc/chrony.conf',
    mariadbCnf: '/etc/my.cnf.d/openstack.cnf',
    memcached: '/etc/sysconfig/memcached',
    etcd: '/etc/etcd/etcd.conf',
    providerInterface: '/etc/sysconfig/network-scripts/ifcfg-{iface}',
    httpdConf: '/etc/httpd/conf/httpd.conf',
    openrcDir: '/root',
  },
  chrony: { driftfile: '/var/lib/chrony/drift', extra: ['makestep 1.0 3', 'rtcsync', 'logdir /var/log/chrony'] },
  memcachedFormat: 'sysconfig',
  mariadbRoot: 'password',
  api: {
    keystone: { kind: 'httpd-wsgi', vhost: '/etc/httpd/conf.d/wsgi-keystone.conf', link: { from: '/usr/share/keystone/wsgi-keystone.conf', to: '/etc/httpd/conf.d/wsgi-keystone.conf' } },
    placement: { kind: 'httpd-wsgi', vhost: '/etc/httpd/conf.d/00-placement-api.conf' },
    'nova-api': { kind: 'daemon' },
    'neutron-server': { kind: 'daemon' },
  },
  ml2MechanismDriver: 'linuxbridge',
  options: {
    glanceStores: 'legacy',
    novaLegacyNetworkOptions: true,
    novaServiceUserToken: false,
    novaLockPath: '/var/lib/nova/tmp',
    placementDirectoryFix: true,
  },
  preventStartOnInstall: false,
  install: { command: 'yum -y install', installed: 'rpm -q {pkgs} >/dev/null' },
  bindToNodeAddress: false,
  owners: { keystone: 'keystone', glance: 'glance', placement: 'placement', nova: 'nova', neutron: 'neutron', etcd: 'etcd', memcached: 'memcached', rabbitmq: 'rabbitmq' },
  extraConfigFiles: [],
  configReadOrder: {},
  computeDrivers: {
    'libvirt.LibvirtDriver': { packages: same([]), unitsBefore: ['libvirtd'], libvirt: true },
    'fake.FakeDriver': { packages: same([]), unitsBefore: [], libvirt: false },
    'ironic.IronicDriver': { packages: same([]), unitsBefore: [], libvirt: false },
  },
  preInstall: {},
  preInstallFiles: {},
};

const MASK_ISCSI_IN_CONTAINERS = {
  title: 'mask the open-iscsi units when the node is a container (they cannot start there)',
  run: 'systemctl mask iscsid.socket iscsid.service open-iscsi.service',
  check: '! systemd-detect-virt --container --quiet || [ "$(systemctl is-enabled iscsid.socket 2>/dev/null)" = masked ]',
};

const DEBIAN12_ZED: Profile = {
  id: 'debian12/zed',
  os: 'debian12',
  release: 'zed',
  title: 'Debian 12 (bookworm) / OpenStack Zed (Debian main)',
  packageManager: 'apt',
  python: 'python3',
  repository: {
    description: 'Debian bookworm main carries Zed: refresh the package lists and install the OpenStack client',
    commands: [
      {
        title: 'refresh the package lists',
        run: 'DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update',
        check: 'test -n "$(find /var/lib/apt/lists -maxdepth 1 -name \'*_Packages*\' -mmin -720 2>/dev/null | head -n 1)"',
      },
    ],
    packages: ['python3-openstackclient', 'python3-osc-placement'],
  },
  hostsPreamble: ['127.0.0.1       localhost', '::1             localhost ip6-localhost ip6-loopback', 'ff02::1         ip6-allnodes', 'ff02::2         ip6-allrouters'],
  providerInterface: ['# The provider network interface', 'auto {iface}', 'iface {iface} inet manual', 'up ip link set dev $IFACE up', 'down ip link set dev $IFACE down'],
  packages: {
    chrony: ['chrony'],
    mariadb: ['mariadb-server', 'python3-pymysql'],
    rabbitmq: ['rabbitmq-server'],
    memcached: ['memcached', 'python3-memcache'],
    etcd: ['etcd-server'],
    keystone: ['keystone'],
    // qemu-utils: qemu-img, for glance's image conversion and the offline image check of verify.
    glance: ['glance-api', 'qemu-utils'],
    placement: ['placement-api'],
    'nova-api': ['nova-api'],
    'nova-scheduler': ['nova-scheduler'],
    'nova-conductor': ['nova-conductor'],
    'nova-novncproxy': ['nova-consoleproxy'],
    'nova-compute': ['nova-compute'], // + the hypervisor provider of computeDrivers
    'neutron-server': ['neutron-server'],
  },
  units: {
    chrony: ['chrony'],
    mariadb: ['mariadb'],
    rabbitmq: ['rabbitmq-server'],
    memcached: ['memcached'],
    etcd: ['etcd'],
    keystone: ['keystone'],
    // qemu-utils: qemu-img, for glance's image conversion and the offline image check of verify.
    glance: ['glance-api'],
    placement: ['placement-api'],
    'nova-api': ['nova-api'],
    'nova-scheduler': ['nova-scheduler'],
    'nova-conductor': ['nova-conductor'],
    'nova-novncproxy': ['nova-novncproxy'],
    'nova-compute': ['nova-compute'],
    'neutron-server': ['neutron-api', 'neutron-rpc-server'],
  },
  paths: {
    chronyConf: '/etc/chrony/chrony.conf',
    mariadbCnf: '/etc/mysql/mariadb.conf.d/99-openstack.cnf',
    memcached: '/etc/memcached.conf',
    etcd: '/etc/default/etcd',
    rabbitmqEnv: '/etc/rabbitmq/rabbitmq-env.conf',
    providerInterface: '/etc/network/interfaces.d/{iface}',
    openrcDir: '/root',
  },
  chrony: { driftfile: '/var/lib/chrony/chrony.drift', extra: ['keyfile /etc/chrony/chrony.keys', 'ntsdumpdir /var/lib/chrony', 'logdir /var/log/chrony', 'maxupdateskew 100.0', 'rtcsync', 'makestep 1 3', 'leapsectz right/UTC'] },
  memcachedFormat: 'debian',
  mariadbRoot: 'unix_socket',
  api: {
    keystone: { kind: 'uwsgi', defaultsFile: '/etc/default/keystone', ini: '/etc/keystone/keystone-uwsgi.ini', port: 5000 },
    placement: { kind: 'uwsgi', defaultsFile: '/etc/default/placement-api', ini: '/etc/placement/placement-api-uwsgi.ini', port: 8778 },
    'nova-api': { kind: 'uwsgi', defaultsFile: '/etc/default/nova-api', ini: '/etc/nova/nova-api-uwsgi.ini', port: 8774 },
    // The neutron-api init script is named after neutron-server: its defaults file is /etc/default/neutron-server.
    'neutron-server': { kind: 'uwsgi', defaultsFile: '/etc/default/neutron-server', ini: '/etc/neutron/neutron-api-uwsgi.ini', port: 9696 },
  },
  ml2MechanismDriver: 'openvswitch',
  options: {
    glanceStores: 'multistore',
    novaLegacyNetworkOptions: false,
    novaServiceUserToken: true,
    novaLockPath: '/var/lib/nova/tmp',
    placementDirectoryFix: false,
  },
  preventStartOnInstall: true,
  install: {
    // Keep the configs ostopo wrote when a package upgrade ships new defaults (no conffile prompt).
    command: 'DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install -y',
    // Installed, and nothing half done: dpkg --audit lists what an interrupted install left (it exits 0 either way).
    installed: "test -z \"$(dpkg --audit 2>&1)\" && for p in {pkgs}; do dpkg-query -W -f='${Status}\\n' \"$p\" 2>/dev/null | grep -q '^install ok installed$' || exit 1; done",
  },
  bindToNodeAddress: true,
  optionCatalog: 'zed',
  owners: { keystone: 'keystone', glance: 'glance', placement: 'placement', nova: 'nova', neutron: 'neutron', etcd: 'etcd', memcached: 'memcache', rabbitmq: 'rabbitmq' },
  extraConfigFiles: ['nova-compute.conf'],
  // /etc/init.d/nova-compute passes --config-file nova.conf --config-file nova-compute.conf.
  configReadOrder: { 'nova-compute': ['nova.conf', 'nova-compute.conf'] },
  // nova-compute needs one nova-compute-hypervisor provider; -ironic is the one without libvirt and qemu.
  computeDrivers: {
    'libvirt.LibvirtDriver': { packages: { kvm: ['nova-compute-kvm'], qemu: ['nova-compute-qemu'] }, unitsBefore: [], libvirt: true },
    'fake.FakeDriver': { packages: same(['nova-compute-ironic']), unitsBefore: [], libvirt: false },
    'ironic.IronicDriver': { packages: same(['nova-compute-ironic']), unitsBefore: [], libvirt: false },
  },
  // nova's packages pull in open-iscsi (python3-os-brick), whose units cannot start in a container.
  preInstall: Object.fromEntries((['nova-api', 'nova-scheduler', 'nova-conductor', 'nova-novncproxy', 'nova-compute'] as const).map((s) => [s, [MASK_ISCSI_IN_CONTAINERS]])),
  preInstallFiles: {
    // nova-consoleproxy ships the noVNC, SPICE and serial proxies; its postinst writes this file (spicehtml5
    // and the serial proxy, on every address) unless it exists. Each unit reads it and exits 0 when not chosen.
    'nova-novncproxy': [
      {
        path: '/etc/default/nova-consoleproxy',
        lines: ['# The console proxy that runs: novnc or spicehtml5.', 'NOVA_CONSOLE_PROXY_TYPE=novnc', '', '# The serial console proxy (true or false).', 'NOVA_SERIAL_PROXY_START=false'],
        description: 'Which console proxy of nova-consoleproxy runs: noVNC (the guide\'s), not the SPICE or serial proxies.',
      },
    ],
  },
};

export const PROFILES: Profile[] = [CENTOS7_TRAIN, DEBIAN12_ZED];

export function findProfile(os: unknown, release: unknown): Profile | undefined {
  return PROFILES.find((p) => p.os === os && p.release === release);
}
