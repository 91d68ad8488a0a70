import { ResolvedNode } from '../model';
import { RenderContext } from './context';

const SCRIPT = '/usr/local/sbin/ostopo-ovs-tap-up';
const UNIT = 'ostopo-ovs-tap-up.service';

/**
 * On a compute node with Open vSwitch's userspace datapath (`networks.ovsDatapath: netdev`): an instance's
 * tap that stays down once its domain runs is brought up. Seen on Debian 13 (OVS 3.5, libvirt 11): about
 * one first boot in five left the tap with PROMISC but not UP (ovs-vswitchd turning promiscuous mode on
 * while libvirt brings the device up, each writing the flags it read), so the instance never got its DHCP
 * lease; a hard reboot of the instance brought it up and it got its address and metadata. A paused domain
 * (nova waits for neutron before it resumes it) keeps its tap down on purpose: only running ones count.
 */
export function renderOvsTapWatch(ctx: RenderContext, node: ResolvedNode, base: { step: string; service: 'neutron-openvswitch-agent' }): string[] {
  ctx.file(node, {
    ...base,
    id: `${base.step}/ovs-tap-up-script`,
    path: SCRIPT,
    mode: '0755',
    language: 'shellscript',
    content:
      [
        '#!/bin/bash',
        ...ctx.header('ostopo-ovs-tap-up').map((h) => `# ${h}`),
        '# Every 2 s: a tap of an OVS instance port (external_ids:vm-uuid) that is down while its domain runs is brought up.',
        '# (OSTOPO_SYS_NET and OSTOPO_ONCE are for its tests: another sysfs folder, one pass.)',
        'net=${OSTOPO_SYS_NET:-/sys/class/net}',
        'while :; do',
        '  for d in "$net"/tap*; do',
        '    n=${d##*/}',
        '    # A tap may go between the listing and the read (an instance deleted): skip it then.',
        '    f=$(cat "$d/flags" 2>/dev/null) || continue',
        '    (( f & 1 )) && continue',
        '    vm=$(ovs-vsctl --if-exists get Interface "$n" external_ids:vm-uuid 2>/dev/null | tr -d \'"\')',
        '    [ -n "$vm" ] || continue',
        '    [ "$(virsh -c qemu:///system domstate "$vm" 2>/dev/null | head -n1)" = running ] || continue',
        '    ip link set dev "$n" up && logger -t ostopo-ovs-tap-up "$n (instance $vm) was down while its domain runs: brought up"',
        '  done',
        '  [ -n "${OSTOPO_ONCE:-}" ] && break',
        '  sleep 2',
        'done',
      ].join('\n') + '\n',
    description: "Brings up an instance's tap that the userspace Open vSwitch datapath left down (a race at first boot; the instance would get no DHCP lease).",
  });
  ctx.file(node, {
    ...base,
    id: `${base.step}/ovs-tap-up-unit`,
    path: `/etc/systemd/system/${UNIT}`,
    mode: '0644',
    language: 'ini',
    content:
      [
        ...ctx.header(UNIT).map((h) => `# ${h}`),
        '[Unit]',
        'Description=ostopo: bring up instance taps the userspace Open vSwitch datapath left down',
        'After=openvswitch-switch.service libvirtd.service',
        '',
        '[Service]',
        `ExecStart=${SCRIPT}`,
        'Restart=always',
        '',
        '[Install]',
        'WantedBy=multi-user.target',
      ].join('\n') + '\n',
    description: 'The systemd unit of ostopo-ovs-tap-up.',
  });
  const files = [`${base.step}/ovs-tap-up-script`, `${base.step}/ovs-tap-up-unit`];
  ctx.command(node, {
    ...base,
    id: `${base.step}/ovs-tap-up`,
    title: `enable and start ${UNIT}`,
    run: `systemctl daemon-reload\nsystemctl enable ${UNIT}\nsystemctl restart ${UNIT}`,
    check: `systemctl is-enabled --quiet ${UNIT} && systemctl is-active --quiet ${UNIT}`,
    onChange: files,
  });
  ctx.check(node, { ...base, id: `${base.step}/ovs-tap-up-running`, title: `${UNIT} running on ${node.name}`, run: `systemctl is-active ${UNIT}`, expect: '^active$' });
  return files;
}
