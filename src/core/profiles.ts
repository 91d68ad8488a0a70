/**
 * The OS × release table. Everything that differs between targets is a field of a row (and, per service,
 * an entry of its descriptor keyed by the row's id); renderers read the profile and never branch on the
 * OS or release name. Adding a target means adding a row, which may extend another row (see `extend`).
 */

/** Operating systems of the table (the schema's `os` values, in this order). */
export const OPERATING_SYSTEMS = [
  { id: 'centos7', osRelease: { id: 'centos', version: '7' }, description: 'CentOS 7 (yum, RDO repositories, httpd + mod_wsgi for keystone and placement).' },
  { id: 'debian12', osRelease: { id: 'debian', version: '12' }, description: 'Debian 12 bookworm (apt, OpenStack from Debian main, uwsgi APIs).' },
  { id: 'debian13', osRelease: { id: 'debian', version: '13' }, description: 'Debian 13 trixie (apt, OpenStack from Debian main, uwsgi APIs).' },
] as const;

/**
 * OpenStack releases of the table (the schema's `release` values, in this order). A release may also be
 * written by its other name (`aliases`: 2025.1 is "Epoxy"); a topology's release is its id either way.
 */
export const RELEASES = [
  { id: 'train', description: "OpenStack Train (2019), the install guide's reference on CentOS 7 with RDO packages." },
  { id: 'zed', description: 'OpenStack Zed (2022), as packaged in Debian 12 (bookworm) main.' },
  { id: '2025.1', description: 'OpenStack 2025.1 "Epoxy" (2025), as packaged in Debian 13 (trixie) main. Also written `epoxy`.', aliases: ['epoxy'] },
] as const;

/** A release's other names. */
export function releaseAliases(r: (typeof RELEASES)[number]): readonly string[] {
  return 'aliases' in r ? r.aliases : [];
}

/** The release id a topology's `release` stands for: the id itself or one of its other names (any case). */
export function releaseId(written: string): string {
  const w = written.toLowerCase();
  return RELEASES.find((r) => r.id === w || releaseAliases(r).includes(w))?.id ?? written;
}

export type OsId = (typeof OPERATING_SYSTEMS)[number]['id'];
export type ReleaseId = (typeof RELEASES)[number]['id'];
/** A row's id: `<os>/<release>`. */
export type ProfileId = 'centos7/train' | 'debian12/zed' | 'debian13/2025.1';

/** How an API service is served. */
export type ApiServer = { kind: 'httpd-wsgi'; vhost: string; link?: { from: string; to: string } } | UwsgiApi | { kind: 'daemon' };

/** An API that Debian serves with uwsgi: its init script reads the defaults file, uwsgi the package's ini. */
export interface UwsgiApi {
  kind: 'uwsgi';
  defaultsFile: string;
  ini: string;
  port: number;
  /**
   * Threads per uwsgi process where the package's ini sets a count the API cannot take (passed after the
   * ini, so it wins); the ini's own count otherwise.
   */
  threads?: number;
}

