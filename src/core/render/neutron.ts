import { ResolvedNode } from '../model';
import { RenderContext } from './context';
import { authtoken, passwordAuth, registerService } from './identity';
import { createDatabases } from './infra';
import { dbUrl, uwsgiDefaults } from './keystone';
import { secretRef } from './template';

const ML2 = '/etc/neutron/plugins/ml2/ml2_conf.ini';

export function renderNeutronDatabase(ctx: RenderContext): void {
  if (ctx.host('neutron-server')) createDatabases(ctx, 'neutron', 'neutron', ['neutron'], 'NEUTRON_DBPASS');
}

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
  const db = ctx.host('mariadb');
  registerService(ctx, node, { step, service: 'neutron-server', user: 'neutron', secret: 'NEUTRON_PASS', name: 'neutron', type: 'network', description: 'OpenStack Networking', url: `http://${node.name}:9696` });
  ctx.install(node, step, 'neutron-server', profile.packages['neutron-server']);
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
      ini.set('database', 'connection', dbUrl(ctx, 'neutron', 'NEUTRON_DBPASS', 'neutron'), here(...(db ? ['nodes', db.name] : ['secrets', 'NEUTRON_DBPASS'])));
      ini.setAll('keystone_authtoken', authtoken(ctx, 'neutron', secretRef('NEUTRON_PASS'), { wwwUri: '', authUrlSuffix: '' }), here('nodes', ctx.hostName('keystone')));
      ini.setAll('nova', passwordAuth(ctx, 'nova', 'NOVA_PASS'), here('nodes', ctx.hostName('nova-api')));
      ini.set('oslo_concurrency', 'lock_path', '/var/lib/neutron/tmp', prof);
    },
    { group: profile.owners.neutron, description: 'neutron-server: ML2, database, keystone authentication, nova notifications (guide: "Configure the server component").', catalog: { service: 'neutron', file: 'neutron.conf' } },
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
    { group: profile.owners.neutron, description: 'The ML2 plugin: flat and VLAN provider networks, port security (guide: "Configure the Modular Layer 2 (ML2) plug-in").', catalog: { service: 'neutron', file: 'ml2_conf.ini' } },
  );
  const files = [`${step}/neutron.conf`, `${step}/ml2_conf.ini`];
  if (profile.api['neutron-server'].kind === 'daemon') {
    // The RDO unit reads /etc/neutron/plugin.ini (the guide's symbolic link).
    ctx.command(node, { ...base, id: `${step}/plugin-link`, title: 'link plugin.ini to ml2_conf.ini', run: `ln -sfn ${ML2} /etc/neutron/plugin.ini`, check: `test "$(readlink /etc/neutron/plugin.ini)" = ${ML2}` });
  }
  const api = profile.api['neutron-server'];
  if (api.kind === 'uwsgi') {
    uwsgiDefaults(ctx, node, step, 'neutron-server', api.defaultsFile, api.ini, api.port);
    files.push(`${step}/uwsgi-defaults`);
  }
  ctx.command(node, {
    ...base,
    id: `${step}/db-upgrade`,
    title: 'neutron-db-manage upgrade head',
    run: `su -s /bin/sh -c "neutron-db-manage --config-file /etc/neutron/neutron.conf --config-file ${ML2} upgrade head" ${profile.owners.neutron}`,
    after: db && db.name !== node.name ? [{ node: db.name, step: 'neutron-database' }] : undefined,
  });
  ctx.start(node, step, 'neutron-server', profile.units['neutron-server'], files);
  ctx.check(node, {
    ...base,
    id: `${step}/verify-extensions`,
    title: 'openstack extension list --network',
    run: `. ${profile.paths.openrcDir}/admin-openrc\nopenstack extension list --network -f value -c Alias`,
    expect: '^port-security$',
  });
}
