import { overriddenString, ResolvedNode } from '../model';
import { rowEntry } from '../profiles';
import { VOLUME_BACKENDS, VolumeBackendId } from '../services/cinder';
import { REGISTRY, servicesOf, ServiceId } from '../services/registry';
import { CINDER_CEPH_USER, CINDER_POOL, cinderSecretUuid, clientFiles } from './ceph';
import { asAdmin, expectLines, RenderContext } from './context';
import { apiService, dbConnection } from './apiService';
import { authtoken } from './identity';
import { IniDoc } from './ini';
import { secretRef, shq } from './template';

/** cinder's control services: those the controller role places (API, scheduler). */
const CONTROL: ServiceId[] = servicesOf('cinder').filter((s) => REGISTRY[s].roles.includes('controller'));

const LVM_BACKEND = VOLUME_BACKENDS.lvm.section;
const DEFAULT_VOLUME_GROUP = 'cinder-volumes';

/** cinder-volume's backend in a cloud: Ceph RBD where a node runs the Ceph monitor, else the guide's LVM. */
export function volumeBackend(cloud: { nodes: ResolvedNode[] }): VolumeBackendId {
  return cloud.nodes.some((n) => n.services.includes('ceph-mon')) ? 'rbd' : 'lvm';
}

/** Whether nova-compute attaches cinder's volumes through librbd (the cloud's volumes are in Ceph). */
export function volumesOnRbd(cloud: { nodes: ResolvedNode[] }): boolean {
  return volumeBackend(cloud) === 'rbd' && cloud.nodes.some((n) => n.services.includes('cinder-volume'));
}

/** The backend's packages and units on the context's profile row (or a row it extends). */
export function backendOn(ctx: RenderContext, id: VolumeBackendId): { packages: readonly string[]; units: readonly string[]; computePackages?: readonly string[] } {
  return rowEntry<{ packages: readonly string[]; units: readonly string[]; computePackages?: readonly string[] }>(ctx.profile, VOLUME_BACKENDS[id].profiles) ?? { packages: [], units: [] };
}

/** The step of a node's cinder services: cinder-controller where the API or scheduler runs, else cinder-volume. */
export function cinderStep(node: ResolvedNode): string {
  return node.services.some((s) => CONTROL.includes(s)) ? 'cinder-controller' : 'cinder-volume';
}

/**
 * The volume group the node's LVM backend uses, as cinder-volume will read it: the node's override of
 * `[lvm] volume_group`, else the cloud's, else the guide's `cinder-volumes`.
 */
export function lvmVolumeGroup(cloud: { config: ResolvedNode['config'] }, node: ResolvedNode): string {
  return overriddenString(node, cloud, 'cinder', 'cinder.conf', LVM_BACKEND, 'volume_group') || DEFAULT_VOLUME_GROUP;
}

/** cinder.conf for a node: the controller part (API, scheduler), the volume part (its backend: LVM or RBD), or both. */
function buildCinderConf(ctx: RenderContext, node: ResolvedNode, ini: IniDoc): void {
  const { profile } = ctx;
  const here = (...path: (string | number)[]) => ({ layer: 'topology' as const, path });
  const prof = { layer: 'profile' as const };
  const volume = node.services.includes('cinder-volume');
  ini.set('DEFAULT', 'transport_url', ctx.transportUrl(), here('nodes', ctx.hostName('rabbitmq')));
  ini.set('DEFAULT', 'auth_strategy', 'keystone', prof);
  ini.set('DEFAULT', 'my_ip', node.address, here('nodes', node.name, 'address'));
  // The file is ostopo's whole: the state path the distribution's own cinder.conf sets is kept.
  ini.set('DEFAULT', 'state_path', '/var/lib/cinder', prof);
  if (node.services.includes('cinder-api')) {
    const bind = ctx.bindAddress(node);
    if (bind) ini.set('DEFAULT', 'osapi_volume_listen', bind, here('nodes', node.name, 'address'));
    if (ctx.workers) ini.set('DEFAULT', 'osapi_volume_workers', ctx.workers, here('workers'));
  }
  const backend = volumeBackend(ctx.cloud);
  const section = VOLUME_BACKENDS[backend].section;
  if (volume) {
    ini.set('DEFAULT', 'enabled_backends', section, backend === 'rbd' ? here('nodes', ctx.hostName('ceph-mon'), 'roles') : here('nodes', node.name, 'roles'));
    ini.set('DEFAULT', 'glance_api_servers', `http://${ctx.hostName('glance')}:9292`, here('nodes', ctx.hostName('glance')));
  }
  ini.set('database', 'connection', ...dbConnection(ctx, 'cinder-api'));
  ini.setAll('keystone_authtoken', authtoken(ctx, 'cinder', secretRef('CINDER_PASS'), { wwwUri: '', authUrlSuffix: '' }), here('nodes', ctx.hostName('keystone')));
  if (volume && backend === 'rbd') {
    // Volumes are RBD images in the pool `volumes`; compute nodes attach them through librbd with the libvirt secret.
    ini.setAll(
      section,
      [
        ['volume_driver', 'cinder.volume.drivers.rbd.RBDDriver'],
        ['volume_backend_name', section],
        ['rbd_pool', CINDER_POOL],
        ['rbd_ceph_conf', '/etc/ceph/ceph.conf'],
        ['rbd_flatten_volume_from_snapshot', false],
        ['rbd_max_clone_depth', 5],
        ['rbd_store_chunk_size', 4],
        ['rados_connect_timeout', -1],
        ['rbd_user', CINDER_CEPH_USER],
        ['rbd_secret_uuid', cinderSecretUuid(ctx.cloud)],
      ],
      here('nodes', ctx.hostName('ceph-mon'), 'roles'),
    );
  }
  if (volume && backend === 'lvm') {
    // The guide's LVM backend: volumes are logical volumes of one volume group, exported over iSCSI.
    ini.setAll(
      LVM_BACKEND,
      [
        ['volume_driver', 'cinder.volume.drivers.lvm.LVMVolumeDriver'],
        ['volume_group', DEFAULT_VOLUME_GROUP],
        ['target_protocol', 'iscsi'],
        ['target_helper', profile.blockStorage.targetHelper],
        ['volume_backend_name', LVM_BACKEND],
      ],
      prof,
    );
  }
  ini.set('oslo_concurrency', 'lock_path', '/var/lib/cinder/tmp', prof);
}

