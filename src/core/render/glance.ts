import { ResolvedNode } from '../model';
import { RenderContext } from './context';
import { apiService, dbConnection } from './apiService';
import { authtoken } from './identity';
import { secretRef, TEST_IMAGE } from './template';

/** The guide's "Image service" chapter: glance-api with the file store. */
export function renderGlance(ctx: RenderContext, node: ResolvedNode): void {
  const { profile } = ctx;
  const step = 'glance';
  apiService(ctx, node, 'glance', {
    step,
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
          if (profile.options.glanceStores === 'multistore') ini.set('DEFAULT', 'enabled_backends', 'fs:file', { layer: 'profile' });
          ini.set('database', 'connection', ...dbConnection(ctx, 'glance'));
          ini.setAll('keystone_authtoken', authtoken(ctx, 'glance', secretRef('GLANCE_PASS'), { wwwUri: '', authUrlSuffix: '' }), { layer: 'topology', path: ['nodes', ctx.hostName('keystone')] });
          ini.set('paste_deploy', 'flavor', 'keystone', { layer: 'profile' });
          if (profile.options.glanceStores === 'multistore') {
            ini.set('glance_store', 'default_backend', 'fs', { layer: 'profile' });
            ini.set('fs', 'filesystem_store_datadir', '/var/lib/glance/images/', { layer: 'profile' });
          } else {
            ini.setAll(
              'glance_store',
              [
                ['stores', 'file,http'],
                ['default_store', 'file'],
                ['filesystem_store_datadir', '/var/lib/glance/images/'],
              ],
              { layer: 'profile' },
            );
          }
        },
        {
          group: ctx.owner('glance'),
          description: 'glance-api: database, keystone authentication, file store (guide: "Install and configure" glance).',
          catalog: { service: 'glance', file: 'glance-api.conf' },
        },
      );
      return ['glance/glance-api.conf'];
    },
    sync: [{ id: 'db-sync', title: 'glance-manage db_sync', cmd: 'glance-manage db_sync' }],
    afterStart: () => verifyGlance(ctx, node, step),
  });
}

function verifyGlance(ctx: RenderContext, node: ResolvedNode, step: string): void {
  const { profile } = ctx;
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
    title: 'upload an image (active), then delete it',
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
      'echo "$s"',
    ].join('\n'),
    expect: '^active$',
  });
}
