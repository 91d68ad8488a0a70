import { namesOf, ResolvedNode } from '../model';
import { RenderContext } from './context';
import { renderPackages } from './repositories';
import { shq } from './template';

/** The markers of the lines ostopo owns in /etc/hosts. */
export const HOSTS_BLOCK = { begin: '# BEGIN ostopo', end: '# END ostopo' };

/**
 * /etc/hosts without the lines outside ostopo's block that give a node of the cloud (`want`: `name=address`
 * pairs) another address: `mode=fix` prints the file with those lines commented out (`#ostopo: `),
 * `mode=check` exits 1 when there is one.
 */
const HOSTS_SHADOW_AWK = [
  'BEGIN { n = split(want, p, " "); for (i = 1; i <= n; i++) { split(p[i], kv, "="); addr[kv[1]] = kv[2] } }',
  `$0 == "${HOSTS_BLOCK.begin}" { inblock = 1 }`,
  '{ bad = 0; if (!inblock && $1 !~ /^#/) for (i = 2; i <= NF && $i !~ /^#/; i++) if (($i in addr) && addr[$i] != $1) bad = 1;',
  'if (bad) found = 1; if (mode == "fix") print (bad ? "#ostopo: " $0 : $0) }',
  `$0 == "${HOSTS_BLOCK.end}" { inblock = 0 }`,
  'END { if (mode == "check") exit found }',
].join(' ');

/** The guide's "Environment" chapter steps that every node gets: hosts, provider interface, packages (renderPackages; NTP: renderChrony). */
export function renderEnvironment(ctx: RenderContext, node: ResolvedNode): void {
  const { cloud, profile } = ctx;

  // The same text on every node: built once per render (a cloud of n nodes would otherwise cost n²).
  // Other tools write /etc/hosts too (the installer, cloud-init, provisioning scripts): ostopo manages
  // one block of it, at the top, so its names win over a distribution's `127.0.1.1 <hostname>` line.
  const block = ctx.once('hosts', () => {
    const lines = [HOSTS_BLOCK.begin, `# ${ctx.header('/etc/hosts')[0]}`, '# ostopo manages the lines of this block; the rest of /etc/hosts is left as it is.'];
    for (const n of cloud.nodes) lines.push(`${n.address.padEnd(15)} ${namesOf(n).join(' ')}`);
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
  // The guide: "Some distributions add an extraneous entry in the /etc/hosts file that resolves the actual
  // hostname to another loopback IP address such as 127.0.1.1. You must comment out or remove this entry."
  // Being first is not enough: glibc (`multi on`) returns every address of a name, loopback ones sorted
  // first, and eventlet's resolver (nova, neutron) keeps the last line of a name. So any other line that
  // gives a node of the cloud another address is commented out (`#ostopo: `, the file kept as
  // /etc/hosts.ostopo-shadowed.bak), once and whenever such a line comes back.
  const hostsShadow = ctx.once('hosts-shadow', () => {
    const want = shq(cloud.nodes.flatMap((n) => namesOf(n).map((name) => `${name}=${n.address}`)).join(' '));
    const awk = (mode: 'check' | 'fix') => `awk -v want=${want} -v mode=${mode} ${shq(HOSTS_SHADOW_AWK)} /etc/hosts`;
    return {
      run: [
        'tmp=$(mktemp /etc/.hosts.ostopo.XXXXXX)',
        `${awk('fix')} > "$tmp" || { rm -f "$tmp"; exit 1; }`,
        'chmod 0644 "$tmp" && cp -p /etc/hosts /etc/hosts.ostopo-shadowed.bak && mv -f "$tmp" /etc/hosts',
      ].join('\n'),
      check: awk('check'),
    };
  });
  ctx.command(node, {
    id: 'hosts/shadowed',
    step: 'hosts',
    service: 'base',
    title: "comment out the other addresses /etc/hosts gives the cloud's nodes (the guide's 127.0.1.1 line)",
    ...hostsShadow,
  });

  // The guide sets each node's host name (`hostnamectl set-hostname controller`): nova and neutron report
  // the node by it, and verify looks for it there. /etc/hostname keeps it across reboots; `hostname` sets it now.
  ctx.file(node, {
    id: 'hosts/hostname',
    step: 'hosts',
    service: 'base',
    path: '/etc/hostname',
    mode: '0644',
    language: 'plaintext',
    content: `${node.hostname}\n`,
    description: `The host name of ${node.name} (guide: "Host networking", set the hostname of the node).`,
  });
  ctx.command(node, {
    id: 'hosts/set-hostname',
    step: 'hosts',
    service: 'base',
    title: `set the host name ${node.hostname}`,
    run: `hostname ${shq(node.hostname)}`,
    check: `test "$(hostname)" = ${shq(node.hostname)}`,
    onChange: ['hosts/hostname'],
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