/** The guide's "Block Storage service" chapter: API and scheduler on the controller, cinder-volume on block nodes. */
export function renderCinder(ctx: RenderContext, node: ResolvedNode): void {
  const mine = node.services.filter((s) => REGISTRY[s].project === 'cinder');
  const control = mine.filter((s) => CONTROL.includes(s));
  const volume = mine.includes('cinder-volume');
  const step = cinderStep(node);
  const backend = volumeBackend(ctx.cloud);
  const extra = volume ? backendOn(ctx, backend) : { packages: [], units: [] };
  apiService(ctx, node, control.includes('cinder-api') ? 'cinder-api' : (mine[0] ?? 'cinder-volume'), {
    step,
    services: mine,
    withoutRecommends: mine.every((s) => ctx.on(s).withoutRecommends),
    extraPackages: [...extra.packages],
    units: [...new Set([...mine.flatMap((s) => ctx.units(s)), ...extra.units])],
    configure: () => {
      ctx.iniFile(node, step, mine[0] ?? 'cinder-volume', 'cinder', 'cinder.conf', '/etc/cinder/cinder.conf', (ini) => buildCinderConf(ctx, node, ini), {
        group: ctx.owner('cinder'),
        description: volume
          ? `cinder: database, RabbitMQ, keystone authentication and its volume backend, ${VOLUME_BACKENDS[backend].title} (guide: "Install and configure a storage node").`
          : 'cinder: database, RabbitMQ and keystone authentication (guide: "Install and configure controller node" of Block Storage).',
        catalog: { service: 'cinder', file: 'cinder.conf' },
      });
      const files = [`${step}/cinder.conf`];
      // The cluster's ceph.conf (a Ceph node has it already) and client.cinder's key.
      if (volume && backend === 'rbd') files.push(...clientFiles(ctx, node, step, CINDER_CEPH_USER, ctx.owner('cinder')));
      return files;
    },
    sync: control.includes('cinder-api') ? [{ id: 'db-sync', title: 'cinder-manage db sync', cmd: 'cinder-manage db sync' }] : undefined,
    // After the install (lvm2), before cinder-volume starts.
    afterSync: volume && backend === 'lvm' ? () => volumeGroup(ctx, node, step) : undefined,
    // A volume node's services start once the controller's database is there, and with RBD once its pool and Ceph user are.
    startAfter: startAfter(ctx, node, control.length > 0, volume && backend === 'rbd'),
    afterStart: () => {
      if (control.includes('cinder-api')) removeStaleVolumeServices(ctx, node, step);
      if (control.includes('cinder-scheduler')) verifyCinder(ctx, node, step);
    },
  });
}

function startAfter(ctx: RenderContext, node: ResolvedNode, control: boolean, rbd: boolean): { node: string; step: string }[] | undefined {
  const api = ctx.host('cinder-api');
  const mon = ctx.host('ceph-mon');
  const out = [
    ...(!control && api && api.name !== node.name ? [{ node: api.name, step: cinderStep(api) }] : []),
    ...(rbd && mon && mon.name !== node.name ? [{ node: mon.name, step: 'ceph-pools' }] : []),
  ];
  return out.length ? out : undefined;
}

