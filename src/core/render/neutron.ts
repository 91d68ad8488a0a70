import { renderOvsTapWatch } from './ovsTaps';
import { ResolvedNode, shortName } from '../model';
import { NETWORK_MECHANISMS } from '../profiles';
import { isL2Agent, REGISTRY, RENDER_ORDER, ServiceId } from '../services/registry';
import { asAdmin, expectLines, RenderContext } from './context';
import { apiService, dbConnection } from './apiService';
import { IniDoc } from './ini';
import { authtoken, passwordAuth } from './identity';
import { secretRef, shq } from './template';

const ML2 = '/etc/neutron/plugins/ml2/ml2_conf.ini';

/** neutron's agents, in the render order: the services of the project other than the server. */
const AGENTS: ServiceId[] = RENDER_ORDER.filter((s) => REGISTRY[s].project === 'neutron' && s !== 'neutron-server');

/** Each agent's own file: logical name (its descriptor's config file) and path. */
const AGENT_FILES: Partial<Record<ServiceId, { name: string; path: string; guide: string }>> = {
  'neutron-linuxbridge-agent': { name: 'linuxbridge_agent.ini', path: '/etc/neutron/plugins/ml2/linuxbridge_agent.ini', guide: 'Configure the Linux bridge agent' },
  'neutron-openvswitch-agent': { name: 'openvswitch_agent.ini', path: '/etc/neutron/plugins/ml2/openvswitch_agent.ini', guide: 'Configure the Open vSwitch agent' },
  'neutron-dhcp-agent': { name: 'dhcp_agent.ini', path: '/etc/neutron/dhcp_agent.ini', guide: 'Configure the DHCP agent' },
  'neutron-metadata-agent': { name: 'metadata_agent.ini', path: '/etc/neutron/metadata_agent.ini', guide: 'Configure the metadata agent' },
  'neutron-l3-agent': { name: 'l3_agent.ini', path: '/etc/neutron/l3_agent.ini', guide: 'Configure the layer-3 agent' },
};

/** The bridge of the provider network under Open vSwitch. */
export const OVS_PROVIDER_BRIDGE = 'br-provider';

/** What `openstack network agent list` calls each agent. */
const AGENT_TYPES: Partial<Record<ServiceId, string>> = {
  'neutron-linuxbridge-agent': 'Linux bridge agent',
  'neutron-openvswitch-agent': 'Open vSwitch agent',
  'neutron-dhcp-agent': 'DHCP agent',
  'neutron-metadata-agent': 'Metadata agent',
  'neutron-l3-agent': 'L3 agent',
};

/** The kernel settings the Linux bridge agent's iptables security groups need (guide: "Ensure your Linux operating system kernel supports network bridge filters"). */
const BRIDGE_SYSCTL = '/etc/sysctl.d/90-ostopo-neutron.conf';

/**
 * The guide's "Networking service": neutron-server with ML2 on the controller (flat provider networks;
 * with `networks.selfservice` also VXLAN and the router plugin, networking option 2), and on every node
 * that runs them the agents: the L2 agent of the cloud's mechanism, DHCP, metadata and L3. A node that
 * runs the server and agents installs and starts them in one step (`neutron`); a node with agents only
 * (`neutron-agents`) starts them once the server is up.
 */
