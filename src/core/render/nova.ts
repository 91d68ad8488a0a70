import { REGISTRY, RENDER_ORDER, servicesOf, ServiceId } from '../services/registry';
import { overriddenString, ResolvedNode, shortName } from '../model';
import { own } from '../own';
import { ComputeDriver, DEFAULT_COMPUTE_DRIVER } from '../profiles';
import { asAdmin, expectLines, RenderContext } from './context';
import { authtoken, passwordAuth } from './identity';
import { IniDoc } from './ini';
import { apiService, dbConnection, uwsgiDefaults } from './apiService';
import { launchesInstance } from './launch';
import { CINDER_CEPH_USER, cinderSecretUuid } from './ceph';
import { backendOn, volumesOnRbd } from './cinder';
import { secretRef, shq, TEST_IMAGE } from './template';

/** nova's control services: the nova services the controller role places. */
const CONTROL: ServiceId[] = servicesOf('nova').filter((s) => REGISTRY[s].roles.includes('controller'));

/** nova.conf for a node: the controller part, the compute part, or both on an all-in-one node. */
function buildNovaConf(ctx: RenderContext, node: ResolvedNode, ini: IniDoc): void {
  const { profile, cloud } = ctx;
  const control = node.services.some((s) => CONTROL.includes(s));
  const compute = node.services.includes('nova-compute');
  const here = (...path: (string | number)[]) => ({ layer: 'topology' as const, path });
  const prof = { layer: 'profile' as const };

  ini.set('DEFAULT', 'enabled_apis', 'osapi_compute,metadata', prof);
  ini.set('DEFAULT', 'transport_url', ctx.transportUrl(), here('nodes', ctx.hostName('rabbitmq')));
  ini.set('DEFAULT', 'my_ip', node.address, here('nodes', node.name, 'address'));
  // The file is ostopo's whole: the distribution's state_path (Debian sets it in the nova.conf it ships)
  // would be gone, and nova-compute would look for its instances below its Python package.
  ini.set('DEFAULT', 'state_path', profile.paths.novaState, prof);
  if (profile.options.novaLegacyNetworkOptions) {
    ini.set('DEFAULT', 'use_neutron', true, prof);
    ini.set('DEFAULT', 'firewall_driver', 'nova.virt.firewall.NoopFirewallDriver', prof);
  }
  if (control && ctx.workers) {
    if (node.services.includes('nova-api')) {
      ini.set('DEFAULT', 'osapi_compute_workers', ctx.workers, here('workers'));
      ini.set('DEFAULT', 'metadata_workers', ctx.workers, here('workers'));
    }
  }
  if (control) {
    ini.set('api_database', 'connection', ...dbConnection(ctx, 'nova-api', 'nova_api'));
    ini.set('database', 'connection', ...dbConnection(ctx, 'nova-api', 'nova'));
  }
  if (profile.options.novaGuideApiOptions) ini.set('api', 'auth_strategy', 'keystone', prof);
  ini.setAll('keystone_authtoken', authtoken(ctx, 'nova', secretRef('NOVA_PASS'), { wwwUri: '/', authUrlSuffix: '/' }), here('nodes', ctx.hostName('keystone')));
  if (profile.options.novaServiceUserToken) {
    ini.set('service_user', 'send_service_user_token', true, prof);
    ini.setAll('service_user', passwordAuth(ctx, 'nova', 'NOVA_PASS', { authUrlSuffix: '/v3', region: false }), here('nodes', ctx.hostName('keystone')));
  }

  const proxy = ctx.host('nova-novncproxy');
  if (!proxy) {
    ini.set('vnc', 'enabled', false, here('nodes'));
  } else {
    ini.set('vnc', 'enabled', true, here('nodes', proxy.name));
    ini.set('vnc', 'server_listen', compute ? '0.0.0.0' : '$my_ip', prof);
    ini.set('vnc', 'server_proxyclient_address', '$my_ip', prof);
    if (compute) ini.set('vnc', 'novncproxy_base_url', `http://${proxy.name}:6080/vnc_auto.html`, here('nodes', proxy.name));
    if (node.services.includes('nova-novncproxy') && ctx.bindAddress(node)) ini.set('vnc', 'novncproxy_host', node.address, here('nodes', node.name, 'address'));
  }
  if (profile.options.novaGuideApiOptions) ini.set('glance', 'api_servers', `http://${ctx.hostName('glance')}:9292`, here('nodes', ctx.hostName('glance')));
  const neutron = ctx.host('neutron-server');
  if (neutron) {
    // The guide's [neutron] section: nova-api asks neutron on every server view, nova-compute binds ports.
    ini.setAll('neutron', passwordAuth(ctx, 'neutron', 'NEUTRON_PASS'), here('nodes', neutron.name));
    if (node.services.includes('nova-api-metadata')) {
      // The guide: nova's metadata API trusts requests the neutron metadata agent signed with the shared secret.
      ini.set('neutron', 'service_metadata_proxy', true, here('nodes', node.name, 'roles'));
      ini.set('neutron', 'metadata_proxy_shared_secret', secretRef('METADATA_SECRET'), here('secrets', 'METADATA_SECRET'));
    }
  }
  const cinder = ctx.host('cinder-api');
  // The guide's [cinder] section (controller; compute nodes attach volumes through the same region's endpoint).
  if (cinder) ini.set('cinder', 'os_region_name', cloud.region, here('nodes', cinder.name, 'roles'));
  ini.set('oslo_concurrency', 'lock_path', profile.options.novaLockPath, prof);
  ini.setAll(
    'placement',
    [
      ['region_name', cloud.region],
      ['project_domain_name', 'Default'],
      ['project_name', 'service'],
      ['auth_type', 'password'],
      ['user_domain_name', 'Default'],
      ['auth_url', ctx.keystoneUrl('/v3')],
      ['username', 'placement'],
      ['password', secretRef('PLACEMENT_PASS')],
    ],
    here('nodes', ctx.hostName('placement')),
  );
  if (control) {
    ini.set('scheduler', 'discover_hosts_in_cells_interval', 300, prof);
    if (ctx.workers && node.services.includes('nova-scheduler')) ini.set('scheduler', 'workers', ctx.workers, here('workers'));
    if (ctx.workers && node.services.includes('nova-conductor')) ini.set('conductor', 'workers', ctx.workers, here('workers'));
  }
  if (compute && !profile.extraConfigFiles.includes('nova-compute.conf') && computeDriver(ctx, node).libvirt) libvirtSection(ctx, node, ini);
  if (compute && computeDriver(ctx, node).libvirt && volumesOnRbd(cloud)) {
    // cinder's volumes are RBD images: QEMU opens them through librbd as client.cinder, its key in the libvirt secret.
    const mon = here('nodes', ctx.hostName('ceph-mon'), 'roles');
    ini.set('libvirt', 'rbd_user', CINDER_CEPH_USER, mon);
    ini.set('libvirt', 'rbd_secret_uuid', cinderSecretUuid(cloud), mon);
  }
}

