import { overridden, ResolvedNode } from '../model';
import { rowEntry } from '../profiles';
import { IMAGE_STORES } from '../services/glance';
import { RenderContext } from './context';
import { apiService, dbConnection } from './apiService';
import { clientFiles, GLANCE_CEPH_USER, GLANCE_POOL } from './ceph';
import { IniDoc } from './ini';
import { authtoken } from './identity';
import { secretRef, TEST_IMAGE } from './template';

const FILE_STORE_DIR = '/var/lib/glance/images/';

/** The guide's "Image service" chapter: glance-api with the file store, or with images in Ceph (`storage.images: rbd`). */
export function renderGlance(ctx: RenderContext, node: ResolvedNode): void {
  const step = 'glance';
  const rbd = ctx.cloud.imageStore === 'rbd' && !!ctx.host('ceph-mon');
  apiService(ctx, node, 'glance', {
    step,
    extraPackages: rbd ? [...(rowEntry<{ packages: readonly string[] }>(ctx.profile, IMAGE_STORES.rbd.profiles)?.packages ?? [])] : [],
    configure: () => {
      ctx.iniFile(
        node,
        step,
        'glance',
        'glance',
        'glance-api.conf',
        '/etc/glance/glance-api.conf',
        (ini) => {
          const bind = ctx.bindAddress(node);
          if (bind) ini.set('DEFAULT', 'bind_host', bind, { layer: 'topology', path: ['nodes', node.name, 'address'] });
          if (ctx.workers) ini.set('DEFAULT', 'workers', ctx.workers, { layer: 'topology', path: ['workers'] });
          ini.set('database', 'connection', ...dbConnection(ctx, 'glance'));
          ini.setAll('keystone_authtoken', authtoken(ctx, 'glance', secretRef('GLANCE_PASS'), { wwwUri: '', authUrlSuffix: '' }), { layer: 'topology', path: ['nodes', ctx.hostName('keystone')] });
          ini.set('paste_deploy', 'flavor', 'keystone', { layer: 'profile' });
          imageStores(ctx, ini, rbd);
        },
        {
          group: ctx.owner('glance'),
          description: rbd
            ? 'glance-api: database, keystone authentication, images in Ceph RBD (the pool `images`) with the file store beside it for images kept there before (guide: "Install and configure" glance; Ceph: "Block Devices and OpenStack").'
            : 'glance-api: database, keystone authentication, file store (guide: "Install and configure" glance).',
          catalog: { service: 'glance', file: 'glance-api.conf' },
        },
      );
      // The cluster's ceph.conf and client.glance's key, readable by glance.
      return ['glance/glance-api.conf', ...(rbd ? clientFiles(ctx, node, step, GLANCE_CEPH_USER, ctx.owner('glance')) : [])];
    },
    sync: [{ id: 'db-sync', title: 'glance-manage db_sync', cmd: 'glance-manage db_sync' }],
    afterStart: () => verifyGlance(ctx, node, step, rbd),
  });
}

/**
 * Where glance keeps images: the guide's file store; or Ceph RBD, the default for new images, with the file
 * store still enabled so that images uploaded before the switch stay readable. Glance's multiple stores
 * (`enabled_backends`) where the profile has them, else the legacy `[glance_store]` options.
 */
function imageStores(ctx: RenderContext, ini: IniDoc, rbd: boolean): void {
  const prof = { layer: 'profile' as const };
  const topo = { layer: 'topology' as const, path: ['storage', 'images'] };
  const rbdOptions: [string, string | number][] = [
    ['rbd_store_pool', GLANCE_POOL],
    ['rbd_store_user', GLANCE_CEPH_USER],
    ['rbd_store_ceph_conf', '/etc/ceph/ceph.conf'],
    ['rbd_store_chunk_size', 8],
  ];
  // The images' RBD locations, which cinder needs to make a volume of an image as a copy-on-write clone (Ceph's guide).
  if (rbd) ini.set('DEFAULT', 'show_image_direct_url', true, topo);
  if (ctx.profile.options.glanceStores === 'multistore') {
    ini.set('DEFAULT', 'enabled_backends', rbd ? 'rbd:rbd,fs:file' : 'fs:file', rbd ? topo : prof);
    ini.set('glance_store', 'default_backend', rbd ? 'rbd' : 'fs', rbd ? topo : prof);
    ini.set('fs', 'filesystem_store_datadir', FILE_STORE_DIR, prof);
    if (rbd) ini.setAll('rbd', rbdOptions, topo);
    return;
  }
  ini.setAll(
    'glance_store',
    [
      ['stores', rbd ? 'rbd,file,http' : 'file,http'],
      ['default_store', rbd ? 'rbd' : 'file'],
      ['filesystem_store_datadir', FILE_STORE_DIR],
    ],
    rbd ? topo : prof,
  );
  if (rbd) ini.setAll('glance_store', rbdOptions, topo);
}

function verifyGlance(ctx: RenderContext, node: ResolvedNode, step: string, rbd: boolean): void {
  const { profile } = ctx;
  // Where the image went, from its RBD location: shown unless the topology hides it (show_image_direct_url off).
  const shown = overridden(node, ctx.cloud, 'glance', 'glance-api.conf', 'DEFAULT', 'show_image_direct_url');
  const located = rbd && (shown === undefined || shown === true || (typeof shown === 'string' && /^(true|yes|on|1)$/i.test(shown)));
  ctx.check(node, { step, service: 'glance', id: `${step}/verify-image-list`, title: 'openstack image list', run: `. ${profile.paths.openrcDir}/admin-openrc\nopenstack image list -f value` });
  // The same through glance's own client, as the guide's readers also check it: its table's header.
  ctx.check(node, {
    step,
    service: 'glance',
    id: `${step}/verify-glance-image-list`,
    title: 'glance image-list',
    run: `. ${profile.paths.openrcDir}/admin-openrc\nglance image-list`,
    expect: '^\\| ID +\\| Name +\\|',
  });
  // The guide uploads cirros; offline, a small generated image shows the same: upload, active, delete.
  ctx.check(node, {
    step,
    service: 'glance',
    id: `${step}/verify-image-upload`,
    title: located ? `upload an image (active, an RBD image in the pool ${GLANCE_POOL}), then delete it` : 'upload an image (active), then delete it',
    run: [
      `. ${profile.paths.openrcDir}/admin-openrc`,
      'set -e',
      'name=ostopo-verify-image-$$',
      'img=$(mktemp)',
      'trap \'openstack image delete "$name" >/dev/null 2>&1 || true; rm -f "$img"\' EXIT',
      ...TEST_IMAGE,
      'openstack image create "$name" --file "$img" --disk-format "$fmt" --container-format bare -f value -c id >/dev/null',
      // The create answers before the upload is processed: wait for the image to become active.
      'for i in $(seq 1 60); do s=$(openstack image show "$name" -f value -c status); [ "$s" = active ] && break; sleep 1; done',
      // In Ceph, the image's location names its RBD image in the pool (glance shows it: show_image_direct_url).
      ...(located ? [`u=$(openstack image show "$name" -f json | grep -o '"rbd://[^"]*' | head -n 1 | tr -d '"') || true`, 'echo "$s ${u:-not in Ceph}"'] : ['echo "$s"']),
    ].join('\n'),
    expect: located ? `^active rbd://[^/]+/${GLANCE_POOL}/` : '^active$',
  });
}
