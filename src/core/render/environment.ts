import { ResolvedNode } from '../model';
import { RenderContext } from './context';
import { renderPackages } from './repositories';
import { shq } from './template';

/** The markers of the lines ostopo owns in /etc/hosts. */
export const HOSTS_BLOCK = { begin: '# BEGIN ostopo', end: '# END ostopo' };

/** The guide's "Environment" chapter steps that every node gets: hosts, provider interface, packages (renderPackages; NTP: renderChrony). */
export function renderEnvironment(ctx: RenderContext, node: ResolvedNode): void {
  const { cloud, profile } = ctx;

  // The same text on every node: built once per render (a cloud of n nodes would otherwise cost n²).
  // Other tools write /etc/hosts too (the installer, cloud-init, provisioning scripts): ostopo manages
  // one block of it, at the top, so its names win over a distribution's `127.0.1.1 <hostname>` line.
  const block = ctx.once('hosts', () => {
    const lines = [HOSTS_BLOCK.begin, `# ${ctx.header('/etc/hosts')[0]}`, '# ostopo manages the lines of this block; the rest of /etc/hosts is left as it is.'];
    for (const n of cloud.nodes) lines.push(`${n.address.padEnd(15)} ${n.name}`);
    lines.push(HOSTS_BLOCK.end);
    return lines.join('\n') + '\n';
  });
  ctx.file(node, {
    id: 'hosts/hosts',
    step: 'hosts',
    service: 'base',
    path: '/etc/hosts',
    mode: '0644',
    language: 'hosts',
    content: block,
    block: { ...HOSTS_BLOCK, initial: profile.hostsPreamble.join('\n') + '\n' },
    description: 'Name resolution of every node of the cloud (guide: "Host networking"): a block at the top of /etc/hosts, the rest is the node\'s.',
  });

  const iface = node.providerInterface;
  if (cloud.provider && iface) {
    const path = profile.paths.providerInterface.replace('{iface}', iface);
    ctx.file(node, {
      id: 'provider-network/interface',
      step: 'provider-network',
      service: 'base',
      path,
      mode: '0644',
      language: 'properties',
      content: [...ctx.header(`provider interface ${iface}`).map((h) => `# ${h}`), ...profile.providerInterface.map((l) => l.replace(/\{iface\}/g, iface))].join('\n') + '\n',
      description: `Provider network interface ${iface}: up, without an IP address (guide: "Configure network interfaces").`,
    });
    ctx.command(node, {
      id: 'provider-network/up',
      step: 'provider-network',
      service: 'base',
      title: `bring up ${iface}`,
      run: `ifup ${shq(iface)}`,
      check: `ip link show dev ${shq(iface)} up | grep -q .`,
    });
  }

  renderPackages(ctx, node);
}

/** The guide's "Network Time Protocol (NTP)": the NTP server node and its clients. */
export function renderChrony(ctx: RenderContext, node: ResolvedNode): void {
  const { cloud, profile } = ctx;
  const isServer = cloud.ntp.server === node.name;
  const lines = ctx.header('chrony.conf').map((h) => `# ${h}`);
  if (isServer) {
    lines.push('', '# Upstream time sources (ntp.servers)');
    for (const s of cloud.ntp.servers) lines.push(`server ${s} iburst`);
    lines.push('', '# Nodes allowed to sync from this server (ntp.allow)');
    for (const a of cloud.ntp.allow) lines.push(`allow ${a}`);
  } else {
    lines.push('', `# Sync from the cloud's NTP server node (ntp.server)`, `server ${cloud.ntp.server ?? 'controller'} iburst`);
  }
  lines.push('', `driftfile ${profile.chrony.driftfile}`, ...profile.chrony.extra);
  ctx.install(node, 'chrony', 'chrony', ctx.packages('chrony'));
  ctx.file(node, {
    id: 'chrony/chrony.conf',
    step: 'chrony',
    service: 'chrony',
    path: profile.paths.chronyConf,
    mode: '0644',
    language: 'properties',
    content: lines.join('\n') + '\n',
    description: isServer ? 'Chrony as the NTP server of the cloud (guide: "Controller node" NTP).' : 'Chrony syncing from the NTP server node (guide: "Other nodes" NTP).',
  });
  ctx.start(node, 'chrony', 'chrony', ctx.units('chrony'), ['chrony/chrony.conf']);
  ctx.check(node, { id: 'chrony/verify', step: 'chrony', service: 'chrony', title: `chronyc sources on ${node.name}`, run: 'chronyc sources', expect: '^\\^', units: ctx.units('chrony') });
}