/**
 * The node's `compute_driver`, as nova-compute will read it, the node's overrides before the cloud's.
 * Where the profile renders nova-compute.conf, that file sets it (nova-compute reads it after nova.conf,
 * so a nova.conf override never reaches it: validation says so). Picks the profile's packages and units.
 */
export function computeDriverName(ctx: RenderContext, node: ResolvedNode): string {
  const file = ctx.profile.extraConfigFiles.includes('nova-compute.conf') ? 'nova-compute.conf' : 'nova.conf';
  return overriddenString(node, ctx.cloud, 'nova', file, 'DEFAULT', 'compute_driver') ?? DEFAULT_COMPUTE_DRIVER;
}

function computeDriver(ctx: RenderContext, node: ResolvedNode): ComputeDriver {
  const p = ctx.profile.computeDrivers;
  const d = own(p, computeDriverName(ctx, node)) ?? own(p, DEFAULT_COMPUTE_DRIVER);
  if (!d) throw new Error(`internal: ${ctx.profile.id} has no ${DEFAULT_COMPUTE_DRIVER}`);
  return d;
}

function virtType(ctx: RenderContext, node: ResolvedNode): 'kvm' | 'qemu' {
  return own(ctx.facts, node.name)?.hwVirt === false ? 'qemu' : 'kvm';
}

/** The guide: `egrep -c '(vmx|svm)' /proc/cpuinfo`; no hardware virtualisation means QEMU. */
function libvirtSection(ctx: RenderContext, node: ResolvedNode, ini: IniDoc): void {
  ini.set('libvirt', 'virt_type', virtType(ctx, node), { layer: 'topology', path: ['nodes', node.name] });
}

/** The step of a node's nova services: nova-controller where a control service runs, else nova-compute. */
function novaStep(node: ResolvedNode): string {
  return node.services.some((s) => CONTROL.includes(s)) ? 'nova-controller' : 'nova-compute';
}

