import { ResolvedNode } from '../model';
import { REGISTRY, servicesOf, ServiceId } from '../services/registry';
import { asAdmin, expectLines, RenderContext } from './context';
import { apiService, dbConnection } from './apiService';
import { authtoken } from './identity';
import { IniDoc } from './ini';
import { secretRef, shq } from './template';

/** cinder's control services: those the controller role places (API, scheduler). */
const CONTROL: ServiceId[] = servicesOf('cinder').filter((s) => REGISTRY[s].roles.includes('controller'));

/** The guide's LVM backend: its section in cinder.conf (`enabled_backends`), and the volume service's host suffix. */
export const LVM_BACKEND = 'lvm';
const DEFAULT_VOLUME_GROUP = 'cinder-volumes';

/** The step of a node's cinder services: cinder-controller where the API or scheduler runs, else cinder-volume. */
export function cinderStep(node: ResolvedNode): string {
  return node.services.some((s) => CONTROL.includes(s)) ? 'cinder-controller' : 'cinder-volume';
}

/**
 * The volume group the node's LVM backend uses, as cinder-volume will read it: the node's override of
 * `[lvm] volume_group`, else the cloud's, else the guide's `cinder-volumes`.
 */
export function lvmVolumeGroup(cloud: { config: ResolvedNode['config'] }, node: ResolvedNode): string {
  const from = (layer: ResolvedNode['config'] | undefined) => {
    const v = layer?.cinder?.['cinder.conf']?.[LVM_BACKEND]?.volume_group;
    return typeof v === 'string' && v ? v : undefined;
  };
  return from(node.config) ?? from(cloud.config) ?? DEFAULT_VOLUME_GROUP;
}

/** cinder.conf for a node: the controller part (API, scheduler), the volume part (the LVM backend), or both. */
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
  if (volume) {
    ini.set('DEFAULT', 'enabled_backends', LVM_BACKEND, here('nodes', node.name, 'roles'));
    ini.set('DEFAULT', 'glance_api_servers', `http://${ctx.hostName('glance')}:9292`, here('nodes', ctx.hostName('glance')));
  }
  ini.set('database', 'connection', ...dbConnection(ctx, 'cinder-api'));
  ini.setAll('keystone_authtoken', authtoken(ctx, 'cinder', secretRef('CINDER_PASS'), { wwwUri: '', authUrlSuffix: '' }), here('nodes', ctx.hostName('keystone')));
  if (volume) {
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
  const api = ctx.host('cinder-api');
  apiService(ctx, node, control.includes('cinder-api') ? 'cinder-api' : (mine[0] ?? 'cinder-volume'), {
    step,
    services: mine,
    withoutRecommends: mine.every((s) => ctx.on(s).withoutRecommends),
    configure: () => {
      ctx.iniFile(node, step, mine[0] ?? 'cinder-volume', 'cinder', 'cinder.conf', '/etc/cinder/cinder.conf', (ini) => buildCinderConf(ctx, node, ini), {
        group: ctx.owner('cinder'),
        description: volume
          ? 'cinder: database, RabbitMQ, keystone authentication and the LVM backend over iSCSI (guide: "Install and configure a storage node").'
          : 'cinder: database, RabbitMQ and keystone authentication (guide: "Install and configure controller node" of Block Storage).',
        catalog: { service: 'cinder', file: 'cinder.conf' },
      });
      return [`${step}/cinder.conf`];
    },
    sync: control.includes('cinder-api') ? [{ id: 'db-sync', title: 'cinder-manage db sync', cmd: 'cinder-manage db sync' }] : undefined,
    // After the install (lvm2), before cinder-volume starts.
    afterSync: volume ? () => volumeGroup(ctx, node, step) : undefined,
    // A volume node's services start once the controller's database is there.
    startAfter: !control.length && api && api.name !== node.name ? [{ node: api.name, step: cinderStep(api) }] : undefined,
    afterStart: () => {
      if (control.includes('cinder-scheduler')) verifyCinder(ctx, node, step);
    },
  });
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

function verifyCinder(ctx: RenderContext, node: ResolvedNode, step: string): void {
  // Every cinder service of the topology is up, on the node that runs it; a volume service reports a while after its start.
  const expected = [...ctx.hosts('cinder-scheduler').map((n) => `cinder-scheduler ${n.hostname} up`), ...ctx.hosts('cinder-volume').map((n) => `cinder-volume ${n.hostname}@${LVM_BACKEND} up`)];
  ctx.check(node, {
    step,
    service: 'cinder-scheduler',
    id: `${step}/verify-volume-services`,
    title: 'openstack volume service list',
    run: asAdmin(ctx, expectLines('openstack volume service list -f value -c Binary -c Host -c State', expected, { waitSeconds: 90 })),
    reject: ' down$',
  });
}