/**
 * The guide's `pvcreate /dev/sdb` and `vgcreate cinder-volumes /dev/sdb`, from the node's `lvmDevices`;
 * without them the volume group must exist already (precheck asks).
 */
function volumeGroup(ctx: RenderContext, node: ResolvedNode, step: string): void {
  if (!node.lvmDevices.length) return;
  const vg = lvmVolumeGroup(ctx.cloud, node);
  const devices = node.lvmDevices.map(shq).join(' ');
  ctx.command(node, {
    step,
    service: 'cinder-volume',
    id: `${step}/volume-group`,
    title: `LVM: the volume group ${vg} on ${node.lvmDevices.join(', ')}`,
    run: [`for d in ${devices}; do pvs "$d" >/dev/null 2>&1 || pvcreate "$d"; done`, `vgs ${shq(vg)} >/dev/null 2>&1 || vgcreate ${shq(vg)} ${devices}`, `vgs ${shq(vg)}`].join('\n'),
    check: `vgs ${shq(vg)} >/dev/null 2>&1`,
  });
}

/**
 * A volume node whose backend changed (LVM to Ceph) leaves its old volume service in cinder's database,
 * down for ever: removed, as `cinder-manage service remove` does by hand.
 */
function removeStaleVolumeServices(ctx: RenderContext, node: ResolvedNode, step: string): void {
  const hosts = ctx.hosts('cinder-volume');
  if (!hosts.length) return;
  const section = VOLUME_BACKENDS[volumeBackend(ctx.cloud)].section;
  const owner = ctx.owner('cinder');
  const keep = hosts.map((h) => `${h.hostname}@${section}`).join(' ');
  const mine = hosts.map((h) => h.hostname).join(' ');
  const awk = '$1 == "cinder-volume" { split($2, p, "@"); if ((p[1] in mine) && !($2 in want)) print $2 }';
  const begin = 'BEGIN { split(keep, k, " "); for (i in k) want[k[i]] = 1; split(hosts, h, " "); for (i in h) mine[h[i]] = 1 }';
  const stale = `runuser -u ${owner} -- cinder-manage service list 2>/dev/null | awk -v keep=${shq(keep)} -v hosts=${shq(mine)} ${shq(`${begin} ${awk}`)}`;
  ctx.command(node, {
    id: `${step}/stale-volume-services`,
    step,
    service: 'cinder-api',
    title: `remove volume services of a backend the nodes no longer use (now ${section})`,
    run: [`stale=$(${stale})`, `for s in $stale; do echo "removing cinder-volume $s"; runuser -u ${owner} -- cinder-manage service remove cinder-volume "$s"; done`].join('\n'),
    check: `[ -z "$(${stale})" ]`,
  });
}

function verifyCinder(ctx: RenderContext, node: ResolvedNode, step: string): void {
  const backend = VOLUME_BACKENDS[volumeBackend(ctx.cloud)];
  // Every cinder service of the topology is up, on the node that runs it; a volume service reports a while after its start.
  const expected = [...ctx.hosts('cinder-scheduler').map((n) => `cinder-scheduler ${n.hostname} up`), ...ctx.hosts('cinder-volume').map((n) => `cinder-volume ${n.hostname}@${backend.section} up`)];
  ctx.check(node, {
    step,
    service: 'cinder-scheduler',
    id: `${step}/verify-volume-services`,
    title: 'openstack volume service list',
    run: asAdmin(ctx, expectLines('openstack volume service list -f value -c Binary -c Host -c State', expected, { waitSeconds: 90 })),
    reject: ' down$',
  });
  // The guide's "Verify operation" lists the services; a user's first act is a volume: create one, see it available, delete it.
  if (ctx.hosts('cinder-volume').length)
    ctx.check(node, {
      step,
      service: 'cinder-scheduler',
      id: `${step}/verify-volume-create`,
      title: `create a 1 GB volume (available on ${backend.title}), then delete it`,
      run: asAdmin(
        ctx,
        [
          'set -e',
          'name=ostopo-verify-volume-$$',
          'trap \'openstack volume delete "$name" >/dev/null 2>&1 || true\' EXIT',
          'openstack volume create --size 1 "$name" -f value -c id >/dev/null',
          'for i in $(seq 1 60); do s=$(openstack volume show "$name" -f value -c status); case "$s" in available | error) break ;; esac; sleep 2; done',
          'echo "$s"',
        ].join('\n'),
      ),
      expect: '^available$',
    });
}
