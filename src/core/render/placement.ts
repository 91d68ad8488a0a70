import { ResolvedNode } from '../model';
import { asAdmin, RenderContext } from './context';
import { apiService, dbConnection } from './apiService';
import { authtoken } from './identity';
import { secretRef } from './template';

/** The guide's "Placement service" chapter. */
export function renderPlacement(ctx: RenderContext, node: ResolvedNode): void {
  const { profile } = ctx;
  const step = 'placement';
  apiService(ctx, node, 'placement', {
    step,
    configure: () => {
      ctx.iniFile(
        node,
        step,
        'placement',
        'placement',
        'placement.conf',
        '/etc/placement/placement.conf',
        (ini) => {
          ini.set('placement_database', 'connection', ...dbConnection(ctx, 'placement'));
          ini.set('api', 'auth_strategy', 'keystone', { layer: 'profile' });
          ini.setAll('keystone_authtoken', authtoken(ctx, 'placement', secretRef('PLACEMENT_PASS'), { authUrlSuffix: '/v3' }), { layer: 'topology', path: ['nodes', ctx.hostName('keystone')] });
        },
        {
          group: ctx.owner('placement'),
          description: 'placement: database and keystone authentication (guide: "Install and configure Placement").',
          catalog: { service: 'placement', file: 'placement.conf' },
        },
      );
      return ['placement/placement.conf'];
    },
    serve: () => {
      if (ctx.api('placement').kind !== 'httpd-wsgi' || !profile.options.placementDirectoryFix) return [];
      ctx.file(node, {
        step,
        service: 'placement',
        id: `${step}/usr-bin-access`,
        path: '/etc/httpd/conf.d/00-placement-api-access.conf',
        language: 'apacheconf',
        content:
          [
            `# ${ctx.header('placement-api access fix')[0]}`,
            "# The Train package's 00-placement-api.conf serves /usr/bin/placement-api without granting access to",
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
      return [`${step}/usr-bin-access`];
    },
    sync: [{ id: 'db-sync', title: 'placement-manage db sync', cmd: 'placement-manage db sync' }],
    afterStart: () => {
      ctx.check(node, {
        step,
        service: 'placement',
        id: `${step}/verify-upgrade-check`,
        title: 'placement-status upgrade check',
        run: 'placement-status upgrade check',
        expect: 'Success',
        reject: 'Result: Failure',
      });
      // The guide's next check, with the osc-placement plugin: the API lists the standard resource classes.
      ctx.check(node, {
        step,
        service: 'placement',
        id: `${step}/verify-resource-classes`,
        title: 'openstack resource class list (osc-placement)',
        run: asAdmin(ctx, 'openstack --os-placement-api-version 1.2 resource class list --sort-column name -f value -c name'),
        expect: '^VCPU$',
      });
    },
  });
}