export function renderNova(ctx: RenderContext, node: ResolvedNode): void {
  const { profile } = ctx;
  const control = node.services.filter((s) => CONTROL.includes(s));
  const compute = node.services.includes('nova-compute');
  const api = ctx.host('nova-api');
  const step = novaStep(node);
  const service = control[0] ?? 'nova-compute';
  const base = { step, service };
  const driver = compute ? computeDriver(ctx, node) : undefined;
  const mine: ServiceId[] = [...control, ...(compute ? (['nova-compute'] as const) : [])];
  const cells = (cmd: string) => `su -s /bin/sh -c "nova-manage cell_v2 list_cells" ${ctx.owner('nova')} | grep -q ' ${cmd} '`;

  apiService(ctx, node, service, {
    step,
    services: mine,
    extraPackages: [...(driver ? driver.packages[virtType(ctx, node)] : []), ...(driver?.libvirt && volumesOnRbd(ctx.cloud) ? (backendOn(ctx, 'rbd').computePackages ?? []) : [])],
    withoutRecommends: driver?.withoutRecommends,
    // Compute nodes start after the controller is up (guide order), so the service registers in a live cell;
    // their packages and files are in place by then (the deploy waits at the start, not before the install).
    startAfter: compute && !control.length && api ? [{ node: api.name, step: 'nova-controller' }] : undefined,
    beforeInstall: () => {
      if (driver?.libvirt) {
        ctx.add(node, {
          kind: 'fact',
          step,
          service: 'nova-compute',
          id: `${step}/fact-hw-virt`,
          name: 'hwVirt',
          title: 'hardware virtualisation (vmx/svm, /dev/kvm) for [libvirt] virt_type',
          // The guide's test, and a KVM device to use (a container, or a guest without nested virtualisation, has none).
          run: 'test "$(grep -Ec \'(vmx|svm)\' /proc/cpuinfo)" -gt 0 && test -c /dev/kvm',
        });
      }
    },
    configure: () => {
      ctx.iniFile(node, step, service, 'nova', 'nova.conf', '/etc/nova/nova.conf', (ini) => buildNovaConf(ctx, node, ini), {
        group: ctx.owner('nova'),
        description: control.length
          ? `nova for ${[...control, ...(compute ? ['nova-compute'] : [])].join(', ')} (guide: "Install and configure controller node").`
          : 'nova-compute (guide: "Install and configure a compute node").',
        catalog: { service: 'nova', file: 'nova.conf' },
      });
      const files = [`${step}/nova.conf`];
      if (compute && profile.extraConfigFiles.includes('nova-compute.conf')) {
        ctx.iniFile(
          node,
          step,
          'nova-compute',
          'nova',
          'nova-compute.conf',
          '/etc/nova/nova-compute.conf',
          (ini) => {
            ini.set('DEFAULT', 'compute_driver', DEFAULT_COMPUTE_DRIVER, { layer: 'profile' });
            if (driver?.libvirt) libvirtSection(ctx, node, ini);
          },
          { group: ctx.owner('nova'), description: "nova-compute's hypervisor settings, read after nova.conf (Debian).", catalog: { service: 'nova', file: 'nova.conf' } },
        );
        files.push(`${step}/nova-compute.conf`);
      }
      const qemu = '/etc/libvirt/qemu.conf';
      if (
        driver?.libvirt &&
        ctx.keyValueFile(node, step, 'nova-compute', 'nova', 'qemu.conf', qemu, { description: `libvirt's QEMU driver settings the topology gives (${qemu}); libvirtd restarts when they change.` })
      )
        files.push(`${step}/qemu.conf`);
      return files;
    },
    serve: () => {
      // Debian serves the metadata API with a uwsgi of its own (CentOS: nova-api, enabled_apis).
      // (On a node where it is the only control service, the recipe already wrote its uwsgi defaults.)
      const meta = node.services.includes('nova-api-metadata') && service !== 'nova-api-metadata' ? ctx.api('nova-api-metadata') : undefined;
      if (meta?.kind !== 'uwsgi') return [];
      uwsgiDefaults(ctx, node, step, 'nova-api-metadata', meta, `${step}/metadata-uwsgi-defaults`);
      return [`${step}/metadata-uwsgi-defaults`];
    },
    // `nova-manage cell_v2 list_cells` takes seconds: the journal vouches for cells made before (see apiService).
    sync: node.services.includes('nova-api')
      ? [
          { id: 'api-db-sync', title: 'nova-manage api_db sync', cmd: 'nova-manage api_db sync' },
          { id: 'map-cell0', title: 'nova-manage cell_v2 map_cell0', cmd: 'nova-manage cell_v2 map_cell0', check: cells('cell0') },
          { id: 'create-cell1', title: 'nova-manage cell_v2 create_cell --name=cell1', cmd: 'nova-manage cell_v2 create_cell --name=cell1 --verbose', check: cells('cell1') },
          { id: 'db-sync', title: 'nova-manage db sync', cmd: 'nova-manage db sync' },
        ]
      : undefined,
    units: [...control.flatMap((s) => ctx.units(s)), ...(driver ? [...driver.unitsBefore, ...ctx.units('nova-compute')] : [])],
    afterStart: () => {
      if (driver?.libvirt && volumesOnRbd(ctx.cloud)) libvirtCephSecret(ctx, node, step);
      if (!node.services.includes('nova-novncproxy')) return;
      // The guide's console URL answers: the noVNC page through the proxy.
      const url = `http://${ctx.bindAddress(node) ?? node.name}:6080/vnc_auto.html`;
      ctx.check(node, {
        ...base,
        id: `${step}/verify-novncproxy`,
        title: `noVNC console page ${url}`,
        run: `curl -sS -o /dev/null -w '%{http_code}\\n' ${shq(url)}`,
        expect: '^200$',
        units: ctx.units('nova-novncproxy'),
      });
    },
  });
}