export interface Profile {
  id: ProfileId;
  /** The row this one extends: a service without an entry for this row uses that row's entry. */
  extends?: ProfileId;
  os: OsId;
  release: ReleaseId;
  title: string;
  /** The Python of the OpenStack client packages (its keystoneclient runs ostopo's identity helper). */
  python: string;
  /**
   * Repository and client setup (the guide's "OpenStack packages" step), run on every node. A command's
   * `withRepositories` replaces its `run` when the topology says where packages come from (`repositories`).
   */
  repository: {
    description: string;
    commands: { title: string; run: string; check?: string; withRepositories?: string; /** Reads the sources: runs again when ostopo's source files change. */ refresh?: true }[];
    packages: string[];
  };
  /** How the topology's `repositories` are written on the nodes (see PackageSources). */
  packageSources: PackageSources;
  /** /etc/hosts lines of a node that has no /etc/hosts at all (ostopo adds its block to what is there). */
  hostsPreamble: string[];
  /** Provider interface config (the guide's "Configure network interfaces"), {iface} replaced. */
  providerInterface: string[];
  paths: {
    chronyConf: string;
    mariadbCnf: string;
    memcached: string;
    etcd: string;
    rabbitmqEnv?: string;
    providerInterface: string; // with {iface}
    openrcDir: string;
    /**
     * nova's [DEFAULT] state_path (instances, locks, keys live below it). The distributions set it in the
     * nova.conf they ship (Debian) or a dist.conf (RDO); without it nova uses its Python package's folder.
     */
    novaState: string;
  };
  chrony: { driftfile: string; extra: string[] };
  /**
   * The dashboard as the row packages it: the settings snippet ostopo writes (horizon reads the files of
   * local_settings.d after local_settings, in name order: this one after the distribution's), the URL
   * path it is served at, Django's memcached cache backend, and a web server config the guide adds.
   */
  dashboard: {
    settings: string;
    webroot: string;
    cacheBackend: string;
    /** The web server's user, who runs the dashboard (verify loads its settings as this user). */
    user: string;
    /** Where the dashboard's errors go (verify shows its last lines when a sign-in fails). */
    errorLog: string;
    serverConf?: { path: string; lines: string[] };
    /** The web server's listen directives (written with the node's address where the row binds to it). */
    listenConf?: string;
    /** Django's offline compression, run again when the settings change (templates depend on them), and its manifest. */
    compress: { run: string; manifest: string };
    /**
     * Two sign-ins may run side by side in a fresh dashboard process: the row's keystoneauth copies
     * sys.modules before it walks it to name its user agent (5.10 does; Debian 12's walked it live, and a
     * second thread importing then failed the sign-in with HTTP 500). Without it verify signs in one user
     * at a time.
     */
    signInsAtOnce?: boolean;
  };
  /**
   * cinder's LVM backend as the row's guide sets it up: the iSCSI target helper (tgtadm: tgt; lioadm:
   * targetcli). `cephMutedHealth`: health checks of the row's Ceph that are known and harmless to
   * the cloud, muted at deploy (`ceph health mute`, shown as muted by `ceph -s`), each with why.
   */
  blockStorage: { targetHelper: 'tgtadm' | 'lioadm'; cephMutedHealth?: { code: string; why: string }[] };
  memcachedFormat: 'sysconfig' | 'debian';
  /** How the database root account is secured: the guide's mysql_secure_installation, or Debian's unix_socket. */
  mariadbRoot: 'password' | 'unix_socket';
  /**
   * Neutron's ML2 mechanisms for instance networks that this row's packages have, the default first
   * (the topology's `networks.mechanism` picks another): each places its own L2 agent (see NETWORK_MECHANISMS).
   */
  networkMechanisms: NetworkMechanism[];
  /** Option-level differences between releases. */
  options: {
    glanceStores: 'legacy' | 'multistore';
    /** nova [DEFAULT] use_neutron / firewall_driver (removed after Train). */
    novaLegacyNetworkOptions: boolean;
    /** nova [service_user] send_service_user_token (checked by nova-status from Zed on). */
    novaServiceUserToken: boolean;
    /**
     * The guide's nova [api] auth_strategy = keystone and [glance] api_servers: deprecated for removal
     * (since nova 21); 2025.1 leaves them out (keystone is the default; nova finds glance in the catalog).
     */
    novaGuideApiOptions: boolean;
    novaLockPath: string;
    /** neutron [DEFAULT] allow_overlapping_ips for self-service networks (the guide's; removed later, always on). */
    neutronAllowOverlappingIps: boolean;
    /**
     * neutron [experimental] linuxbridge = true where the release marks the Linux bridge mechanism
     * experimental (Zed): without it neutron-server and the agent refuse to start with it.
     */
    neutronLinuxbridgeExperimental: boolean;
    /** CentOS 7 Train placement-api vhost lacks access to /usr/bin. */
    placementDirectoryFix: boolean;
  };
  /** Debian starts daemons at install with default configs: install under a policy-rc.d that forbids it. */
  preventStartOnInstall: boolean;
  /**
   * Package install command (packages are appended) and the check that they are installed ({pkgs});
   * `withoutRecommends`: what the command takes to leave out weak dependencies, where it installs them.
   */
  install: { command: string; installed: string; withoutRecommends?: string };
  /** Bind every daemon to the node address (Debian's defaults listen on all addresses or 127.0.0.1). */
  bindToNodeAddress: boolean;
  /**
   * The release of the option catalog generated from this row's packages (catalog/options.ts), if there
   * is one: `config` overrides are checked against it. See catalogFor for a row without one.
   */
  optionCatalog?: string;
  /** Extra config files this profile renders (logical names of the descriptors' configFiles). */
  extraConfigFiles: string[];
  /**
   * What nova-compute adds per `compute_driver` (from the topology's nova overrides; default libvirt)
   * to its packages and units: packages (libvirt: per virt_type), units started before nova-compute,
   * and whether it uses libvirt (virt_type fact, [libvirt] section).
   */
  computeDrivers: Record<string, ComputeDriver>;
}