export function renderNeutron(ctx: RenderContext, node: ResolvedNode): void {
  const { cloud, profile } = ctx;
  const server = node.services.includes('neutron-server');
  const agents = AGENTS.filter((s) => node.services.includes(s));
  const step = server ? 'neutron' : 'neutron-agents';
  const service: ServiceId = server ? 'neutron-server' : agents[0]!;
  const base = { step, service };
  const here = (...path: (string | number)[]) => ({ layer: 'topology' as const, path });
  const prof = { layer: 'profile' as const };
  const self = cloud.selfservice;
  const physnet = cloud.provider?.name ?? 'provider';
  const mechanism = NETWORK_MECHANISMS.find((m) => m.id === cloud.mechanism) ?? NETWORK_MECHANISMS[0];
  const serverNode = ctx.host('neutron-server');
  const userspace = cloud.ovsDatapath === 'netdev';

  const neutronConf = (ini: IniDoc) => {
    ini.set('DEFAULT', 'transport_url', ctx.transportUrl(), here('nodes', ctx.hostName('rabbitmq')));
    if (server) {
      ini.set('DEFAULT', 'core_plugin', 'ml2', prof);
      ini.set('DEFAULT', 'service_plugins', self ? 'router' : '', self ? here('networks', 'selfservice') : prof);
      if (self && profile.options.neutronAllowOverlappingIps) ini.set('DEFAULT', 'allow_overlapping_ips', true, here('networks', 'selfservice'));
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
    }
    // Agents run privileged commands (and privsep) through rootwrap: the packages' sudoers allow exactly
    // this command to the neutron user. Debian sets it in the neutron.conf it ships, RDO in neutron-dist.conf;
    // ostopo's file is the whole file, so it says so itself.
    if ((server || agents.length) && mechanism.id === 'linuxbridge' && profile.options.neutronLinuxbridgeExperimental) ini.set('experimental', 'linuxbridge', true, here('networks', 'mechanism'));
    if (agents.length) ini.set('agent', 'root_helper', 'sudo neutron-rootwrap /etc/neutron/rootwrap.conf', prof);
    ini.set('oslo_concurrency', 'lock_path', '/var/lib/neutron/tmp', prof);
  };

  const ml2Conf = (ini: IniDoc) => {
    const nets = here('networks', self ? 'selfservice' : 'provider');
    ini.set('ml2', 'type_drivers', self ? 'flat,vlan,vxlan' : 'flat,vlan', self ? nets : prof);
    ini.set('ml2', 'tenant_network_types', self ? 'vxlan' : '', self ? nets : prof);
    ini.set('ml2', 'mechanism_drivers', self ? `${mechanism.id},l2population` : mechanism.id, here('networks', 'mechanism'));
    ini.set('ml2', 'extension_drivers', 'port_security', prof);
    ini.set('ml2_type_flat', 'flat_networks', physnet, here('networks', 'provider', 'name'));
    if (self) ini.set('ml2_type_vxlan', 'vni_ranges', self.vniRange, here('networks', 'selfservice', 'vniRange'));
    ini.set('securitygroup', 'enable_ipset', true, prof);
  };

  const agentConf = (agent: ServiceId, ini: IniDoc) => {
    const iface = node.providerInterface;
    const overlay = here('nodes', node.name, node.overlayAddress === node.address ? 'address' : 'overlayAddress');
    switch (agent) {
      case 'neutron-linuxbridge-agent':
        if (iface) ini.set('linux_bridge', 'physical_interface_mappings', `${physnet}:${iface}`, here('networks', 'provider', 'interface'));
        ini.set('vxlan', 'enable_vxlan', !!self, here('networks', 'selfservice'));
        if (self) {
          ini.set('vxlan', 'local_ip', node.overlayAddress, overlay);
          ini.set('vxlan', 'l2_population', true, prof);
        }
        ini.set('securitygroup', 'enable_security_group', true, prof);
        ini.set('securitygroup', 'firewall_driver', 'neutron.agent.linux.iptables_firewall.IptablesFirewallDriver', prof);
        break;
      case 'neutron-openvswitch-agent':
        if (iface) ini.set('ovs', 'bridge_mappings', `${physnet}:${OVS_PROVIDER_BRIDGE}`, here('networks', 'provider', 'interface'));
        if (self) {
          ini.set('ovs', 'local_ip', node.overlayAddress, overlay);
          ini.set('agent', 'tunnel_types', 'vxlan', here('networks', 'selfservice'));
          ini.set('agent', 'l2_population', true, prof);
        }
        if (userspace) ini.set('ovs', 'datapath_type', 'netdev', here('networks', 'ovsDatapath'));
        ini.set('securitygroup', 'enable_security_group', true, prof);
        ini.set('securitygroup', 'firewall_driver', 'openvswitch', prof);
        break;
      case 'neutron-dhcp-agent':
        ini.set('DEFAULT', 'interface_driver', mechanism.interfaceDriver, here('networks', 'mechanism'));
        // Userspace datapath: an internal port moved into the agent's namespace dies when ovs-vswitchd restarts; a veth pair does not.
        if (userspace) ini.set('DEFAULT', 'ovs_use_veth', true, here('networks', 'ovsDatapath'));
        ini.set('DEFAULT', 'dhcp_driver', 'neutron.agent.linux.dhcp.Dnsmasq', prof);
        ini.set('DEFAULT', 'enable_isolated_metadata', true, prof);
        break;
      case 'neutron-l3-agent':
        ini.set('DEFAULT', 'interface_driver', mechanism.interfaceDriver, here('networks', 'mechanism'));
        if (userspace) ini.set('DEFAULT', 'ovs_use_veth', true, here('networks', 'ovsDatapath'));
        break;
      case 'neutron-metadata-agent': {
        const meta = ctx.host('nova-api-metadata');
        ini.set('DEFAULT', 'nova_metadata_host', ctx.hostName('nova-api-metadata'), here('nodes', meta?.name ?? 'controller'));
        ini.set('DEFAULT', 'metadata_proxy_shared_secret', secretRef('METADATA_SECRET'), here('secrets', 'METADATA_SECRET'));
        if (ctx.workers) ini.set('DEFAULT', 'metadata_workers', ctx.workers, here('workers'));
        break;
      }
    }
  };

  apiService(ctx, node, service, {
    step,
    services: [...(server ? (['neutron-server'] as const) : []), ...agents],
    // Agents on other nodes start once the server (and its RabbitMQ user) is there; they install meanwhile.
    startAfter: !server && serverNode ? [{ node: serverNode.name, step: 'neutron' }] : undefined,
    configure: () => {
      const files: string[] = [];
      const group = ctx.owner('neutron');
      ctx.iniFile(node, step, service, 'neutron', 'neutron.conf', '/etc/neutron/neutron.conf', neutronConf, {
        group,
        description: server
          ? `neutron-server: ML2, database, keystone authentication, nova notifications (guide: "Configure the server component")${agents.length ? `; and the agents' RabbitMQ` : ''}.`
          : 'neutron agents: RabbitMQ and the lock path (guide: "Configure the common component").',
        catalog: { service: 'neutron', file: 'neutron.conf' },
      });
      files.push(`${step}/neutron.conf`);
      if (server) {
        ctx.iniFile(node, step, 'neutron-server', 'neutron', 'ml2_conf.ini', ML2, ml2Conf, {
          group,
          description: self
            ? 'The ML2 plugin: flat and VLAN provider networks, VXLAN self-service networks with layer-2 population, port security (guide: option 2, "Configure the Modular Layer 2 (ML2) plug-in").'
            : 'The ML2 plugin: flat and VLAN provider networks, port security (guide: "Configure the Modular Layer 2 (ML2) plug-in").',
          catalog: { service: 'neutron', file: 'ml2_conf.ini' },
        });
        files.push(`${step}/ml2_conf.ini`);
      }
      for (const agent of agents) {
        const f = AGENT_FILES[agent];
        if (!f) continue;
        ctx.iniFile(node, step, agent, 'neutron', f.name, f.path, (ini) => agentConf(agent, ini), {
          group,
          description: `${REGISTRY[agent].title} (guide: "${f.guide}").`,
          catalog: { service: 'neutron', file: f.name },
        });
        files.push(`${step}/${f.name}`);
      }
      return files;
    },
    serve: () => {
      const files: string[] = [];
      // The RDO units read /etc/neutron/plugin.ini (the guide's symbolic link).
      if (server && ctx.api('neutron-server').kind === 'daemon') {
        ctx.command(node, {
          ...base,
          id: `${step}/plugin-link`,
          title: 'link plugin.ini to ml2_conf.ini',
          run: `ln -sfn ${ML2} /etc/neutron/plugin.ini`,
          check: `test "$(readlink /etc/neutron/plugin.ini)" = ${ML2}`,
        });
      }
      if (agents.includes('neutron-linuxbridge-agent')) {
        // Security groups filter bridged traffic with iptables: the bridge netfilter hooks must be on.
        ctx.file(node, {
          ...base,
          service: 'neutron-linuxbridge-agent',
          id: `${step}/bridge-sysctl`,
          path: BRIDGE_SYSCTL,
          language: 'properties',
          content: [...ctx.header(BRIDGE_SYSCTL).map((h) => `# ${h}`), 'net.bridge.bridge-nf-call-iptables = 1', 'net.bridge.bridge-nf-call-ip6tables = 1'].join('\n') + '\n',
          description: 'Bridge netfilter on, for the Linux bridge agent\'s iptables security groups (guide: "Ensure your Linux operating system kernel supports network bridge filters").',
        });
        ctx.command(node, {
          ...base,
          service: 'neutron-linuxbridge-agent',
          id: `${step}/bridge-filter`,
          title: 'load br_netfilter and apply the bridge sysctls',
          // Loaded already (a host with the module built in, or a container whose host loaded it): no modprobe.
          run: `test -d /proc/sys/net/bridge || modprobe br_netfilter\nsysctl -q -p ${BRIDGE_SYSCTL}`,
          check: 'test "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" = 1 && test "$(cat /proc/sys/net/bridge/bridge-nf-call-ip6tables)" = 1',
          onChange: [`${step}/bridge-sysctl`],
        });
        files.push(`${step}/bridge-sysctl`);
      }
      const iface = node.providerInterface;
      const l2 = agents.find(isL2Agent);
      if (l2 && iface && cloud.provider) {
        // The agent takes the interface into a bridge: were it the management interface, the node would be cut off.
        const q = shq(iface);
        ctx.command(node, {
          ...base,
          service: l2,
          id: `${step}/provider-interface`,
          title: `provider interface ${iface} is there and is not the management interface`,
          run: [
            `if ! ip link show dev ${q} >/dev/null 2>&1; then echo ${shq(`${node.name} has no interface ${iface} (networks.provider.interface or nodes.${node.name}.providerInterface).`)} >&2; exit 1; fi`,
            `echo ${shq(`${iface} carries ${node.name}'s management address ${node.address}: the agent would put it into a bridge and cut the node off. Give the provider network an interface of its own.`)} >&2`,
            'exit 1',
          ].join('\n'),
          check: `ip link show dev ${q} >/dev/null 2>&1 && ! ip -4 -o addr show dev ${q} | grep -qF ${shq(` ${node.address}/`)}`,
        });
      }
      const ovs = ctx.units('neutron-openvswitch-agent').filter((u) => u !== 'neutron-openvswitch-agent');
      const ovsUp = ovs.length ? [`systemctl enable --now ${ovs.map(shq).join(' ')}`] : [];
      if (agents.includes('neutron-openvswitch-agent') && userspace) {
        // The userspace datapath segments TCP only with this on (without it instances answer DHCP and ping,
        // but no TCP); ovs-vswitchd reads it at start, before the agent makes its bridges and ports.
        ctx.command(node, {
          ...base,
          service: 'neutron-openvswitch-agent',
          id: `${step}/ovs-userspace-tso`,
          title: 'Open vSwitch userspace datapath: TCP segmentation offload on',
          run: [...ovsUp, 'ovs-vsctl set Open_vSwitch . other_config:userspace-tso-enable=true', 'systemctl restart ovs-vswitchd'].join('\n'),
          check: 'test "$(ovs-vsctl get Open_vSwitch . other_config:userspace-tso-enable 2>/dev/null)" = \'"true"\'',
        });
      }
      // The userspace datapath can leave an instance's tap down at its first boot (render/ovsTaps.ts).
      if (agents.includes('neutron-openvswitch-agent') && userspace && node.services.includes('nova-compute')) renderOvsTapWatch(ctx, node, { step, service: 'neutron-openvswitch-agent' });
      if (agents.includes('neutron-openvswitch-agent') && iface && cloud.provider) {
        // The agent finds the provider network's bridge by its mapping; it must exist with the interface in it
        // (and on the agent's datapath: a userspace bridge cannot patch to a kernel one).
        const q = shq(iface);
        ctx.command(node, {
          ...base,
          service: 'neutron-openvswitch-agent',
          id: `${step}/provider-bridge`,
          title: `Open vSwitch bridge ${OVS_PROVIDER_BRIDGE} with ${iface}`,
          run: [
            ...ovsUp,
            `ovs-vsctl --may-exist add-br ${OVS_PROVIDER_BRIDGE}${userspace ? ` -- set bridge ${OVS_PROVIDER_BRIDGE} datapath_type=netdev` : ''} -- --may-exist add-port ${OVS_PROVIDER_BRIDGE} ${q}`,
          ].join('\n'),
          check: `test "$(ovs-vsctl port-to-br ${q} 2>/dev/null)" = ${OVS_PROVIDER_BRIDGE}${userspace ? ` && test "$(ovs-vsctl get bridge ${OVS_PROVIDER_BRIDGE} datapath_type)" = netdev` : ''}`,
        });
      }
      return files;
    },
    sync: server ? [{ id: 'db-upgrade', title: 'neutron-db-manage upgrade head', cmd: `neutron-db-manage --config-file /etc/neutron/neutron.conf --config-file ${ML2} upgrade head` }] : undefined,
    afterStart: () => {
      if (!server) return;
      ctx.check(node, {
        ...base,
        id: `${step}/verify-extensions`,
        title: 'openstack extension list --network',
        run: `. ${profile.paths.openrcDir}/admin-openrc\nopenstack extension list --network -f value -c Alias`,
        expect: '^port-security$',
      });
    },
  });
}

