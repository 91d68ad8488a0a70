import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, render } from '../../src/core/compile';
import { Artifact, CommandArtifact, FileArtifact, RenderedCloud } from '../../src/core/render/artifacts';
import { materialize, secretsIn } from '../../src/core/render/template';
import { completeAt } from '../../src/core/editor/complete';
import { LAUNCH_STAGES } from '../../src/core/render/launch';
import { stageResults } from '../../src/core/deploy/verify';
import { hoverAt } from '../../src/core/editor/navigate';
import { at, codes, lineOf, minimal, only } from './helpers';

/**
 * The data plane as a user writes it: instance networks (`networks.provider`, `networks.selfservice`,
 * `networks.mechanism`), the `network` role, the agents the roles place, what they render and the
 * findings on the exact line.
 */

const META = '  METADATA_SECRET: Str0ng-Metadata-Secret-1\n';

/** The guide's option 2 on minimal()'s two nodes, the controller also the network node. */
function option2(opts: { os?: string; release?: string; mechanism?: string; networks?: string; controllerRoles?: string } = {}): string {
  const networks =
    opts.networks ??
    [
      '  provider:',
      '    interface: eth1',
      '    cidr: 203.0.113.0/24',
      '    gateway: 203.0.113.1',
      '    allocationPool: { start: 203.0.113.101, end: 203.0.113.250 }',
      '    dns: [8.8.4.4]',
      '  selfservice:',
      '    cidr: 172.16.1.0/24',
      '    gateway: 172.16.1.1',
      ...(opts.mechanism ? [`  mechanism: ${opts.mechanism}`] : []),
    ].join('\n') + '\n';
  let t = minimal()
    .replace('    cidr: 10.0.0.0/24\n', `    cidr: 10.0.0.0/24\n${networks}`)
    .replace('secrets:\n', `secrets:\n${META}`)
    .replace('roles: [controller]', `roles: ${opts.controllerRoles ?? '[controller, network]'}`);
  if (opts.release) t = t.replace('release: zed', `release: ${opts.release}`);
  if (opts.os) t = t.replace('os: debian12', `os: ${opts.os}`);
  return t;
}

const run = (text: string) => analyze(text, {}).findings;
const errors = (text: string) => run(text).filter((f) => f.severity === 'error');