/**
 * Where packages come from when the topology gives `repositories`: ostopo writes its own source files,
 * and sets the distribution's own aside (renamed to NAME.ostopo-disabled) after the repository command
 * at `disableAfter` (an index of `repository.commands`; -1: before them), so that no unreachable default
 * mirror stays in use. `endOfLife`: the distribution's own mirrors are gone (a finding without `repositories.os`).
 */
export type PackageSources = (
  | {
      kind: 'apt';
      /** The distribution's suite: `<suite> <suite>-updates` from `os`, `<suite>-security` from `security`. */
      suite: string;
      /** The archive keyring that signs the distribution's mirrors. */
      keyring: string;
    }
  | {
      kind: 'yum';
      /** Repositories of the OS, each under `repositories.os` (`path`), with its GPG key on the node. */
      os: YumRepo[];
      /** OpenStack's repositories: the first under `repositories.openstack` when given, all under `repositories.os` by default. */
      openstack: YumRepo[];
    }
) & {
  /** The source file ostopo writes (yum: one per group, `{group}` replaced). */
  file: string;
  /** Where keys from `repositories.gpgKeys` are written. */
  keysDir: string;
  /** Shell words (globs) of the distribution's own source files. */
  distroFiles: string;
  /**
   * How they are set aside: `rename`d to NAME.ostopo-disabled, or `blank`ed (a copy kept as
   * NAME.ostopo-disabled, a comment left): rpm recreates a missing config file on upgrade, but keeps an edited one.
   */
  setAside: 'rename' | 'blank';
  disableAfter: number;
  endOfLife?: { since: string; example: string };
};

export interface YumRepo {
  id: string;
  name: string;
  path: string;
  gpgKey: string;
}

export interface ComputeDriver {
  packages: { kvm: string[]; qemu: string[] };
  unitsBefore: string[];
  libvirt: boolean;
  /**
   * Install nova-compute without the packages' Recommends: a driver that never uses what they bring
   * (nova-compute-ironic recommends guestmount: libguestfs, a kernel and QEMU, minutes of installing).
   */
  withoutRecommends?: boolean;
}

/** How instances' networks are wired on each node: the ML2 mechanism and its L2 agent. */
export const NETWORK_MECHANISMS = [
  {
    id: 'linuxbridge',
    description: "Linux bridges and VXLAN interfaces, iptables security groups (the install guide's; removed from neutron in 2025.1).",
    /** [DEFAULT] interface_driver of the DHCP and L3 agents. */
    interfaceDriver: 'linuxbridge',
  },
  {
    id: 'openvswitch',
    description: 'Open vSwitch bridges (br-int, br-tun, a bridge per physical network), OVS-native security groups.',
    interfaceDriver: 'openvswitch',
  },
] as const;
export type NetworkMechanism = (typeof NETWORK_MECHANISMS)[number]['id'];