/**
 * The libvirt secret holding client.cinder's key (the topology's CEPH_CINDER_KEY), which nova names in the
 * volumes' disk definitions (rbd_secret_uuid). The key goes through a file only root reads, never argv.
 */
function libvirtCephSecret(ctx: RenderContext, node: ResolvedNode, step: string): void {
  const uuid = cinderSecretUuid(ctx.cloud);
  const xml = `<secret ephemeral='no' private='no'><uuid>${uuid}</uuid><usage type='ceph'><name>client.${CINDER_CEPH_USER} secret</name></usage></secret>`;
  ctx.command(node, {
    step,
    service: 'nova-compute',
    id: `${step}/libvirt-ceph-secret`,
    title: `libvirt secret ${uuid}: client.${CINDER_CEPH_USER}'s key, for the volumes in Ceph`,
    env: ['CEPH_CINDER_KEY'],
    run: [
      'set -e',
      'umask 077',
      't=$(mktemp -d); trap \'rm -rf "$t"\' EXIT',
      `virsh secret-info ${uuid} >/dev/null 2>&1 || { printf '%s' ${shq(xml)} > "$t/secret.xml"; virsh secret-define --file "$t/secret.xml"; }`,
      // secret-set-value reads the value base64-encoded, as a cephx key is written.
      `printf '%s' "$CEPH_CINDER_KEY" > "$t/key"`,
      `virsh secret-set-value --secret ${uuid} --file "$t/key" >/dev/null`,
      `echo "libvirt secret ${uuid} holds client.${CINDER_CEPH_USER}'s key"`,
    ].join('\n'),
    check: `[ "$(virsh secret-get-value ${uuid} 2>/dev/null)" = "$CEPH_CINDER_KEY" ]`,
  });
}

/**
 * discover_hosts, again every 5 s until `list_hosts` shows every one of `hosts`, for 5 minutes at most
 * by the clock (each try is two nova-manage runs of several seconds) and 60 tries.
 */
export function discoverHostsUntilMapped(owner: string, hosts: string[]): string {
  const manage = (sub: string) => `su -s /bin/sh -c ${shq(`nova-manage cell_v2 ${sub}`)} ${owner}`;
  return [
    'until_s=$((SECONDS + 300))',
    'for try in $(seq 60); do',
    `  ${manage('discover_hosts --verbose')}`,
    `  mapped=$(${manage('list_hosts')} | tr -d ' ')`,
    '  missing=',
    // The table centres its cells (`|  aio   |` under `Hostname`): compared without the padding.
    `  for h in ${hosts.map(shq).join(' ')}; do grep -qF -- "|$h|" <<<"$mapped" || missing="$missing $h"; done`,
    '  [ -z "$missing" ] && exit 0',
    '  [ "$SECONDS" -ge "$until_s" ] && break',
    '  sleep 5',
    'done',
    'echo "nova-compute has not registered in 5 minutes (see its log on each node):$missing"',
    'exit 1',
  ].join('\n');
}

