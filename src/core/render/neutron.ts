import { ResolvedNode } from '../model';
import { RenderContext } from './context';
import { apiService, dbConnection } from './apiService';
import { authtoken, passwordAuth } from './identity';
import { secretRef } from './template';

const ML2 = '/etc/neutron/plugins/ml2/ml2_conf.ini';

/**
 * The guide's "Networking service" on the controller, provider networks (option 1): neutron-server with
 * ML2, a flat provider network, port security, nova notified of port changes. Agents come later.
 */
export function renderNeutron(ctx: RenderContext, node: ResolvedNode): void {
  const { profile } = ctx;
  const step = 'neutron';
  const base = { step, service: 'neutron-server' as const };
  const here = (...path: (string | number)[]) => ({ layer: 'topology' as const, path });
  const prof = { layer: 'profile' as const };
  apiService(ctx, node, 'neutron-server', {
    step,
    configure: () => {
      ctx.iniFile(
        node,
        step,
        'neutron-server',
        'neutron',
        'neutron.conf',
        '/etc/neutron/neutron.conf',
        (ini) => {
          ini.set('DEFAULT', 'core_plugin', 'ml2', prof);
          ini.set('DEFAULT', 'service_plugins', '', prof);
          ini.set('DEFAULT', 'transport_url', ctx.transportUrl(), here('nodes', ctx.hostName('rabbitmq')));
          ini.set('DEFAULT', 'auth_strategy', 'keystone', prof);
          ini.set('DEFAULT', 'notify_nova_on_port_status_changes', true, prof);
          ini.set('DEFAULT', 'notify_nova_on_port_data_changes', true, prof);
          const bind = ctx.bindAddress(node);
          if (bind) ini.set('DEFAULT', 'bind_host', bind, here('nodes', node.name, 'address'));
          if (ctx.workers) {
            ini.set('DEFAULT', 'api_workers', ctx.workers, here('workers'));
            ini.set('DEFAULT', 'rpc_workers', ctx.workers, here('workers'));
            ini.set('DEFAULT', 'rpc_state_report_workers', ctx.workers, here('workers'));
          }
          ini.set('database', 'connection', ...dbConnection(ctx, 'neutron-server'));
          ini.setAll('keystone_authtoken', authtoken(ctx, 'neutron', secretRef('NEUTRON_PASS'), { wwwUri: '', authUrlSuffix: '' }), here('nodes', ctx.hostName('keystone')));
          ini.setAll('nova', passwordAuth(ctx, 'nova', 'NOVA_PASS'), here('nodes', ctx.hostName('nova-api')));
          ini.set('oslo_concurrency', 'lock_path', '/var/lib/neutron/tmp', prof);
        },
        {
          group: ctx.owner('neutron'),
          description: 'neutron-server: ML2, database, keystone authentication, nova notifications (guide: "Configure the server component").',
          catalog: { service: 'neutron', file: 'neutron.conf' },
        },
      );
      ctx.iniFile(
        node,
        step,
        'neutron-server',
        'neutron',
        'ml2_conf.ini',
        ML2,
        (ini) => {
          ini.set('ml2', 'type_drivers', 'flat,vlan', prof);
          ini.set('ml2', 'tenant_network_types', '', prof);
          ini.set('ml2', 'mechanism_drivers', profile.ml2MechanismDriver, prof);
          ini.set('ml2', 'extension_drivers', 'port_security', prof);
          ini.set('ml2_type_flat', 'flat_networks', 'provider', prof);
          ini.set('securitygroup', 'enable_ipset', true, prof);
        },
        {
          group: ctx.owner('neutron'),
          description: 'The ML2 plugin: flat and VLAN provider networks, port security (guide: "Configure the Modular Layer 2 (ML2) plug-in").',
          catalog: { service: 'neutron', file: 'ml2_conf.ini' },
        },
      );
      return [`${step}/neutron.conf`, `${step}/ml2_conf.ini`];
    },
    serve: () => {
      // The RDO unit reads /etc/neutron/plugin.ini (the guide's symbolic link).
      if (ctx.api('neutron-server').kind === 'daemon') {
        ctx.command(node, {
          ...base,
          id: `${step}/plugin-link`,
          title: 'link plugin.ini to ml2_conf.ini',
          run: `ln -sfn ${ML2} /etc/neutron/plugin.ini`,
          check: `test "$(readlink /etc/neutron/plugin.ini)" = ${ML2}`,
        });
      }
      return [];
    },
    sync: [{ id: 'db-upgrade', title: 'neutron-db-manage upgrade head', cmd: `neutron-db-manage --config-file /etc/neutron/neutron.conf --config-file ${ML2} upgrade head` }],
    afterStart: () =>
      ctx.check(node, {
        ...base,
        id: `${step}/verify-extensions`,
        title: 'openstack extension list --network',
        run: `. ${profile.paths.openrcDir}/admin-openrc\nopenstack extension list --network -f value -c Alias`,
        expect: '^port-security$',
      }),
  });
}