/** Open vSwitch's datapaths (`networks.ovsDatapath`, neutron's [ovs] datapath_type), the default first. */
export const OVS_DATAPATHS = [
  { id: 'system', description: "The kernel's openvswitch module (the default)." },
  { id: 'netdev', description: "Open vSwitch's userspace datapath: no kernel module needed (containers, test nodes); slower." },
] as const;
export type OvsDatapath = (typeof OVS_DATAPATHS)[number]['id'];

export const DEFAULT_COMPUTE_DRIVER = 'libvirt.LibvirtDriver';

const same = (p: string[]) => ({ kvm: p, qemu: p });

type Patch<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? Patch<T[K]> : T[K] };

/**
 * A row that extends another: the parent's fields with `patch` over them (objects merged key by key,
 * lists and values replaced). Services without an entry for the new row use the parent's entry.
 */
export function extend(parent: Profile, patch: Patch<Profile> & Pick<Profile, 'id' | 'os' | 'release' | 'title'>): Profile {
  const merge = (a: unknown, b: unknown): unknown => {
    if (b === undefined) return a;
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
      return out;
    }
    return b;
  };
  return { ...(merge(parent, patch) as Profile), extends: parent.id };
}

const CENTOS7_TRAIN: Profile = {
  id: 'centos7/train',
  os: 'centos7',
  release: 'train',
  title: 'CentOS 7 / OpenStack Train (RDO)',
  python: 'python',
  repository: {
    description: 'RDO Train repository, system upgrade, OpenStack client and SELinux policies',
    commands: [
      {
        title: 'enable the RDO Train repository',
        run: 'yum -y install centos-release-openstack-train',
        check: 'rpm -q centos-release-openstack-train >/dev/null',
        // From the topology's repositories only: the package brings the SIG keys (its repository files, with mirror lists that are gone, are set aside next).
        withRepositories: "yum -y --disablerepo='*' --enablerepo='ostopo-*' install centos-release-openstack-train",
      },
      { title: 'upgrade the packages on the node', run: 'yum -y upgrade', check: 'yum -q check-update >/dev/null 2>&1' },
    ],
    packages: ['python-openstackclient', 'openstack-selinux'],
  },
  packageSources: {
    kind: 'yum',
    file: '/etc/yum.repos.d/ostopo-{group}.repo',
    keysDir: '/etc/pki/rpm-gpg',
    distroFiles: '/etc/yum.repos.d/CentOS-*.repo',
    setAside: 'blank',
    disableAfter: 0,
    os: [
      { id: 'ostopo-base', name: 'CentOS 7 base', path: 'os/$basearch', gpgKey: 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7' },
      { id: 'ostopo-updates', name: 'CentOS 7 updates', path: 'updates/$basearch', gpgKey: 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7' },
      { id: 'ostopo-extras', name: 'CentOS 7 extras', path: 'extras/$basearch', gpgKey: 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7' },
    ],
    // What centos-release-openstack-train enables (RDO and the SIG repositories it needs), as the vault lays them out.
    openstack: [
      { id: 'ostopo-openstack-train', name: 'OpenStack Train (RDO)', path: 'cloud/$basearch/openstack-train', gpgKey: 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-SIG-Cloud' },
      { id: 'ostopo-ceph-nautilus', name: 'Ceph Nautilus (Storage SIG)', path: 'storage/$basearch/ceph-nautilus', gpgKey: 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-SIG-Storage' },
      { id: 'ostopo-qemu-ev', name: 'QEMU EV (Virtualization SIG)', path: 'virt/$basearch/kvm-common', gpgKey: 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-SIG-Virtualization' },
    ],
    endOfLife: { since: '2024-06-30', example: 'https://vault.centos.org/7.9.2009' },
  },
  hostsPreamble: ['127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4', '::1         localhost localhost.localdomain localhost6 localhost6.localdomain6'],
  providerInterface: ['DEVICE={iface}', 'TYPE=Ethernet', 'ONBOOT="yes"', 'BOOTPROTO="none"'],
  paths: {
    chronyConf: '/etc/chrony.conf',
    mariadbCnf: '/etc/my.cnf.d/openstack.cnf',
    memcached: '/etc/sysconfig/memcached',
    etcd: '/etc/etcd/etcd.conf',
    providerInterface: '/etc/sysconfig/network-scripts/ifcfg-{iface}',
    openrcDir: '/root',
    novaState: '/var/lib/nova',
  },
  chrony: { driftfile: '/var/lib/chrony/drift', extra: ['makestep 1.0 3', 'rtcsync', 'logdir /var/log/chrony'] },
  dashboard: {
    settings: '/usr/share/openstack-dashboard/openstack_dashboard/local/local_settings.d/_9000_ostopo.py',
    webroot: '/dashboard/',
    user: 'apache',
    errorLog: '/var/log/httpd/error_log',
    // Django 1.11 with python-memcached.
    cacheBackend: 'django.core.cache.backends.memcached.MemcachedCache',
    // The guide: "Add the following line to /etc/httpd/conf.d/openstack-dashboard.conf if not included".
    serverConf: { path: '/etc/httpd/conf.d/openstack-dashboard-ostopo.conf', lines: ['WSGIApplicationGroup %{GLOBAL}'] },
    compress: { run: 'python /usr/share/openstack-dashboard/manage.py compress --force', manifest: '/usr/share/openstack-dashboard/static/dashboard/manifest.json' },
  },
  blockStorage: { targetHelper: 'lioadm' },
  memcachedFormat: 'sysconfig',
  mariadbRoot: 'password',
  networkMechanisms: ['linuxbridge', 'openvswitch'],
  options: {
    glanceStores: 'legacy',
    novaLegacyNetworkOptions: true,
    novaServiceUserToken: false,
    novaGuideApiOptions: true,
    novaLockPath: '/var/lib/nova/tmp',
    neutronAllowOverlappingIps: true,
    neutronLinuxbridgeExperimental: false,
    placementDirectoryFix: true,
  },
  preventStartOnInstall: false,
  install: { command: 'yum -y install', installed: 'rpm -q {pkgs} >/dev/null' },
  bindToNodeAddress: false,
  extraConfigFiles: [],
  computeDrivers: {
    'libvirt.LibvirtDriver': { packages: same([]), unitsBefore: ['libvirtd'], libvirt: true },
    'fake.FakeDriver': { packages: same([]), unitsBefore: [], libvirt: false },
    'ironic.IronicDriver': { packages: same([]), unitsBefore: [], libvirt: false },
  },
};

const DEBIAN12_ZED: Profile = {
  id: 'debian12/zed',
  os: 'debian12',
  release: 'zed',
  title: 'Debian 12 (bookworm) / OpenStack Zed (Debian main)',
  python: 'python3',
  repository: {
    description: 'Debian bookworm main carries Zed: refresh the package lists and install the OpenStack client',
    commands: [
      {
        title: 'refresh the package lists',
        run: 'DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 update',
        refresh: true,
        check: 'test -n "$(find /var/lib/apt/lists -maxdepth 1 -name \'*_Packages*\' -mmin -720 2>/dev/null | head -n 1)"',
      },
    ],
    packages: ['python3-openstackclient', 'python3-osc-placement'],
  },
  packageSources: {
    kind: 'apt',
    suite: 'bookworm',
    keyring: '/usr/share/keyrings/debian-archive-keyring.gpg',
    file: '/etc/apt/sources.list.d/ostopo.sources',
    keysDir: '/etc/apt/keyrings',
    distroFiles: '/etc/apt/sources.list /etc/apt/sources.list.d/debian.sources',
    setAside: 'rename',
    disableAfter: -1,
  },
  hostsPreamble: ['127.0.0.1       localhost', '::1             localhost ip6-localhost ip6-loopback', 'ff02::1         ip6-allnodes', 'ff02::2         ip6-allrouters'],
  providerInterface: ['# The provider network interface', 'auto {iface}', 'iface {iface} inet manual', 'up ip link set dev $IFACE up', 'down ip link set dev $IFACE down'],
  paths: {
    chronyConf: '/etc/chrony/chrony.conf',
    mariadbCnf: '/etc/mysql/mariadb.conf.d/99-openstack.cnf',
    memcached: '/etc/memcached.conf',
    etcd: '/etc/default/etcd',
    rabbitmqEnv: '/etc/rabbitmq/rabbitmq-env.conf',
    providerInterface: '/etc/network/interfaces.d/{iface}',
    openrcDir: '/root',
    novaState: '/var/lib/nova',
  },
  chrony: {
    driftfile: '/var/lib/chrony/chrony.drift',
    extra: ['keyfile /etc/chrony/chrony.keys', 'ntsdumpdir /var/lib/chrony', 'logdir /var/log/chrony', 'maxupdateskew 100.0', 'rtcsync', 'makestep 1 3', 'leapsectz right/UTC'],
  },
  dashboard: {
    settings: '/etc/openstack-dashboard/local_settings.d/_9000_ostopo.py',
    // The package's own virtual host on port 80 (debconf horizon/activate_vhost, preseeded) serves it at /.
    webroot: '/',
    user: 'www-data',
    // The package's virtual host logs there.
    errorLog: '/var/log/openstack-dashboard/error.log',
    // Django 3.2 and 4.2 (MemcachedCache is gone from 4.1 on); python3-pymemcache.
    cacheBackend: 'django.core.cache.backends.memcached.PyMemcacheCache',
    // As on CentOS: without it, mod_wsgi's sub-interpreter fails to load cryptography's Rust module (HTTP 500).
    serverConf: { path: '/etc/apache2/conf-enabled/openstack-dashboard-ostopo.conf', lines: ['WSGIApplicationGroup %{GLOBAL}'] },
    listenConf: '/etc/apache2/ports.conf',
    // As the web server's user, as the package's own rebuild leaves it: run as root, Django creates the
    // dashboard's secret key file (on first use) readable by root only, and every page fails with HTTP 500.
    compress: {
      run: 'chown -R www-data:www-data /var/lib/openstack-dashboard/secret-key /var/lib/openstack-dashboard/static && runuser -u www-data -- /usr/share/openstack-dashboard/manage.py compress --force',
      manifest: '/var/lib/openstack-dashboard/static/dashboard/manifest.json',
    },
  },
  blockStorage: { targetHelper: 'tgtadm' },
  memcachedFormat: 'debian',
  mariadbRoot: 'unix_socket',
  networkMechanisms: ['linuxbridge', 'openvswitch'],
  options: {
    glanceStores: 'multistore',
    novaLegacyNetworkOptions: false,
    novaServiceUserToken: true,
    novaGuideApiOptions: true,
    novaLockPath: '/var/lib/nova/tmp',
    neutronAllowOverlappingIps: false,
    neutronLinuxbridgeExperimental: true,
    placementDirectoryFix: false,
  },
  preventStartOnInstall: true,
  install: {
    // Keep the configs ostopo wrote when a package upgrade ships new defaults (no conffile prompt); retry what the mirror drops.
    command: 'DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install -y',
    // Installed, and nothing half done: dpkg --audit lists what an interrupted install left (it exits 0 either way).
    installed: 'test -z "$(dpkg --audit 2>&1)" && for p in {pkgs}; do dpkg-query -W -f=\'${Status}\\n\' "$p" 2>/dev/null | grep -q \'^install ok installed$\' || exit 1; done',
    withoutRecommends: '--no-install-recommends',
  },
  bindToNodeAddress: true,
  optionCatalog: 'zed',
  extraConfigFiles: ['nova-compute.conf'],
  // nova-compute needs one nova-compute-hypervisor provider; -ironic is the one without libvirt and qemu.
  computeDrivers: {
    // libvirtd: installed under policy-rc.d, so started here (and restarted when qemu.conf changes).
    'libvirt.LibvirtDriver': { packages: { kvm: ['nova-compute-kvm'], qemu: ['nova-compute-qemu'] }, unitsBefore: ['libvirtd'], libvirt: true },
    'fake.FakeDriver': { packages: same(['nova-compute-ironic']), unitsBefore: [], libvirt: false, withoutRecommends: true },
    'ironic.IronicDriver': { packages: same(['nova-compute-ironic']), unitsBefore: [], libvirt: false, withoutRecommends: true },
  },
};

/**
 * Debian 13 (trixie) carries 2025.1 in main and runs it as Debian 12 runs Zed (the same packaging tools:
 * uwsgi APIs configured through /etc/default, policy-rc.d, unix_socket MariaDB root); descriptors add
 * entries where a package, unit or way of serving differs.
 */
const DEBIAN13_2025_1: Profile = extend(DEBIAN12_ZED, {
  id: 'debian13/2025.1',
  os: 'debian13',
  release: '2025.1',
  title: 'Debian 13 (trixie) / OpenStack 2025.1 Epoxy (Debian main)',
  repository: { description: 'Debian trixie main carries 2025.1: refresh the package lists and install the OpenStack client' },
  packageSources: { suite: 'trixie' },
  options: { novaGuideApiOptions: false },
  // python3-keystoneauth1 5.10: verify's two dashboard sign-ins (about 5 s each beside the other checks) run at once.
  dashboard: { signInsAtOnce: true },
  blockStorage: {
    targetHelper: 'tgtadm',
    cephMutedHealth: [
      {
        code: 'MGR_MODULE_DEPENDENCY',
        // Ceph 18.2.7 with Debian 13's python3-cryptography: the manager runs its modules in Python
        // subinterpreters, which PyO3 refuses. RBD (cinder, QEMU) does not use the manager's modules.
        why: "Debian 13's Ceph 18.2 loads its manager modules in Python subinterpreters, which the PyO3 of python3-cryptography refuses: 13 modules (balancer, pg_autoscaler, rbd_support...) do not load. Volumes (librbd) do not need them.",
      },
    ],
  },
  // neutron 2025.1 removed the Linux bridge mechanism (and Debian 13 its agent package).
  networkMechanisms: ['openvswitch'],
  optionCatalog: '2025.1',
});

export const PROFILES: Profile[] = [CENTOS7_TRAIN, DEBIAN12_ZED, DEBIAN13_2025_1];

export function findProfile(os: unknown, release: unknown): Profile | undefined {
  return PROFILES.find((p) => p.os === os && p.release === release);
}

export function profileById(id: string): Profile | undefined {
  return PROFILES.find((p) => p.id === id);
}

/** A per-row table's entry for a profile row, else for the row it extends, and so on. */
export function rowEntry<T>(profile: Profile, table: Partial<Record<string, T>>): T | undefined {
  for (const row of profileChain(profile)) {
    const entry = table[row.id];
    if (entry) return entry;
  }
  return undefined;
}

/** The row, then the row it extends, and so on. */
export function profileChain(profile: Profile): Profile[] {
  const chain = [profile];
  for (let p = profile.extends && profileById(profile.extends); p && !chain.includes(p); p = p.extends && profileById(p.extends)) chain.push(p);
  return chain;
}