/** On the nova-api node, after every compute node: the guide's "Add the compute node to the cell database" and the final checks. */
export function renderNovaDiscovery(ctx: RenderContext, node: ResolvedNode): void {
  if (!node.services.includes('nova-api')) return;
  const computes = ctx.hosts('nova-compute');
  const step = 'nova-cells';
  const base = { step, service: 'nova-api' as const };
  if (computes.length) {
    ctx.command(node, {
      ...base,
      id: `${step}/discover-hosts`,
      title: 'nova-manage cell_v2 discover_hosts',
      // nova-compute registers its host a while after its unit has started (longer on a loaded host): until
      // then discover_hosts maps nothing, the host stays out of the cell and nova lists no hypervisor for it.
      // The guide checks `openstack compute service list` first; this waits until every host is mapped.
      run: discoverHostsUntilMapped(
        ctx.owner('nova'),
        computes.map((c) => c.hostname),
      ),
      after: computes.filter((c) => c.name !== node.name).map((c) => ({ node: c.name, step: novaStep(c) })),
    });
  }
  const chk = (id: string, title: string, run: string, expect?: string, reject?: string) => ctx.check(node, { ...base, id: `${step}/${id}`, title, run: asAdmin(ctx, run), expect, reject });
  chk('verify-cells', 'nova-manage cell_v2 list_cells', `su -s /bin/sh -c "nova-manage cell_v2 list_cells" ${ctx.owner('nova')}`, ' cell1 ');
  // Every nova service of the topology is up, on the node that runs it.
  const expected = [
    ...ctx.hosts('nova-conductor').map((n) => `nova-conductor ${n.hostname} up`),
    ...ctx.hosts('nova-scheduler').map((n) => `nova-scheduler ${n.hostname} up`),
    ...computes.map((n) => `nova-compute ${n.hostname} up`),
  ];
  chk('verify-compute-services', 'openstack compute service list', expectLines('openstack compute service list -f value -c Binary -c Host -c State', expected), undefined, ' down$');
  if (computes.length) {
    chk(
      'verify-hypervisors',
      'openstack hypervisor list',
      expectLines(
        'openstack hypervisor list -f value -c "Hypervisor Hostname" -c State | sed -E \'s/^([^. ]+)[^ ]* /\\1 /\'',
        computes.map((n) => `${shortName(n.hostname)} up`),
      ),
    );
  }
  // identity (keystone's bootstrap) and the service type of every placed service registered in keystone.
  const types = ['identity', ...RENDER_ORDER.flatMap((s) => (REGISTRY[s].keystone && ctx.host(s) ? [REGISTRY[s].keystone.type] : []))];
  chk('verify-catalog', `openstack catalog list has ${types.join(', ')}`, expectLines('openstack catalog list -f value -c Type', types));
  chk('verify-nova-status', 'nova-status upgrade check', 'nova-status upgrade check', 'Success', 'Result: Failure');
  if (computes.length && ctx.host('glance') && !(launchesInstance(ctx.cloud) && ctx.cloud.verifyImage)) {
    // The guide's "Launch an instance" without networks (the real one: render/launch.ts), offline: a small image, a flavor, a server that reaches ACTIVE, then gone.
    chk(
      'verify-launch',
      'launch a test server (image, flavor, server ACTIVE, delete)',
      [
        'export OS_COMPUTE_API_VERSION=2.72',
        'set -e',
        'name=ostopo-verify-$$',
        'img=$(mktemp)',
        // Whatever happens, everything the check made is gone afterwards: the server first, then what it used.
        `cleanup() { openstack server delete --wait "$name" >/dev/null 2>&1 || true; openstack image delete "$name" >/dev/null 2>&1 || true; openstack flavor delete "$name" >/dev/null 2>&1 || true; rm -f "$img"; }`,
        'trap cleanup EXIT',
        ...TEST_IMAGE,
        'openstack image create "$name" --file "$img" --disk-format "$fmt" --container-format bare -f value -c id >/dev/null',
        'openstack flavor create --vcpus 1 --ram 64 --disk 1 "$name" >/dev/null',
        'openstack server create --flavor "$name" --image "$name" --nic none --wait "$name" -f value -c status -c OS-EXT-SRV-ATTR:host',
      ].join('\n'),
      '^ACTIVE$',
    );
  }
}
