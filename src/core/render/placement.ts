import { ResolvedNode } from '../model';
import { RenderContext } from './context';
import { authtoken, registerService } from './identity';
import { createDatabases } from './infra';
import { dbUrl, uwsgiDefaults } from './keystone';
import { secretRef } from './template';

export function renderPlacementDatabase(ctx: RenderContext): void {
  if (ctx.host('placement')) createDatabases(ctx, 'placement', 'placement', ['placement'], 'PLACEMENT_DBPASS');
}

/** The guide's "Placement service" chapter. */
export function renderPlacement(ctx: RenderContext, node: ResolvedNode): void {
  const { profile } = ctx;
  const step = 'placement';
  registerService(ctx, node, { step, service: 'placement', user: 'placement', secret: 'PLACEMENT_PASS', name: 'placement', type: 'placement', description: 'Placement API', url: `http://${node.name}:8778` });
  ctx.install(node, step, 'placement', profile.packages.placement);
  const db = ctx.host('mariadb');
  ctx.iniFile(
    node,
    step,
    'placement',
    'placement',
    'placement.conf',
    '/etc/placement/placement.conf',
    (ini) => {
      ini.set('placement_database', 'connection', dbUrl(ctx, 'placement', 'PLACEMENT_DBPASS', 'placement'), { layer: 'topology', path: db ? ['nodes', db.name] : ['secrets', 'PLACEMENT_DBPASS'] });
      ini.set('api', 'auth_strategy', 'keystone', { layer: 'profile' });
      ini.setAll('keystone_authtoken', authtoken(ctx, 'placement', secretRef('PLACEMENT_PASS'), { authUrlSuffix: '/v3' }), { layer: 'topology', path: ['nodes', ctx.hostName('keystone')] });
    },
    { group: profile.owners.placement, description: 'placement: database and keystone authentication (guide: "Install and configure Placement").', catalog: { service: 'placement', file: 'placement.conf' } },
  );
  ctx.command(node, {
    step,
    service: 'placement',
    id: `${step}/db-sync`,
    title: 'placement-manage db sync',
    run: `su -s /bin/sh -c "placement-manage db sync" ${profile.owners.placement}`,
    after: db && db.name !== node.name ? [{ node: db.name, step: 'placement-database' }] : undefined,
  });
  const files = ['placement/placement.conf'];
  const api = profile.api.placement;
  if (api.kind === 'httpd-wsgi' && profile.options.placementDirectoryFix) {
    ctx.file(node, {
      step,
      service: 'placement',
      id: `${step}/usr-bin-access`,
      path: '/etc/httpd/conf.d/00-placement-api-access.conf',
      language: 'apacheconf',
      content:
        [
          `# ${ctx.header('placement-api access fix')[0]}`,
          '# The Train package\'s 00-placement-api.conf serves /usr/bin/placement-api without granting access to',
          '# /usr/bin, so every request is 403 Forbidden. The guide adds this block to that vhost.',
          '<Directory /usr/bin>',
          '   <IfVersion >= 2.4>',
          '      Require all granted',
          '   </IfVersion>',
          '   <IfVersion < 2.4>',
          '      Order allow,deny',
          '      Allow from all',
          '   </IfVersion>',
          '</Directory>',
        ].join('\n') + '\n',
      description: 'Apache access to /usr/bin for placement-api (the CentOS 7 Train fix).',
    });
    files.push(`${step}/usr-bin-access`);
  } else if (api.kind === 'uwsgi') {
    uwsgiDefaults(ctx, node, step, 'placement', api.defaultsFile, api.ini, api.port);
    files.push(`${step}/uwsgi-defaults`);
  }
  ctx.start(node, step, 'placement', profile.units.placement, files);
  ctx.check(node, { step, service: 'placement', id: `${step}/verify-upgrade-check`, title: 'placement-status upgrade check', run: 'placement-status upgrade check', expect: 'Success', reject: 'Result: Failure' });
}