function rendered(text: string): RenderedCloud {
  const a = analyze(text, {});
  assert.deepEqual(
    a.findings.filter((f) => f.severity === 'error'),
    [],
  );
  return render(a, { compute1: { hwVirt: false } });
}
const arts = (c: RenderedCloud, node: string): Artifact[] => c.nodes.find((n) => n.name === node)!.artifacts;
const file = (c: RenderedCloud, node: string, p: string): FileArtifact => {
  const f = arts(c, node).find((a): a is FileArtifact => a.kind === 'file' && a.path === p);
  assert.ok(f, `${node} has ${p}`);
  return f;
};
const cmd = (c: RenderedCloud, node: string, id: string): CommandArtifact => {
  const x = arts(c, node).find((a): a is CommandArtifact => a.kind === 'command' && a.id === id);
  assert.ok(x, `${node} has command ${id}`);
  return x;
};
/** `[section] option` of an INI text (the last value). */
function ini(text: string, section: string, option: string): string | undefined {
  let cur = '';
  let val: string | undefined;
  for (const line of text.split('\n')) {
    const s = /^\[(.+)\]$/.exec(line);
    if (s) cur = s[1];
    const m = /^([^#=\s][^=]*?)\s*=\s*(.*)$/.exec(line);
    if (m && cur === section && m[1] === option) val = m[2];
  }
  return val;
}
const servicesOf = (text: string, node: string) => analyze(text, {}).cloud.nodes.find((n) => n.name === node)!.services;

describe('instance networks (the data plane)', () => {
  describe('what the roles place', () => {
    it('without provider or self-service networks: no agents, no metadata API (the control plane alone)', () => {
      const t = minimal();
      assert.ok(!servicesOf(t, 'controller').some((s) => s.includes('agent') || s === 'nova-api-metadata'));
      assert.ok(!servicesOf(t, 'compute1').some((s) => s.includes('agent')));
    });

    it('option 2 on Zed: the network role places the Linux bridge, DHCP, metadata and L3 agents; compute the L2 agent; the controller the metadata API', () => {
      const t = option2();
      assert.deepEqual(run(t), []);
      const c = servicesOf(t, 'controller');
      for (const s of ['nova-api-metadata', 'neutron-linuxbridge-agent', 'neutron-dhcp-agent', 'neutron-metadata-agent', 'neutron-l3-agent']) assert.ok(c.includes(s as never), s);
      assert.ok(!c.includes('neutron-openvswitch-agent'));
      assert.deepEqual(servicesOf(t, 'compute1'), ['chrony', 'nova-compute', 'neutron-linuxbridge-agent']);
    });

    it('option 1 (provider only): no L3 agent', () => {
      const t = option2({ networks: '  provider:\n    interface: eth1\n' });
      assert.deepEqual(run(t), []);
      assert.ok(servicesOf(t, 'controller').includes('neutron-dhcp-agent'));
      assert.ok(!servicesOf(t, 'controller').includes('neutron-l3-agent'));
    });

    it("the mechanism: the profile's default (2025.1: Open vSwitch), or networks.mechanism", () => {
      const epoxy = option2({ os: 'debian13', release: '2025.1' });
      assert.deepEqual(errors(epoxy), []);
      assert.ok(servicesOf(epoxy, 'compute1').includes('neutron-openvswitch-agent'));
      const ovs = option2({ mechanism: 'openvswitch' });
      assert.deepEqual(errors(ovs), []);
      assert.ok(servicesOf(ovs, 'controller').includes('neutron-openvswitch-agent'));
      assert.ok(!servicesOf(ovs, 'controller').includes('neutron-linuxbridge-agent'));
    });
  });

  describe('findings, each on its line', () => {
    it('network/mechanism-unavailable: Linux bridge on 2025.1, on the value, with the choice there is', () => {
      const t = option2({ os: 'debian13', release: '2025.1', mechanism: 'linuxbridge' });
      const f = only(run(t), 'network/mechanism-unavailable');
      assert.equal(f.length, 1);
      assert.match(f[0].message, /removed the Linux bridge driver/);
      assert.deepEqual(f[0].suggestions, ['openvswitch']);
      assert.equal(at(f[0]), `${lineOf(t, 'mechanism: linuxbridge')}:14`);
    });

    it('profile/service-unavailable: the Linux bridge agent listed by hand on 2025.1', () => {
      const t = option2({ os: 'debian13', release: '2025.1' }).replace('roles: [compute]', 'roles: [compute]\n    services: [neutron-linuxbridge-agent]');
      const f = only(run(t), 'profile/service-unavailable');
      assert.equal(f.length, 1);
      assert.match(f[0].message, /linuxbridge mechanism is not in 2025.1/);
      assert.equal(f[0].range.start.line + 1, lineOf(t, 'services: [neutron-linuxbridge-agent]'));
    });

    it('network/overlapping-cidrs: on the later network', () => {
      const t = option2().replace('    cidr: 172.16.1.0/24', '    cidr: 10.0.0.128/25').replace('gateway: 172.16.1.1', 'gateway: 10.0.0.129');
      const f = only(run(t), 'network/overlapping-cidrs');
      assert.equal(f.length, 1);
      assert.match(f[0].message, /self-service network 10.0.0.128\/25 overlaps the management network 10.0.0.0\/24/);
      assert.equal(f[0].range.start.line + 1, lineOf(t, 'cidr: 10.0.0.128/25'));
    });

    it('network/outside-cidr: a gateway or pool address outside its subnet, or its broadcast address', () => {
      const gw = option2().replace('gateway: 203.0.113.1', 'gateway: 198.51.100.1');
      const f = only(run(gw), 'network/outside-cidr');
      assert.equal(f.length, 1);
      assert.equal(f[0].range.start.line + 1, lineOf(gw, 'gateway: 198.51.100.1'));
      const pool = option2().replace('end: 203.0.113.250', 'end: 203.0.113.255');
      const p = only(run(pool), 'network/outside-cidr');
      assert.equal(p.length, 1);
      assert.match(p[0].message, /broadcast/);
      const self = option2().replace('gateway: 172.16.1.1', 'gateway: 172.16.2.1');
      assert.equal(only(run(self), 'network/outside-cidr').length, 1);
    });

    it('network/allocation-pool: reversed, or holding the gateway', () => {
      const rev = option2().replace('{ start: 203.0.113.101, end: 203.0.113.250 }', '{ start: 203.0.113.250, end: 203.0.113.101 }');
      assert.match(only(run(rev), 'network/allocation-pool')[0].message, /ends \(203.0.113.101\) before it starts/);
      const gw = option2().replace('{ start: 203.0.113.101', '{ start: 203.0.113.1');
      const f = only(run(gw), 'network/allocation-pool');
      assert.equal(f.length, 1);
      assert.match(f[0].message, /holds the gateway 203.0.113.1/);
      assert.equal(f[0].range.start.line + 1, lineOf(gw, 'allocationPool:'));
    });

    it('network/no-agents: self-service networks without the L3 agent (no network role) is an error on networks.selfservice', () => {
      const t = option2({ controllerRoles: '[controller]' });
      const f = only(run(t), 'network/no-agents');
      assert.equal(f.length, 1);
      assert.equal(f[0].severity, 'warning', 'first: no DHCP agent at all');
      const self = option2({ controllerRoles: '[controller]' }).replace('roles: [compute]', 'roles: [compute]\n    services: [neutron-dhcp-agent, neutron-metadata-agent]');
      const g = only(run(self), 'network/no-agents');
      assert.equal(g.length, 1);
      assert.equal(g[0].severity, 'error');
      assert.match(g[0].message, /L3 agent/);
      assert.equal(g[0].range.start.line + 1, lineOf(self, 'selfservice:'));
    });

    it('network/no-instance-networks: the network role without provider or self-service networks, on the role', () => {
      const t = minimal().replace('roles: [controller]', 'roles: [controller, network]');
      const f = only(run(t), 'network/no-instance-networks');
      assert.equal(f.length, 1);
      assert.equal(at(f[0]), `${lineOf(t, 'roles: [controller, network]')}:25`);
    });

    it('network/compute-without-agent and network/no-provider-interface', () => {
      const bare = option2().replace('roles: [compute]', 'services: [chrony, nova-compute]');
      assert.deepEqual(codes(errors(bare)), ['network/compute-without-agent']);
      const noIface = option2().replace('    interface: eth1\n', '');
      const f = only(run(noIface), 'network/no-provider-interface');
      assert.deepEqual(
        f.map((x) => [x.severity, x.path?.[1]]),
        [
          ['error', 'controller'],
          ['warning', 'compute1'],
        ],
      );
      // A node of its own says where its provider network is.
      const own = noIface
        .replace('    address: 10.0.0.31\n', '    address: 10.0.0.31\n    providerInterface: ens5\n')
        .replace('    address: 10.0.0.11\n', '    address: 10.0.0.11\n    providerInterface: ens5\n');
      assert.deepEqual(only(run(own), 'network/no-provider-interface'), []);
    });

    it('secret/missing: METADATA_SECRET once there are instance networks', () => {
      const t = option2().replace(META, '');
      const f = only(run(t), 'secret/missing');
      assert.equal(f.length, 1);
      assert.deepEqual(f[0].data?.services, ['nova-api-metadata', 'neutron-metadata-agent']);
    });
  });

  describe('what is rendered', () => {
    const zed = () => rendered(option2());

    it("ML2 for option 2: VXLAN self-service networks with layer-2 population, the router plugin, the provider network's name", () => {
      const c = zed();
      const ml2 = file(c, 'controller', '/etc/neutron/plugins/ml2/ml2_conf.ini').content;
      assert.equal(ini(ml2, 'ml2', 'type_drivers'), 'flat,vlan,vxlan');
      assert.equal(ini(ml2, 'ml2', 'tenant_network_types'), 'vxlan');
      assert.equal(ini(ml2, 'ml2', 'mechanism_drivers'), 'linuxbridge,l2population');
      assert.equal(ini(ml2, 'ml2_type_flat', 'flat_networks'), 'provider');
      assert.equal(ini(ml2, 'ml2_type_vxlan', 'vni_ranges'), '1:1000');
      assert.equal(ini(file(c, 'controller', '/etc/neutron/neutron.conf').content, 'DEFAULT', 'service_plugins'), 'router');
      const named = rendered(option2().replace('  provider:\n', '  provider:\n    name: physnet1\n'));
      assert.equal(ini(file(named, 'compute1', '/etc/neutron/plugins/ml2/linuxbridge_agent.ini').content, 'linux_bridge', 'physical_interface_mappings'), 'physnet1:eth1');
    });

    it('neutron-api runs one thread per uwsgi process (bookworm ini: 32; neutron-api is monkey-patched by eventlet), the other APIs keep their ini', () => {
      const c = zed();
      assert.match(file(c, 'controller', '/etc/default/neutron-server').content, /^DAEMON_ARGS=".* --ini \/etc\/neutron\/neutron-api-uwsgi\.ini( --processes \d+)? --threads 1"$/m);
      assert.doesNotMatch(file(c, 'controller', '/etc/default/nova-api').content, /--threads/);
    });

    it('the Linux bridge agent: the provider interface mapped, VXLAN from the overlay address (default: the management address), bridge filters on', () => {
      const c = rendered(option2().replace('    address: 10.0.0.31\n', '    address: 10.0.0.31\n    overlayAddress: 10.0.1.31\n'));
      const lb = file(c, 'compute1', '/etc/neutron/plugins/ml2/linuxbridge_agent.ini').content;
      assert.equal(ini(lb, 'linux_bridge', 'physical_interface_mappings'), 'provider:eth1');
      assert.equal(ini(lb, 'vxlan', 'local_ip'), '10.0.1.31');
      assert.equal(ini(file(c, 'controller', '/etc/neutron/plugins/ml2/linuxbridge_agent.ini').content, 'vxlan', 'local_ip'), '10.0.0.11');
      assert.equal(ini(lb, 'securitygroup', 'firewall_driver'), 'neutron.agent.linux.iptables_firewall.IptablesFirewallDriver');
      assert.match(file(c, 'compute1', '/etc/sysctl.d/90-ostopo-neutron.conf').content, /^net\.bridge\.bridge-nf-call-iptables = 1$/m);
      // An agent-only neutron.conf: RabbitMQ and the lock path, no database or keystone password.
      const conf = file(c, 'compute1', '/etc/neutron/neutron.conf').content;
      assert.deepEqual(secretsIn(conf), ['RABBIT_PASS']);
      assert.equal(ini(conf, 'database', 'connection'), undefined);
      // The whole file is ostopo's: what the distribution's own said and the agents need is there too.
      assert.equal(ini(conf, 'agent', 'root_helper'), 'sudo neutron-rootwrap /etc/neutron/rootwrap.conf');
      // Zed marks the Linux bridge mechanism experimental: the server and the agent refuse it unless enabled.
      assert.equal(ini(conf, 'experimental', 'linuxbridge'), 'true');
      assert.equal(ini(file(c, 'controller', '/etc/neutron/neutron.conf').content, 'experimental', 'linuxbridge'), 'true');
      assert.equal(ini(file(rendered(option2({ os: 'centos7', release: 'train' })), 'compute1', '/etc/neutron/neutron.conf').content, 'experimental', 'linuxbridge'), undefined);
      assert.equal(ini(file(c, 'compute1', '/etc/nova/nova.conf').content, 'DEFAULT', 'state_path'), '/var/lib/nova');
    });

    it('DHCP, L3 and metadata agents; nova signs and serves metadata with the shared secret', () => {
      const c = zed();
      assert.equal(ini(file(c, 'controller', '/etc/neutron/dhcp_agent.ini').content, 'DEFAULT', 'interface_driver'), 'linuxbridge');
      assert.equal(ini(file(c, 'controller', '/etc/neutron/dhcp_agent.ini').content, 'DEFAULT', 'enable_isolated_metadata'), 'true');
      assert.equal(ini(file(c, 'controller', '/etc/neutron/l3_agent.ini').content, 'DEFAULT', 'interface_driver'), 'linuxbridge');
      const meta = file(c, 'controller', '/etc/neutron/metadata_agent.ini').content;
      assert.equal(ini(meta, 'DEFAULT', 'nova_metadata_host'), 'controller');
      assert.deepEqual(secretsIn(meta), ['METADATA_SECRET']);
      const nova = file(c, 'controller', '/etc/nova/nova.conf').content;
      assert.equal(ini(nova, 'neutron', 'service_metadata_proxy'), 'true');
      assert.ok(secretsIn(nova).includes('METADATA_SECRET'));
      assert.ok(!secretsIn(file(c, 'compute1', '/etc/nova/nova.conf').content).includes('METADATA_SECRET'), 'only where the metadata API runs');
      // Debian serves the metadata API with its own uwsgi, on the node address.
      assert.match(file(c, 'controller', '/etc/default/nova-api-metadata').content, /--http-socket 10\.0\.0\.11:8775 /);
      assert.match(cmd(c, 'controller', 'nova-controller/start').run, /nova-api-metadata/);
    });

    it('the agents on a compute node install meanwhile and start once the server is up; the controller checks every agent is alive', () => {
      const c = zed();
      const start = cmd(c, 'compute1', 'neutron-agents/start');
      assert.deepEqual(start.after, [{ node: 'controller', step: 'neutron' }]);
      assert.match(start.run, /neutron-linuxbridge-agent/);
      assert.equal(cmd(c, 'compute1', 'neutron-agents/install').after, undefined);
      const check = arts(c, 'controller').find((a) => a.id === 'neutron-agents-up/verify-agents');
      assert.ok(check && check.kind === 'check');
      for (const line of ['Linux bridge agent compute1 True True', 'L3 agent controller True True', 'Metadata agent controller True True', 'DHCP agent controller True True'])
        assert.ok(check.run.includes(line), line);
      // Run by bash against a fake CLI whose L3 agent reports itself on the third call (it syncs its routers
      // first): the check asks again until every agent is alive. With none ever, it fails naming the missing one.
      const script = check.run.replace(/^\. .*admin-openrc.*\n/, '').replace(/sleep 5/, 'sleep 0.01');
      const fake = (l3From: number) =>
        [
          // Each call runs in $( ): the count lives in a file.
          'calls=$(mktemp); echo 0 > "$calls"; trap \'rm -f "$calls"\' EXIT',
          `openstack() { n=$(( $(cat "$calls") + 1 )); echo $n > "$calls"; printf '%s\\n' 'Linux bridge agent compute1.example True True' 'Linux bridge agent controller True True' 'Metadata agent controller True True' 'DHCP agent controller True True'; [ "$n" -ge ${l3From} ] && echo 'L3 agent controller True True'; true; }`,
        ].join('\n');
      const ok = spawnSync('bash', ['-c', `${fake(3)}\n${script}`], { encoding: 'utf8' });
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      const never = spawnSync('bash', ['-c', `${fake(1e9)}\n${script.replace(/SECONDS \+ \d+/, 'SECONDS + 1')}`], { encoding: 'utf8' });
      assert.equal(never.status, 1);
      assert.match(never.stdout, /^missing: L3 agent controller True True$/m);
    });

    it('Open vSwitch (2025.1): bridge mappings, tunnels, the provider bridge made with the interface in it', () => {
      const c = rendered(option2({ os: 'debian13', release: '2025.1' }));
      const ovs = file(c, 'compute1', '/etc/neutron/plugins/ml2/openvswitch_agent.ini').content;
      assert.equal(ini(ovs, 'ovs', 'bridge_mappings'), 'provider:br-provider');
      assert.equal(ini(ovs, 'agent', 'tunnel_types'), 'vxlan');
      assert.equal(ini(file(c, 'controller', '/etc/neutron/l3_agent.ini').content, 'DEFAULT', 'interface_driver'), 'openvswitch');
      assert.match(cmd(c, 'compute1', 'neutron-agents/provider-bridge').run, /ovs-vsctl --may-exist add-br br-provider -- --may-exist add-port br-provider eth1/);
      assert.ok(!arts(c, 'compute1').some((a) => a.id === 'neutron-agents/bridge-sysctl'), 'no bridge netfilter for OVS');
    });

    it("Open vSwitch's userspace datapath (networks.ovsDatapath: netdev): userspace bridges, TSO on before the agent, veth pairs for the namespaces", () => {
      const text = option2({ os: 'debian13', release: '2025.1', mechanism: 'openvswitch' }).replace('  mechanism: openvswitch\n', '  mechanism: openvswitch\n  ovsDatapath: netdev\n');
      const c = rendered(text);
      for (const n of ['controller', 'compute1']) {
        const ovs = file(c, n, '/etc/neutron/plugins/ml2/openvswitch_agent.ini');
        assert.equal(ini(ovs.content, 'ovs', 'datapath_type'), 'netdev');
        const step = n === 'controller' ? 'neutron' : 'neutron-agents';
        const ids = arts(c, n).map((a) => a.id);
        const tso = cmd(c, n, `${step}/ovs-userspace-tso`);
        assert.match(tso.run, /ovs-vsctl set Open_vSwitch \. other_config:userspace-tso-enable=true\nsystemctl restart ovs-vswitchd/);
        // Before the agent makes its bridges: ahead of the provider bridge and of the units' start.
        assert.ok(ids.indexOf(`${step}/ovs-userspace-tso`) < ids.indexOf(`${step}/provider-bridge`), ids.join(' '));
        const bridge = cmd(c, n, `${step}/provider-bridge`);
        assert.match(bridge.run, /ovs-vsctl --may-exist add-br br-provider -- set bridge br-provider datapath_type=netdev -- --may-exist add-port br-provider eth1/);
        // The checks, run by bash against a fake ovs-vsctl: done only when the setting and the bridge's datapath are there.
        const fake = (tsoValue: string, dp: string) =>
          `ovs-vsctl() { case "$*" in "get Open_vSwitch . other_config:userspace-tso-enable") echo '${tsoValue}';; "port-to-br eth1") echo br-provider;; "get bridge br-provider datapath_type") echo ${dp};; esac; }`;
        assert.equal(spawnSync('bash', ['-c', `${fake('"true"', 'netdev')}\n${tso.check}`]).status, 0);
        assert.equal(spawnSync('bash', ['-c', `${fake('', 'netdev')}\n${tso.check}`]).status, 1);
        assert.equal(spawnSync('bash', ['-c', `${fake('"true"', 'netdev')}\n${bridge.check}`]).status, 0);
        assert.equal(spawnSync('bash', ['-c', `${fake('"true"', '""')}\n${bridge.check}`]).status, 1, 'a kernel bridge of that name is turned into a userspace one');
      }
      for (const f of ['/etc/neutron/dhcp_agent.ini', '/etc/neutron/l3_agent.ini']) {
        const a = file(c, 'controller', f);
        assert.equal(ini(a.content, 'DEFAULT', 'ovs_use_veth'), 'true', f);
      }
      // An instance's tap left down at its first boot is brought up while its domain runs (render/ovsTaps.ts):
      // on the nodes with nova-compute only; run by bash against a fake sysfs, ovs-vsctl, virsh and ip.
      const script = file(c, 'compute1', '/usr/local/sbin/ostopo-ovs-tap-up');
      assert.equal(script.mode, '0755');
      assert.ok(arts(c, 'compute1').some((a) => a.id === 'neutron-agents/ovs-tap-up' && a.kind === 'command'));
      assert.ok(!arts(c, 'controller').some((a) => a.id.includes('ovs-tap-up')), 'not where no instance runs');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-taps-'));
      try {
        const flags: Record<string, string> = { tapUp: '0x1103', tapDown: '0x1102', tapPaused: '0x1102', tapOther: '0x1102' };
        for (const [n, f] of Object.entries(flags)) {
          fs.mkdirSync(path.join(dir, 'net', n), { recursive: true });
          fs.writeFileSync(path.join(dir, 'net', n, 'flags'), `${f}\n`);
        }
        // A tap whose instance was just deleted: there when listed, its flags unreadable when read (here a
        // folder stands for the file that went away in between): skipped, no error.
        fs.mkdirSync(path.join(dir, 'net', 'tapGone', 'flags'), { recursive: true });
        const bin = path.join(dir, 'bin');
        fs.mkdirSync(bin);
        const fake = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
        fake('ovs-vsctl', 'case "$4" in tapDown) echo \'"vm-down"\';; tapPaused) echo \'"vm-paused"\';; tapUp) echo \'"vm-up"\';; esac');
        fake('virsh', 'case "$4" in vm-paused) echo paused;; *) echo running;; esac');
        fake('ip', `echo "$*" >> ${path.join(dir, 'ip.log')}`);
        fake('logger', 'true');
        fs.writeFileSync(path.join(dir, 'script'), script.content);
        const r = spawnSync('bash', [path.join(dir, 'script')], { env: { PATH: `${bin}:${process.env.PATH}`, OSTOPO_SYS_NET: path.join(dir, 'net'), OSTOPO_ONCE: '1' }, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stderr, '', 'nothing on stderr (the journal), also for a tap that went away');
        assert.equal(fs.readFileSync(path.join(dir, 'ip.log'), 'utf8'), 'link set dev tapDown up\n', 'only the down tap of a running instance');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      // The system datapath (the default) renders what it always did.
      const sys = rendered(option2({ os: 'debian13', release: '2025.1' }));
      assert.equal(ini(file(sys, 'compute1', '/etc/neutron/plugins/ml2/openvswitch_agent.ini').content, 'ovs', 'datapath_type'), undefined);
      assert.ok(!arts(sys, 'compute1').some((a) => a.id === 'neutron-agents/ovs-userspace-tso' || a.id.includes('ovs-tap-up')));
      assert.equal(ini(file(sys, 'controller', '/etc/neutron/l3_agent.ini').content, 'DEFAULT', 'ovs_use_veth'), undefined);
    });

    it('network/ovs-datapath-unused: the datapath with the Linux bridge mechanism, on the key', () => {
      const t = option2().replace('    gateway: 172.16.1.1\n', '    gateway: 172.16.1.1\n  ovsDatapath: netdev\n');
      const f = only(run(t), 'network/ovs-datapath-unused');
      assert.equal(f.length, 1);
      assert.equal(f[0].severity, 'warning');
      assert.match(f[0].message, /with the linuxbridge mechanism nothing reads it/);
      assert.equal(f[0].range.start.line + 1, lineOf(t, 'ovsDatapath: netdev'));
      assert.deepEqual(
        only(run(option2({ os: 'debian13', release: '2025.1' }).replace('    gateway: 172.16.1.1\n', '    gateway: 172.16.1.1\n  ovsDatapath: netdev\n')), 'network/ovs-datapath-unused'),
        [],
      );
    });

    it('the provider interface is checked on the node before an agent takes it: there, and not the management interface', () => {
      const c = zed();
      const x = cmd(c, 'compute1', 'neutron-agents/provider-interface');
      // The check, run by bash against an `ip` that reports eth1 carrying the management address, fails; the run explains.
      const fakeIp = (addr: string) => `ip() { if [ "$1" = link ]; then return 0; fi; echo "3: eth1    inet ${addr}/24 brd 10.0.0.255 scope global eth1"; }`;
      const check = (addr: string) => spawnSync('bash', ['-c', `${fakeIp(addr)}\n${x.check}`]).status;
      assert.equal(check('10.0.0.31'), 1);
      assert.equal(check('192.168.7.5'), 0);
      const out = spawnSync('bash', ['-c', `${fakeIp('10.0.0.31')}\n${x.run}`], { encoding: 'utf8' });
      assert.equal(out.status, 1);
      assert.match(out.stderr, /eth1 carries compute1's management address 10\.0\.0\.31/);
    });

    it('CentOS 7 / Train: RDO packages (one openstack-neutron for three agents), allow_overlapping_ips as the guide has it', () => {
      const c = rendered(option2({ os: 'centos7', release: 'train' }));
      const install = cmd(c, 'controller', 'neutron/install').run;
      assert.equal(install.match(/openstack-neutron /g)?.length, 1);
      assert.match(install, /openstack-neutron-linuxbridge ebtables ipset/);
      assert.equal(ini(file(c, 'controller', '/etc/neutron/neutron.conf').content, 'DEFAULT', 'allow_overlapping_ips'), 'true');
      assert.ok(!arts(c, 'controller').some((a) => a.kind === 'file' && a.path === '/etc/default/nova-api-metadata'), 'openstack-nova-api serves the metadata API');
    });

    it('secrets are placeholders until deploy, and the metadata secret is written as oslo.config reads it', () => {
      const c = zed();
      const meta = file(c, 'controller', '/etc/neutron/metadata_agent.ini').content;
      const real = materialize(meta, (n) => (n === 'METADATA_SECRET' ? 'a$b' : undefined));
      // oslo.config's escape for `$` (test/unit/encoding.test.ts decodes it with the real oslo.config).
      assert.equal(ini(real, 'DEFAULT', 'metadata_proxy_shared_secret'), 'a\\$b');
    });
  });
});

describe('key = value overrides: libvirt qemu.conf', () => {
  const withQemu = (body: string, node = false) =>
    node ? option2().replace('    roles: [compute]\n', `    roles: [compute]\n    config:\n      nova:\n        qemu.conf:\n${body}`) : `${option2()}config:\n  nova:\n    qemu.conf:\n${body}`;

  it('written only where overridden, on libvirt compute nodes, in libvirt syntax, with who set each line; libvirtd restarts on change', () => {
    const none = rendered(option2());
    assert.ok(!arts(none, 'compute1').some((a) => a.kind === 'file' && a.path === '/etc/libvirt/qemu.conf'), "the distribution's own qemu.conf is left alone");
    const t = withQemu('      cgroup_controllers: []\n      vnc_listen: 0.0.0.0\n      max_files: 4096\n      set_process_name: true\n');
    assert.deepEqual(run(t), []);
    const c = rendered(t);
    const f = file(c, 'compute1', '/etc/libvirt/qemu.conf');
    assert.equal(f.mode, '0600');
    assert.deepEqual(
      f.content.split('\n').filter((l) => l && !l.startsWith('#')),
      ['cgroup_controllers = [ ]', 'vnc_listen = "0.0.0.0"', 'max_files = 4096', 'set_process_name = 1'],
    );
    assert.deepEqual(f.origins?.[0]?.origin, { layer: 'global', path: ['config', 'nova', 'qemu.conf', 'cgroup_controllers'] });
    const start = cmd(c, 'compute1', 'nova-compute/start');
    assert.ok(start.onChange?.includes('nova-compute/qemu.conf'));
    assert.match(start.run, /systemctl restart libvirtd nova-compute/);
    // A node's override over the cloud's; a list of strings.
    const n = rendered(withQemu('          cgroup_controllers: ["cpu", "memory"]\n', true));
    assert.match(file(n, 'compute1', '/etc/libvirt/qemu.conf').content, /^cgroup_controllers = \[ "cpu", "memory" \]$/m);
  });

  it('checked against the settings libvirt documents: unknown keys (did you mean), types, what cannot be written', () => {
    const unknown = withQemu('      cgroup_controler: []\n');
    const f = only(run(unknown), 'config/unknown-option');
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'warning');
    assert.match(f[0].message, /qemu.conf has no setting `cgroup_controler` in \/etc\/libvirt\/qemu.conf of Debian's libvirt-daemon-system .* did you mean `cgroup_controllers`\?/);
    assert.equal(f[0].range.start.line + 1, lineOf(unknown, 'cgroup_controler:'));
    assert.match(only(run(withQemu('      cgroup_controllers: cpu\n')), 'config/option-type')[0].message, /takes a list/);
    assert.match(only(run(withQemu('      max_files: many\n')), 'config/option-type')[0].message, /whole number/);
    const bad = withQemu("      vnc_listen: 'a\"b'\n");
    assert.equal(only(run(bad), 'value/unrenderable')[0].range.start.line + 1, lineOf(bad, 'vnc_listen:'));
    // On a node without nova-compute: written nowhere.
    const ctl = option2().replace('    roles: [controller, network]\n', '    roles: [controller, network]\n    config:\n      nova:\n        qemu.conf:\n          max_files: 10\n');
    assert.match(only(run(ctl), 'config/not-rendered')[0].message, /Node `controller` does not run nova-compute/);
  });

  it('the editor completes and documents the settings', () => {
    const t = withQemu('      cgroup_c\n');
    const a = analyze(t, {});
    const line = lineOf(t, 'cgroup_c') - 1;
    const labels = completeAt(a, t, { line, character: 14 }).map((e) => e.label);
    assert.ok(labels.includes('cgroup_controllers') && labels.includes('vnc_listen'), labels.slice(0, 5).join(', '));
    const h = withQemu('      cgroup_controllers: []\n');
    const hover = hoverAt(analyze(h, {}), { line: lineOf(h, 'cgroup_controllers') - 1, character: 8 });
    assert.match(hover?.markdown ?? '', /\*\*cgroup_controllers\*\* \(list\) in qemu.conf/);
    assert.match(hover?.markdown ?? '', /libvirt's default: `\["cpu", "devices"/);
  });
});

describe("verify's Launch an instance (the script, run by bash against a fake openstack CLI)", function () {
  // Each run starts bash and a few dozen fake CLI processes.
  this.timeout(60000);
  const IMAGE = 'verify:\n  image:\n    kernel: build/test-image/vmlinuz\n    ramdisk: build/test-image/initrd.img\n';
  /** A fake `openstack` that logs its arguments and answers as a cloud would; `ping` answers `answering`. */
  const FAKE = String.raw`#!/bin/bash
echo "$*" >> "$LOG"
# Debian 13's client warns on stderr at every call where OS_COMPUTE_API_VERSION is past 2.1; the values are stdout.
echo "compute version 2.72 is not in supported versions: 2, 2.1" >&2
case "$1 $2" in
  "network list") printf '%s' "$FAKE_NETS"; exit 0 ;;
  "network create") prev=; for x in "$@"; do [ "$x" = -f ] && echo "net-$prev"; prev=$x; done ;;
  "subnet create") echo subnet-1 ;;
  "router create") echo router-1 ;;
  "router show") echo '{"external_gateway_info": {"network_id": "n", "external_fixed_ips": [{"subnet_id": "s", "ip_address": "203.0.113.120"}]}}' ;;
  "security group") echo sg-1 ;;
  "flavor create") echo flavor-1 ;;
  "image create") echo "img-$(( RANDOM ))" ;;
  "server create") for x in "$@"; do case $x in ostopo-verify-*) n=$x ;; esac; done; echo "6e0f6f1c-1111-2222-3333-$(sed 's/^ostopo-verify-[0-9]*-//' <<<"$n")" ;;
  "server show") case "$*" in *status*) echo "$FAKE_STATUS" ;; *host*) if [ -n "$FAKE_ON" ]; then echo "$FAKE_ON"; else sed 's/^6e0f6f1c-1111-2222-3333-//' <<<"$3"; fi ;; *fault*) echo "{'message': 'No valid host was found'}" ;; esac ;;
  "compute service") echo nova ;;
  "port list") case "$4" in *compute2) echo "[{'subnet_id': 's', 'ip_address': '172.16.1.24'}]" ;; *) echo "[{'subnet_id': 's', 'ip_address': '172.16.1.23'}]" ;; esac ;;
  "console log") a=23; case "$4" in *compute2) a=24 ;; esac; printf 'Booting...\nOSTOPO-TEST-IMAGE address=172.16.1.%s/24\r\nOSTOPO-TEST-IMAGE uuid=%s\r\n' "$a" "$4"; [ -e "$LOG.disk" ] && printf 'OSTOPO-TEST-IMAGE disk=vdb sectors=2097152\r\n' ;;
  "volume create") echo vol-1; echo available > "$LOG.vol" ;;
  "volume show") case "$*" in *status*) cat "$LOG.vol" ;; *attachments*) echo '{"attachments": [{"server_id": "s", "device": "/dev/vdb"}]}' ;; esac ;;
  "volume delete") echo deleted > "$LOG.vol" ;;
  "server add") [ "$3" = volume ] && { echo in-use > "$LOG.vol"; [ -n "$FAKE_NO_DISK" ] || touch "$LOG.disk"; } ;;
  "server remove") [ "$3" = volume ] && echo available > "$LOG.vol" ;;
  "floating ip") if [ "$3" = create ]; then n=$(cat "$LOG.fip" 2>/dev/null || echo 150); echo $((n + 1)) > "$LOG.fip"; echo "203.0.113.$n"; fi ;;
esac
exit 0
`;
  function runLaunch(topology: string, opts: { ping: boolean; status?: string; on?: string; nets?: string; noDisk?: boolean }) {
    const c = rendered(topology);
    const check = arts(c, 'controller').find((a) => a.id === 'launch-instance/verify');
    assert.ok(check && check.kind === 'check', 'the controller has the launch check');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-launch-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.mkdirSync(path.join(dir, 'in'));
      fs.writeFileSync(path.join(dir, 'bin', 'openstack'), FAKE, { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'bin', 'ping'), `#!/bin/bash\n${opts.ping ? 'echo "rtt min/avg/max/mdev = 0.1/0.2/0.3/0.0 ms"; exit 0' : 'exit 1'}\n`, { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'bin', 'sleep'), '#!/bin/bash\nexit 0\n', { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'in', 'kernel'), 'K'.repeat(1000));
      fs.writeFileSync(path.join(dir, 'in', 'ramdisk'), 'R'.repeat(500));
      // The admin-openrc line is the node's; here the fake CLI needs none.
      const script = check.run.replace(/^\. .*admin-openrc'?\n/, '');
      const r = spawnSync('bash', ['-c', script], {
        encoding: 'utf8',
        env: {
          PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`,
          LOG: path.join(dir, 'log'),
          OSTOPO_INPUTS: path.join(dir, 'in'),
          FAKE_STATUS: opts.status ?? 'ACTIVE',
          FAKE_ON: opts.on ?? '',
          FAKE_NETS: opts.nets ?? '',
          FAKE_NO_DISK: opts.noDisk ? '1' : '',
        },
      });
      const calls = fs.existsSync(path.join(dir, 'log')) ? fs.readFileSync(path.join(dir, 'log'), 'utf8').split('\n').filter(Boolean) : [];
      const stages = [...r.stderr.matchAll(/^OSTOPO-STAGE (\d+) (\w+) (.*)$/gm)].map((m) => [Number(m[1]), m[2], m[3]]);
      return { check, status: r.status, stages, calls, stderr: r.stderr };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('creates what the guide creates, boots the image, reads the console, pings the floating IP, then deletes all it made', () => {
    const r = runLaunch(option2() + IMAGE, { ping: true });
    assert.equal(r.status, 0, r.stderr);
    // No block storage in this cloud: no volume stage.
    assert.deepEqual(
      r.check.stages,
      Object.values(LAUNCH_STAGES).filter((x) => x !== LAUNCH_STAGES.volume),
    );
    assert.deepEqual(r.check.inputs, [
      { name: 'kernel', path: 'build/test-image/vmlinuz' },
      { name: 'ramdisk', path: 'build/test-image/initrd.img' },
    ]);
    assert.deepEqual(
      r.stages.map((s) => s.slice(0, 2)),
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, 'PASS']),
      r.stderr,
    );
    const ev = Object.fromEntries(r.stages.map((s) => [s[0], s[2]]));
    assert.match(String(ev[2]), /gateway address 203\.0\.113\.120/);
    assert.match(String(ev[4]), /kernel 1000 B and ramdisk 500 B/);
    assert.match(String(ev[5]), /^ostopo-verify-\d+-compute1 \(6e0f6f1c-1111-2222-3333-compute1\) ACTIVE on compute1, port address 172\.16\.1\.23 \(/);
    assert.match(String(ev[6]), /^console of compute1: OSTOPO-TEST-IMAGE address=172\.16\.1\.23\/24 \(/);
    assert.match(String(ev[7]), /^console of compute1: OSTOPO-TEST-IMAGE uuid=6e0f6f1c-1111-2222-3333-compute1 \(/);
    assert.match(String(ev[8]), /^203\.0\.113\.150 \(compute1\) answered: rtt/);
    // One compute node: the scheduler places the instance (no availability zone forced).
    assert.ok(!r.calls.some((c) => c.startsWith('server create') && c.includes('--availability-zone')));
    const has = (re: RegExp) =>
      assert.ok(
        r.calls.some((c) => re.test(c)),
        `${re}: ${r.calls.join('\n')}`,
      );
    // The guide's objects, from the topology's networks.
    has(/^network create --share --external --provider-physical-network provider --provider-network-type flat ostopo-verify-\d+-provider/);
    has(
      /^subnet create --network net-ostopo-verify-\d+-provider --allocation-pool start=203\.0\.113\.101,end=203\.0\.113\.250 --dns-nameserver 8\.8\.4\.4 --gateway 203\.0\.113\.1 --subnet-range 203\.0\.113\.0\/24/,
    );
    has(/^subnet create --network net-ostopo-verify-\d+-selfservice --gateway 172\.16\.1\.1 --subnet-range 172\.16\.1\.0\/24/);
    has(/^router set ostopo-verify-\d+ --external-gateway net-ostopo-verify-\d+-provider/);
    // The root image is a real qcow2 (or raw): nova refuses an image whose content is not its disk format.
    has(/^image create --disk-format (qcow2|raw) --container-format bare --property kernel_id=img-\d+ --property ramdisk_id=img-\d+/);
    has(/^server create --flavor ostopo-verify-\d+ --image ostopo-verify-\d+ --nic net-id=net-ostopo-verify-\d+-selfservice --security-group ostopo-verify-\d+ --key-name/);
    // Without --wait (its progress would be mixed into the id); the status is polled instead.
    assert.ok(!r.calls.some((c) => c.startsWith('server create') && c.includes('--wait')));
    // And all of it deleted, the server first.
    const deletes = r.calls.filter((c) => / delete|unset|remove /.test(c)).map((c) => c.replace(/ostopo-verify-\d+/g, 'X').replace(/img-\d+/g, 'I'));
    assert.deepEqual(deletes, [
      'server delete --wait X-compute1',
      'floating ip delete 203.0.113.150',
      'router unset --external-gateway X',
      'router remove subnet X X-selfservice',
      'router delete X',
      'network delete X-selfservice',
      'network delete net-X-provider',
      'security group delete X',
      'keypair delete X',
      'flavor delete X',
      'image delete X',
      'image delete X-kernel',
      'image delete X-ramdisk',
    ]);
  });

  it('with block storage: a volume attached to the instance, its disk seen on the console, detached and deleted', () => {
    const block = option2() + IMAGE;
    const topo = block
      .replace('  NEUTRON_PASS: Str0ng-Neutron-Pass-1\n', '  NEUTRON_PASS: Str0ng-Neutron-Pass-1\n  CINDER_DBPASS: Str0ng-Cinder-Db-1\n  CINDER_PASS: Str0ng-Cinder-Pass-1\n')
      .replace('nodes:\n', 'nodes:\n  block1:\n    address: 10.0.0.41\n    roles: [block]\n    lvmDevices: [/dev/sdb]\n');
    const r = runLaunch(topo, { ping: true });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.check.stages, Object.values(LAUNCH_STAGES));
    assert.deepEqual(r.stages.at(-1)?.slice(0, 2), [9, 'PASS'], r.stderr);
    assert.match(String(r.stages.at(-1)?.[2]), /^volume vol-1 \(1 GB\) attached to ostopo-verify-\d+-compute1 as \/dev\/vdb: disk=vdb sectors=2097152\r?; detached and deleted/);
    const vol = r.calls.filter((c) => /^(volume (create|delete)|server (add|remove) volume)/.test(c)).map((c) => c.replace(/ostopo-verify-\d+/g, 'X').replace(/6e0f6f1c-1111-2222-3333-/, ''));
    assert.deepEqual(vol, ['volume create --size 1 X-volume -f value -c id', 'server add volume compute1 vol-1', 'server remove volume compute1 vol-1', 'volume delete vol-1']);
    // A disk the instance never shows fails the stage with its console's end, and the volume is still deleted.
    const blind = runLaunch(topo, { ping: true, noDisk: true });
    assert.equal(blind.status, 1);
    assert.deepEqual(blind.stages.at(-1)?.slice(0, 2), [9, 'FAIL']);
    assert.match(String(blind.stages.at(-1)?.[2]), /^volume vol-1 is in-use as \/dev\/vdb of ostopo-verify-\d+-compute1, but its console shows no new disk in 90 s; last lines: /);
    assert.ok(
      blind.calls.some((c) => c === 'volume delete vol-1'),
      'cleaned up',
    );
  });

  it('a failure is reported at its stage with the evidence, later stages are not reached, and everything is still deleted', () => {
    const r = runLaunch(option2() + IMAGE, { ping: true, status: 'ERROR' });
    assert.equal(r.status, 1);
    assert.deepEqual(r.stages.at(-1)?.slice(0, 2), [5, 'FAIL']);
    assert.match(String(r.stages.at(-1)?.[2]), /status ERROR after 10 minutes at most: \{'message': 'No valid host was found'\}/);
    assert.ok(r.calls.includes(r.calls.find((c) => c.startsWith('server delete --wait'))!));
    assert.ok(r.calls.some((c) => c.startsWith('network delete')));
    // An external network of the physical network without a subnet (a run cut short, or made by hand): said at once.
    const bare = runLaunch(option2() + IMAGE, { ping: true, nets: 'b7dc9a35-f551 []\n' });
    assert.deepEqual(bare.stages.at(-1)?.slice(0, 3), [1, 'FAIL', 'external network b7dc9a35-f551 of physical network provider has no subnet: floating IPs need one (give it a subnet, or delete it)']);
    // One with a subnet is used as it is.
    const used = runLaunch(option2() + IMAGE, { ping: true, nets: "b7dc9a35-f551\n0a1b2c3d-4e5f ['9f8e7d6c-subnet']\n" });
    assert.equal(used.status, 0, used.stderr);
    assert.match(String(used.stages[0]?.[2]), /^uses the external network 0a1b2c3d-4e5f of physical network provider/);
    const noAnswer = runLaunch(option2() + IMAGE, { ping: false });
    assert.deepEqual(noAnswer.stages.at(-1)?.slice(0, 3), [8, 'FAIL', '203.0.113.150 (compute1) did not answer in 60 s']);
  });

  it('with several compute nodes: one instance forced onto each (its availability zone), each console read, each floating IP pinged, all deleted', () => {
    const two = option2().replace('    roles: [compute]\n', '    roles: [compute]\n  compute2:\n    address: 10.0.0.32\n    roles: [compute]\n') + IMAGE;
    const r = runLaunch(two, { ping: true });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.stages.map((s) => s.slice(0, 2)),
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, 'PASS']),
      r.stderr,
    );
    const ev = Object.fromEntries(r.stages.map((s) => [s[0], String(s[2])]));
    assert.match(
      ev[5],
      /-compute1 \(6e0f6f1c-1111-2222-3333-compute1\) ACTIVE on compute1, port address 172\.16\.1\.23; ostopo-verify-\d+-compute2 \(6e0f6f1c-1111-2222-3333-compute2\) ACTIVE on compute2, port address 172\.16\.1\.24 \(/,
    );
    assert.match(ev[6], /^console of compute1: OSTOPO-TEST-IMAGE address=172\.16\.1\.23\/24; compute2: OSTOPO-TEST-IMAGE address=172\.16\.1\.24\/24 \(/);
    assert.match(ev[7], /uuid=6e0f6f1c-1111-2222-3333-compute1; compute2: OSTOPO-TEST-IMAGE uuid=6e0f6f1c-1111-2222-3333-compute2 \(/);
    assert.match(ev[8], /^203\.0\.113\.150 \(compute1\) answered: rtt .*; 203\.0\.113\.151 \(compute2\) answered: rtt /);
    const creates = r.calls.filter((c) => c.startsWith('server create')).map((c) => c.replace(/ostopo-verify-\d+/g, 'X'));
    assert.deepEqual(
      creates.map((c) => c.replace(/^.* --key-name X /, '')),
      ['--availability-zone nova:compute1 X-compute1 -f value -c id', '--availability-zone nova:compute2 X-compute2 -f value -c id'],
    );
    const deletes = r.calls.filter((c) => /^(server|floating ip) delete/.test(c)).map((c) => c.replace(/ostopo-verify-\d+/g, 'X'));
    assert.deepEqual(deletes, ['server delete --wait X-compute1 X-compute2', 'floating ip delete 203.0.113.150', 'floating ip delete 203.0.113.151']);
    // An instance the scheduler put elsewhere than asked fails the stage, naming both hosts.
    const elsewhere = runLaunch(two, { ping: true, on: 'compute1' });
    assert.equal(elsewhere.status, 1);
    assert.deepEqual(elsewhere.stages.at(-1)?.slice(0, 2), [5, 'FAIL']);
    assert.match(String(elsewhere.stages.at(-1)?.[2]), /-compute2 \(6e0f6f1c-1111-2222-3333-compute2\) runs on compute1, not on compute2$/);
  });

  it('each stage has its own time (the `(N s)` its line ends with); the stage that ended the check has the rest', () => {
    const out = ['OSTOPO-STAGE 1 PASS made it (10 s)', 'OSTOPO-STAGE 2 PASS booted (100 s)', 'OSTOPO-STAGE 3 PASS pinged'].join('\n');
    assert.deepEqual(
      stageResults({ id: 'x' }, ['a', 'b', 'c'], out, true, '', 130_000).map((r) => r.ms),
      [10_000, 100_000, 20_000],
    );
    const failed = stageResults({ id: 'x' }, ['a', 'b', 'c'], 'OSTOPO-STAGE 1 PASS made it (10 s)\nOSTOPO-STAGE 2 FAIL no host', false, 'no host', 70_000);
    assert.deepEqual(
      failed.map((r) => [r.ok, r.ms]),
      [
        [true, 10_000],
        [false, 60_000],
        [true, 0],
      ],
    );
  });

  it('without verify.image the stages that need one say so; on a provider network only (option 1) no router, no floating IP', () => {
    const r = runLaunch(option2(), { ping: true });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.stages.map((s) => s.slice(0, 2)),
      [
        [1, 'PASS'],
        [2, 'PASS'],
        [3, 'PASS'],
        [4, 'SKIP'],
        [5, 'SKIP'],
        [6, 'SKIP'],
        [7, 'SKIP'],
        [8, 'SKIP'],
      ],
    );
    assert.equal(r.check.inputs, undefined);
    const o1 = rendered(option2({ networks: '  provider:\n    interface: eth1\n    cidr: 203.0.113.0/24\n    gateway: 203.0.113.1\n' }) + IMAGE);
    const c1 = arts(o1, 'controller').find((a) => a.id === 'launch-instance/verify');
    assert.ok(c1 && c1.kind === 'check');
    assert.deepEqual(c1.stages, [LAUNCH_STAGES.provider, LAUNCH_STAGES.access, LAUNCH_STAGES.image, 'instance ACTIVE on the provider network', LAUNCH_STAGES.dhcp, LAUNCH_STAGES.metadata]);
    // The control-plane launch (no network) gives way where the real one boots an image.
    assert.ok(!arts(rendered(option2() + IMAGE), 'controller').some((a) => a.id === 'nova-cells/verify-launch'));
    assert.ok(arts(rendered(option2()), 'controller').some((a) => a.id === 'nova-cells/verify-launch'));
  });
});

describe('verify.image findings', () => {
  it('verify/image: a kernel needs its ramdisk, not both kinds, not neither; verify/image-unused without instance networks', () => {
    const k = option2() + 'verify:\n  image:\n    kernel: vmlinuz\n';
    const f = only(run(k), 'verify/image');
    assert.match(f[0].message, /`ramdisk` is missing/);
    assert.equal(f[0].range.start.line + 1, lineOf(k, 'kernel: vmlinuz'));
    assert.equal(only(run(option2() + 'verify:\n  image:\n    kernel: k\n    ramdisk: r\n    disk: d\n'), 'verify/image').length, 1);
    assert.equal(only(run(option2() + 'verify:\n  image: {}\n'), 'verify/image').length, 1);
    assert.deepEqual(run(option2() + 'verify:\n  image:\n    disk: cirros.img\n'), []);
    assert.equal(only(run(minimal() + 'verify:\n  image:\n    disk: cirros.img\n'), 'verify/image-unused').length, 1);
  });
});

describe('instance networks without a profile', () => {
  it('an unknown os reports itself, not agents it cannot place', () => {
    const t = option2().replace('os: debian12', 'os: debian99');
    assert.deepEqual(codes(errors(t)), ['schema/enum']);
  });
});
