import { ParsedDocument, YamlPath } from './parse';
import { ResolvedCloud } from './model';
import { inCidr, ipv4ToInt, isNetworkOrBroadcast, parseCidr } from './net';
import { own } from './own';
import { NETWORK_MECHANISMS } from './profiles';
import { launchesInstance } from './render/launch';
import { isL2Agent, ServiceId } from './services/registry';
import type { Add } from './validate';
import { t } from './l10n';

/**
 * Semantic rules of instance networks (`networks.provider`, `networks.selfservice`, `networks.mechanism`, `networks.ovsDatapath`)
 * and of what verify boots on them (`verify.image`): each finding on the key or value that causes it.
 */

/** Instance networks: their subnets, the mechanism the release has, and the agents they need. */
export function checkNetworks(cloud: ResolvedCloud, doc: ParsedDocument, add: Add): void {
  const prov = cloud.provider;
  const self = cloud.selfservice;
  const raw = (doc.value as { networks?: { mechanism?: unknown; selfservice?: { cidr?: unknown } } } | undefined)?.networks;
  // Subnets that must not overlap: a route to one would swallow the other.
  const nets: { name: string; cidr: string; path: YamlPath }[] = [];
  if (cloud.managementCidr) nets.push({ name: t('management'), cidr: cloud.managementCidr, path: ['networks', 'management', 'cidr'] });
  if (prov?.cidr) nets.push({ name: t('provider'), cidr: prov.cidr, path: ['networks', 'provider', 'cidr'] });
  if (self && typeof raw?.selfservice?.cidr === 'string') nets.push({ name: t('self-service'), cidr: self.cidr, path: ['networks', 'selfservice', 'cidr'] });
  for (const [i, a] of nets.entries()) {
    for (const b of nets.slice(i + 1)) {
      const ca = parseCidr(a.cidr);
      const cb = parseCidr(b.cidr);
      if (!ca || !cb) continue;
      const mask = Math.min(ca.prefix, cb.prefix) === ca.prefix ? ca.mask : cb.mask;
      if ((ca.network & mask) >>> 0 === (cb.network & mask) >>> 0) {
        add(
          'network/overlapping-cidrs',
          'error',
          t('The {0} network {1} overlaps the {2} network {3}: each needs its own addresses, or routes and NAT go to the wrong one.', b.name, b.cidr, a.name, a.cidr),
          b.path,
          'value',
        );
      }
    }
  }
  const within = (ip: string | undefined, cidr: string | undefined, path: YamlPath, what: string) => {
    const c = cidr ? parseCidr(cidr) : undefined;
    if (!ip || !c || ipv4ToInt(ip) === undefined) return true;
    if (!inCidr(ip, c)) {
      add('network/outside-cidr', 'error', t('{0} {1} is outside its subnet {2}.', what, ip, cidr ?? ''), path, 'value');
      return false;
    }
    if (isNetworkOrBroadcast(ip, c)) {
      add('network/outside-cidr', 'error', t('{0} {1} is the network or broadcast address of {2}, not a host address.', what, ip, cidr ?? ''), path, 'value');
      return false;
    }
    return true;
  };
  if (prov) {
    within(prov.gateway, prov.cidr, ['networks', 'provider', 'gateway'], t('The provider gateway'));
    const pool = prov.allocationPool;
    const okStart = within(pool?.start, prov.cidr, ['networks', 'provider', 'allocationPool', 'start'], t('The allocation pool start'));
    const okEnd = within(pool?.end, prov.cidr, ['networks', 'provider', 'allocationPool', 'end'], t('The allocation pool end'));
    const start = pool?.start ? ipv4ToInt(pool.start) : undefined;
    const end = pool?.end ? ipv4ToInt(pool.end) : undefined;
    const gw = prov.gateway ? ipv4ToInt(prov.gateway) : undefined;
    if (okStart && okEnd && start !== undefined && end !== undefined) {
      if (start > end)
        add('network/allocation-pool', 'error', t('The allocation pool ends ({0}) before it starts ({1}).', pool!.end!, pool!.start!), ['networks', 'provider', 'allocationPool', 'end'], 'value');
      else if (gw !== undefined && gw >= start && gw <= end)
        add(
          'network/allocation-pool',
          'error',
          t('The allocation pool {0}-{1} holds the gateway {2}: neutron would hand it to a router or an instance.', pool!.start!, pool!.end!, prov.gateway!),
          ['networks', 'provider', 'allocationPool'],
          'key',
        );
    }
  }
  if (self) within(self.gateway, self.cidr, ['networks', 'selfservice', 'gateway'], t('The self-service gateway'));

  const profile = cloud.profile;
  const mechanism = typeof raw?.mechanism === 'string' ? raw.mechanism : undefined;
  if (profile && mechanism && NETWORK_MECHANISMS.some((m) => m.id === mechanism) && !profile.networkMechanisms.includes(mechanism as never)) {
    add(
      'network/mechanism-unavailable',
      'error',
      mechanism === 'linuxbridge'
        ? t('{0} has no {1} mechanism (neutron 2025.1 removed the Linux bridge driver): use {2}.', profile.title, mechanism, profile.networkMechanisms.join(t(' or ')))
        : t('{0} has no {1} mechanism: use {2}.', profile.title, mechanism, profile.networkMechanisms.join(t(' or '))),
      ['networks', 'mechanism'],
      'value',
      [...profile.networkMechanisms],
    );
  }

  // Open vSwitch's datapath with another mechanism would be read by nothing: say so where it is written.
  const datapath = (raw as { ovsDatapath?: unknown } | undefined)?.ovsDatapath;
  if (typeof datapath === 'string' && cloud.mechanism && cloud.mechanism !== 'openvswitch') {
    add(
      'network/ovs-datapath-unused',
      'warning',
      t("`networks.ovsDatapath` is Open vSwitch's; with the {0} mechanism nothing reads it. Remove it, or set `networks.mechanism: openvswitch`.", cloud.mechanism),
      ['networks', 'ovsDatapath'],
      'key',
    );
  }

  const dataPlane = !!prov || !!self;
  const placed = (s: ServiceId) => cloud.nodes.some((n) => n.services.includes(s));
  if (!dataPlane) {
    for (const n of cloud.nodes) {
      const i = n.roles.indexOf('network');
      if (i < 0) continue;
      const roles = (own((doc.value as { nodes?: Record<string, { roles?: unknown }> })?.nodes, n.name)?.roles ?? []) as unknown[];
      add(
        'network/no-instance-networks',
        'warning',
        t("The `network` role places neutron's agents only for instance networks, and `networks` has neither `provider` nor `selfservice`: `{0}` gets none.", n.name),
        ['nodes', n.name, 'roles', Math.max(0, roles.indexOf('network'))],
        'value',
      );
    }
    return;
  }
  const where: YamlPath = self ? ['networks', 'selfservice'] : ['networks', 'provider'];
  if (placed('neutron-server') && !placed('neutron-dhcp-agent')) {
    add('network/no-agents', 'warning', t('No node runs the DHCP and metadata agents: instances would get no address. Give the controller (or a network node) the `network` role.'), where);
  } else if (self && placed('neutron-server') && !placed('neutron-l3-agent')) {
    add(
      'network/no-agents',
      'error',
      t('Self-service networks need the L3 agent (routers, floating IPs), and no node runs `neutron-l3-agent`: give the controller (or a network node) the `network` role.'),
      ['networks', 'selfservice'],
    );
  }
  for (const n of cloud.nodes) {
    const l2 = n.services.some(isL2Agent);
    // (Without a profile there is no mechanism and no agent to place: the os or release is reported.)
    if (n.services.includes('nova-compute') && !l2 && cloud.mechanism) {
      add(
        'network/compute-without-agent',
        'error',
        t("`{0}` runs nova-compute but no L2 agent: its instances' ports could not be wired. Give it the `compute` role, or `{1}`.", n.name, `neutron-${cloud.mechanism ?? 'linuxbridge'}-agent`),
        ['nodes', n.name],
      );
    }
    if (l2 && prov && !n.providerInterface) {
      add(
        'network/no-provider-interface',
        n.services.includes('neutron-l3-agent') || n.services.includes('neutron-dhcp-agent') ? 'error' : 'warning',
        n.services.includes('neutron-l3-agent')
          ? t('`{0}` runs neutron agents but has no provider interface (`networks.provider.interface` or `providerInterface`): routers here would have no way out.', n.name)
          : t('`{0}` runs neutron agents but has no provider interface (`networks.provider.interface` or `providerInterface`): instances on the provider network cannot be placed here.', n.name),
        ['nodes', n.name],
      );
    }
  }
}

/** `verify.image`: a kernel with its ramdisk, or a disk; and a cloud where verify boots it. */
export function checkVerify(cloud: ResolvedCloud, add: Add): void {
  const img = cloud.verifyImage;
  if (!img) return;
  const at: YamlPath = ['verify', 'image'];
  if ((img.kernel || img.ramdisk) && img.disk) {
    add('verify/image', 'error', t('Give either a kernel and its ramdisk or a disk image, not both.'), [...at, 'disk']);
  } else if (!!img.kernel !== !!img.ramdisk) {
    add('verify/image', 'error', t('A kernel is booted with its ramdisk: `{0}` is missing.', img.kernel ? 'ramdisk' : 'kernel'), [...at, img.kernel ? 'kernel' : 'ramdisk']);
  } else if (!img.kernel && !img.disk) {
    add('verify/image', 'error', t('Name the image: `kernel` and `ramdisk`, or `disk`.'), at);
  }
  if (!launchesInstance(cloud)) {
    add(
      'verify/image-unused',
      'warning',
      t('verify boots this image only in a cloud with instance networks: `networks.provider` with its `cidr`, the `network` role (DHCP agent) and a compute node.'),
      at,
    );
  }
}