/** On the neutron-server node, after every node: each agent of the topology is alive, on its node (guide: "Verify operation"). */
export function renderNeutronAgentsCheck(ctx: RenderContext, node: ResolvedNode): void {
  if (!node.services.includes('neutron-server')) return;
  // `-f value` prints the columns machine-readable: Alive and State (admin state up) are both True.
  const expected = ctx.cloud.nodes.flatMap((n) => AGENTS.filter((a) => n.services.includes(a)).map((a) => `${AGENT_TYPES[a]} ${shortName(n.hostname)} True True`));
  if (!expected.length) return;
  ctx.check(node, {
    step: 'neutron-agents-up',
    service: 'neutron-server',
    id: 'neutron-agents-up/verify-agents',
    title: 'openstack network agent list',
    // The host as neutron reports it (socket.gethostname): its first label, the node's host name's.
    // An agent reports itself a while after its unit started (the L3 agent after its first sync of the
    // routers; longer on a loaded host): asked again until every one is alive, for 3 minutes at most.
    run: asAdmin(
      ctx,
      expectLines('openstack network agent list -f value -c "Agent Type" -c Host -c Alive -c State | sed -E \'s/^(.* agent) ([^. ]+)[^ ]* /\\1 \\2 /\'', expected, { waitSeconds: 180 }),
    ),
  });
}
