import { ResolvedCloud, ResolvedNode } from '../model';
import { ServiceId } from '../services/registry';
import { asAdmin, RenderContext } from './context';
import { shq, TEST_IMAGE } from './template';

/**
 * Whether verify launches a real instance: instance networks with a provider subnet, the DHCP agent,
 * glance and a nova-compute that runs instances. (The control-plane check of nova, a server without a
 * network, stays where there is no image to boot.)
 */
export function launchesInstance(cloud: ResolvedCloud): boolean {
  const placed = (s: ServiceId) => cloud.nodes.some((n) => n.services.includes(s));
  return !!cloud.provider?.cidr && placed('nova-api') && placed('neutron-dhcp-agent') && placed('glance') && placed('nova-compute');
}

/** The stages of verify's "Launch an instance", each reported as a check of its own. */
export const LAUNCH_STAGES = {
  provider: 'provider network and subnet',
  selfservice: 'self-service network, subnet and router (gateway on the provider network)',
  access: 'security group (ICMP, SSH), key pair and flavor',
  image: 'test image uploaded (glance)',
  server: 'instance ACTIVE on the self-service network',
  dhcp: 'instance console: its address from DHCP',
  metadata: 'instance console: its uuid from the metadata service',
  ping: 'floating IP answers ping',
  volume: 'a 1 GB volume attached to the instance: its console shows the new disk; detached and deleted',
} as const;

/** The instance stage without self-service networks (option 1). */
export const LAUNCH_SERVER_ON_PROVIDER = 'instance ACTIVE on the provider network';

/**
 * The install guide's "Launch an instance", for real, as one check of several stages on the node that
 * runs nova-api (admin-openrc): what the guide creates (the provider network and subnet unless an
 * external network of that physical network exists, a self-service network, subnet and router, a
 * security group with ICMP and SSH, a key pair, a flavor, the image of `verify.image`), an instance on
 * each compute node (in `ZONE:HOST` when there are several, so each hypervisor and its path to the
 * network node are proved) on the self-service network (on the provider network without one), each
 * console read for the address DHCP gave it and the uuid it read from the metadata service, a floating
 * IP per instance pinged. Everything it
 * made is deleted afterwards, whatever happened. Rendered where the cloud has instance networks, the
 * DHCP agent and a nova-compute that runs instances (libvirt); without `verify.image` the stages that
 * need an image say so (SKIP).
 */
export function renderLaunchInstance(ctx: RenderContext, node: ResolvedNode): void {
  const { cloud } = ctx;
  if (!node.services.includes('nova-api') || !launchesInstance(cloud)) return;
  const prov = cloud.provider!;
  const self = cloud.selfservice;
  if (!prov.cidr) return;
  const img = cloud.verifyImage;
  const kernelBoot = !!(img?.kernel && img.ramdisk);
  const inputs = kernelBoot
    ? [
        { name: 'kernel', path: img!.kernel! },
        { name: 'ramdisk', path: img!.ramdisk! },
      ]
    : img?.disk
      ? [{ name: 'disk', path: img.disk }]
      : [];
  // Without self-service networks (option 1) the instance goes on the provider network, no router or floating IP.
  // The volume stage where the cloud has block storage (cinder-volume).
  const volumes = cloud.nodes.some((n) => n.services.includes('cinder-volume'));
  const keys = (Object.keys(LAUNCH_STAGES) as (keyof typeof LAUNCH_STAGES)[]).filter((k) => (self || (k !== 'selfservice' && k !== 'ping')) && (volumes || k !== 'volume'));
  const stages = keys.map((k) => (k === 'server' && !self ? LAUNCH_SERVER_ON_PROVIDER : LAUNCH_STAGES[k]));
  const st = (key: keyof typeof LAUNCH_STAGES) => keys.indexOf(key) + 1;
  const pool = prov.allocationPool?.start && prov.allocationPool.end ? `--allocation-pool ${shq(`start=${prov.allocationPool.start},end=${prov.allocationPool.end}`)}` : '';
  const provDns = prov.dns.map((d) => `--dns-nameserver ${shq(d)}`).join(' ');
  const selfGw = self?.gateway ? `--gateway ${shq(self.gateway)}` : '';
  // The compute nodes, by the host name nova knows them by.
  const hosts = cloud.nodes.filter((n) => n.services.includes('nova-compute')).map((n) => n.hostname);

  const script = [
    // The API versions of the guide's commands (key pair generation: up to 2.91).
    'export OS_COMPUTE_API_VERSION=2.72',
    'name=ostopo-verify-$$',
    'stage=0 t0=$(date +%s)',
    // Stage lines go to stderr: a `fail` inside $(...) is seen too.
    'say() { echo "OSTOPO-STAGE $stage $1 $2" >&2; }',
    'pass() { say PASS "$* ($(( $(date +%s) - t0 )) s)"; t0=$(date +%s); }',
    'skip() { say SKIP "$*"; }',
    'fail() { say FAIL "$*"; exit 1; }',
    // Its standard output only is the value: a client may warn on stderr even when it succeeds (Debian 13's
    // openstack client warns about OS_COMPUTE_API_VERSION on every call).
    '# Runs a command; its output is the value; on failure the stage fails with the last lines of its output and errors.',
    'try() { local o e r=0; e=$(mktemp); o=$("$@" 2>"$e") || r=$?; if [ $r -ne 0 ]; then o=$(printf "%s\\n%s" "$o" "$(cat "$e")"); rm -f "$e"; fail "$1 ${2:-}: $(tail -n 4 <<<"$o" | tr "\\n" " ")"; fi; rm -f "$e"; printf "%s" "$o"; }',
    'made_provider=',
    `hosts=(${hosts.map(shq).join(' ')})`,
    'fips=() vols=()',
    // Whatever happens, everything the check made is gone afterwards (the server first, then what it used).
    'cleanup() {',
    '  openstack server delete --wait "${hosts[@]/#/$name-}" >/dev/null 2>&1',
    // A volume is deleted once the server's deletion has detached it (available again).
    '  for v in "${vols[@]}"; do for i in $(seq 1 20); do openstack volume delete "$v" >/dev/null 2>&1 && break; sleep 3; done; done',
    '  for f in "${fips[@]}"; do openstack floating ip delete "$f" >/dev/null 2>&1; done',
    '  if [ -n "${router:-}" ]; then openstack router unset --external-gateway "$name" >/dev/null 2>&1; openstack router remove subnet "$name" "$name-selfservice" >/dev/null 2>&1; openstack router delete "$name" >/dev/null 2>&1; fi',
    '  openstack network delete "$name-selfservice" >/dev/null 2>&1',
    '  [ -n "$made_provider" ] && openstack network delete "$made_provider" >/dev/null 2>&1',
    '  openstack security group delete "$name" >/dev/null 2>&1',
    '  openstack keypair delete "$name" >/dev/null 2>&1',
    '  openstack flavor delete "$name" >/dev/null 2>&1',
    '  for i in "$name" "$name-kernel" "$name-ramdisk"; do openstack image delete "$i" >/dev/null 2>&1; done',
    '  true',
    '}',
    'trap cleanup EXIT',
    '',
    `stage=${st('provider')}`,
    // An external network of this physical network with a subnet is the provider network (a flat one cannot
    // be made twice; one without a subnet, left by hand or by a run cut short, could give no floating IP).
    `nets=$(openstack network list --external --provider-physical-network ${shq(prov.name)} -f value -c ID -c Subnets 2>/dev/null)`,
    // (No subnet: an empty column, or `[]` from Debian 13's client.)
    `ext=$(awk '$2 != "" && $2 != "[]" { print $1; exit }' <<<"$nets") bare=$(awk '$1 != "" && ($2 == "" || $2 == "[]") { print $1; exit }' <<<"$nets")`,
    // (The physical network's name is letters, digits, `_` and `-`: the schema's pattern.)
    `[ -z "$ext" ] && [ -n "$bare" ] && fail "external network $bare of physical network ${prov.name} has no subnet: floating IPs need one (give it a subnet, or delete it)"`,
    'if [ -n "$ext" ]; then',
    `  pass "uses the external network $ext of physical network ${prov.name}"`,
    'else',
    `  ext=$(try openstack network create --share --external --provider-physical-network ${shq(prov.name)} --provider-network-type flat "$name-provider" -f value -c id) || exit 1`,
    '  made_provider=$ext',
    `  try openstack subnet create --network "$ext" ${pool} ${provDns} --gateway ${prov.gateway ? shq(prov.gateway) : 'auto'} --subnet-range ${shq(prov.cidr)} "$name-provider" -f value -c id >/dev/null || exit 1`,
    `  pass "created $name-provider (flat, ${prov.name}) with subnet ${prov.cidr}"`,
    'fi',
    '',
    ...(self
      ? [
          `stage=${st('selfservice')}`,
          'net=$(try openstack network create "$name-selfservice" -f value -c id) || exit 1',
          `try openstack subnet create --network "$net" ${selfGw} --subnet-range ${shq(self.cidr)} "$name-selfservice" -f value -c id >/dev/null || exit 1`,
          'router=$(try openstack router create "$name" -f value -c id) || exit 1',
          'try openstack router add subnet "$name" "$name-selfservice" >/dev/null || exit 1',
          'try openstack router set "$name" --external-gateway "$ext" >/dev/null || exit 1',
          'gw=$(openstack router show "$name" -f json -c external_gateway_info | grep -oE \'"ip_address": "[0-9.]+"\' | head -n 1 | cut -d\'"\' -f4)',
          `pass "router $name: ${self.cidr} routed to the provider network, gateway address \${gw:-unknown}"`,
        ]
      : ['net=$ext']),
    '',
    `stage=${st('access')}`,
    'try openstack security group create "$name" -f value -c id >/dev/null || exit 1',
    'try openstack security group rule create --proto icmp "$name" -f value -c id >/dev/null || exit 1',
    'try openstack security group rule create --proto tcp --dst-port 22 "$name" -f value -c id >/dev/null || exit 1',
    'try openstack keypair create "$name" >/dev/null || exit 1',
    // No quota:cpu_* extra specs: they need CPU tuning, which a host without cgroup cpu control lacks.
    `try openstack flavor create --vcpus 1 --ram ${kernelBoot ? 128 : 256} --disk 1 "$name" -f value -c id >/dev/null || exit 1`,
    `pass "security group $name (ICMP, TCP 22), key pair $name, flavor $name (1 vCPU, ${kernelBoot ? 128 : 256} MB)"`,
    '',
    `stage=${st('image')}`,
    ...(kernelBoot
      ? [
          // Booted the way nova boots a kernel and ramdisk: glance aki/ari images, named by the machine image.
          'kid=$(try openstack image create --disk-format aki --container-format aki --file "$OSTOPO_INPUTS/kernel" "$name-kernel" -f value -c id) || exit 1',
          'rid=$(try openstack image create --disk-format ari --container-format ari --file "$OSTOPO_INPUTS/ramdisk" "$name-ramdisk" -f value -c id) || exit 1',
          // Its root disk, which the test image never reads: nova checks that an image's content matches its
          // disk format (an empty `ami` does not), so a real qcow2, or raw.
          'img="$OSTOPO_INPUTS/root.img"',
          ...TEST_IMAGE,
          'try openstack image create --disk-format "$fmt" --container-format bare --property kernel_id="$kid" --property ramdisk_id="$rid" --file "$img" "$name" -f value -c id >/dev/null || exit 1',
          `pass "kernel $(stat -c %s "$OSTOPO_INPUTS/kernel") B and ramdisk $(stat -c %s "$OSTOPO_INPUTS/ramdisk") B (verify.image) as aki/ari, image $name ($fmt) boots them"`,
        ]
      : img?.disk
        ? [
            'fmt=raw; [ "$(head -c 4 "$OSTOPO_INPUTS/disk" | od -An -c | tr -d " ")" = "QFI\\373" ] && fmt=qcow2',
            'try openstack image create --disk-format "$fmt" --container-format bare --file "$OSTOPO_INPUTS/disk" "$name" -f value -c id >/dev/null || exit 1',
            `pass "disk image $(stat -c %s "$OSTOPO_INPUTS/disk") B ($fmt, verify.image)"`,
          ]
        : [
            'skip "no verify.image in the topology: nothing to boot (scripts/test-image.sh builds a tiny one; a CirrOS disk also works)"',
            ...['server', 'dhcp', 'metadata', ...(self ? ['ping'] : []), ...(volumes ? ['volume'] : [])].map(
              (k) => `stage=${st(k as keyof typeof LAUNCH_STAGES)}; skip "no verify.image in the topology"`,
            ),
            'exit 0',
          ]),
    '',
    `stage=${st('server')}`,
    // One instance per compute node (forced onto it in its availability zone when there are several), so
    // that each node's hypervisor and its way to the network node (VXLAN) are proved. Not `--wait`: it
    // writes its progress to the same output as the id.
    'ids=()',
    'for h in "${hosts[@]}"; do',
    '  az=()',
    '  if [ ${#hosts[@]} -gt 1 ]; then',
    '    zone=$(openstack compute service list --service nova-compute --host "$h" -f value -c Zone 2>/dev/null | head -n 1)',
    '    [ -n "$zone" ] || fail "nova-compute of $h is not in the compute service list"',
    '    az=(--availability-zone "$zone:$h")',
    '  fi',
    '  id=$(try openstack server create --flavor "$name" --image "$name" --nic net-id="$net" --security-group "$name" --key-name "$name" "${az[@]}" "$name-$h" -f value -c id) || exit 1',
    '  ids+=("$id")',
    'done',
    'declare -A status',
    'for i in $(seq 1 120); do',
    '  busy=',
    '  for id in "${ids[@]}"; do',
    '    case "${status[$id]:-}" in ACTIVE | ERROR) continue ;; esac',
    '    status[$id]=$(openstack server show "$id" -f value -c status 2>/dev/null)',
    '    case "${status[$id]}" in ACTIVE | ERROR) ;; *) busy=1 ;; esac',
    '  done',
    '  [ -z "$busy" ] && break',
    '  sleep 5',
    'done',
    'declare -A ip',
    'said=',
    'for n in "${!ids[@]}"; do',
    '  id=${ids[$n]} h=${hosts[$n]}',
    '  [ "${status[$id]}" = ACTIVE ] || fail "$name-$h ($id): status ${status[$id]:-unknown} after 10 minutes at most: $(openstack server show "$id" -f value -c fault 2>/dev/null | head -c 300)"',
    '  on=$(openstack server show "$id" -f value -c OS-EXT-SRV-ATTR:host)',
    '  [ ${#hosts[@]} -eq 1 ] || [ "$on" = "$h" ] || fail "$name-$h ($id) runs on ${on:-an unknown host}, not on $h"',
    '  ip[$id]=$(openstack port list --server "$id" -f value -c "Fixed IP Addresses" | grep -oE "[0-9]+(\\.[0-9]+){3}" | head -n 1)',
    '  said="${said:+$said; }$name-$h ($id) ACTIVE on $on, port address ${ip[$id]}"',
    'done',
    'pass "$said"',
    '',
    // A guest under QEMU without KVM takes a while to boot: read the consoles until each has said both.
    "# Whether console text $1 shows address $2 and instance $3 (the test image's markers, or cloud-init's lines).",
    'seen() { { grep -qF "address=$2/" <<<"$1" && grep -qE "uuid=|instance-id" <<<"$1"; } || { grep -qF "$2" <<<"$1" && grep -qE "instance-id: i-|$3" <<<"$1"; }; }',
    'declare -A console',
    'for i in $(seq 1 60); do',
    '  busy=',
    '  for id in "${ids[@]}"; do',
    '    seen "${console[$id]:-}" "${ip[$id]}" "$id" && continue',
    '    console[$id]=$(openstack console log show "$id" 2>/dev/null)',
    '    seen "${console[$id]}" "${ip[$id]}" "$id" || busy=1',
    '  done',
    '  [ -z "$busy" ] && break',
    '  sleep 5',
    'done',
    `stage=${st('dhcp')}`,
    'said=',
    'for n in "${!ids[@]}"; do',
    '  id=${ids[$n]} h=${hosts[$n]}',
    '  line=$(grep -m1 -E "OSTOPO-TEST-IMAGE address=|${ip[$id]}" <<<"${console[$id]}")',
    '  [ -n "$line" ] || fail "the console of $name-$h does not show ${ip[$id]} after 5 minutes; last lines: $(tail -n 5 <<<"${console[$id]}" | tr "\\n" " ")"',
    '  said="${said:+$said; }$h: ${line%$\'\\r\'}"',
    'done',
    'pass "console of $said"',
    `stage=${st('metadata')}`,
    'said=',
    'for n in "${!ids[@]}"; do',
    '  id=${ids[$n]} h=${hosts[$n]}',
    '  line=$(grep -m1 -E "OSTOPO-TEST-IMAGE uuid=|instance-id: " <<<"${console[$id]}")',
    '  grep -qF "$id" <<<"$line" || grep -q "instance-id: i-" <<<"$line" || fail "the console of $name-$h does not show the instance uuid $id from the metadata service: ${line:-nothing}"',
    '  said="${said:+$said; }$h: ${line%$\'\\r\'}"',
    'done',
    'pass "console of $said"',
    ...(self
      ? [
          '',
          `stage=${st('ping')}`,
          // From this node, as a user on the provider network would; else from the router itself, and it says so.
          'command -v ping >/dev/null || fail "ping is not installed on this node (iputils-ping)"',
          'ns=qrouter-$router',
          'said=',
          'for n in "${!ids[@]}"; do',
          '  id=${ids[$n]} h=${hosts[$n]}',
          '  fip=$(try openstack floating ip create "$ext" -f value -c floating_ip_address) || exit 1',
          '  fips+=("$fip")',
          '  try openstack server add floating ip "$id" "$fip" >/dev/null || exit 1',
          '  ok=',
          '  for i in $(seq 1 30); do ping -c 1 -W 2 "$fip" >/dev/null 2>&1 && { ok="$fip ($h) answered: $(ping -c 3 -i 0.3 -W 2 "$fip" | tail -n 1)"; break; }; sleep 2; done',
          '  if [ -z "$ok" ] && ip netns list 2>/dev/null | grep -q "^$ns"; then',
          '    ip netns exec "$ns" ping -c 3 -W 2 "$fip" >/dev/null 2>&1 && ok="$fip ($h) answered inside $ns (this node has no route to the provider network)"',
          '  fi',
          '  [ -n "$ok" ] || fail "$fip ($h) did not answer in 60 s"',
          '  said="${said:+$said; }$ok"',
          'done',
          'pass "$said"',
        ]
      : []),
    ...(volumes
      ? [
          '',
          `stage=${st('volume')}`,
          // On the first instance: the guide's "Block Storage" part of launching an instance.
          'id=${ids[0]} h=${hosts[0]}',
          '# Waits until volume $1 has status $2 (or an error), at most 2 minutes; prints the last status.',
          'vstatus() { local s; for i in $(seq 1 60); do s=$(openstack volume show "$1" -f value -c status 2>/dev/null); case "$s" in "$2" | error*) break ;; esac; sleep 2; done; printf "%s" "$s"; }',
          'vol=$(try openstack volume create --size 1 "$name-volume" -f value -c id) || exit 1',
          'vols+=("$vol")',
          's=$(vstatus "$vol" available); [ "$s" = available ] || fail "volume $vol: status ${s:-unknown} after its creation"',
          'try openstack server add volume "$id" "$vol" >/dev/null || exit 1',
          's=$(vstatus "$vol" in-use); [ "$s" = in-use ] || fail "volume $vol: status ${s:-unknown} after the attach to $name-$h: $(openstack volume show "$vol" -f value -c attachments 2>/dev/null | head -c 300)"',
          `dev=$(openstack volume show "$vol" -f json -c attachments | grep -oE '"device": "[^"]*"' | head -n 1 | cut -d'"' -f4)`,
          // The test image says a disk that appears after its start on its console (scripts/test-image.sh).
          'line=',
          'for i in $(seq 1 30); do line=$(openstack console log show "$id" 2>/dev/null | grep -m1 "OSTOPO-TEST-IMAGE disk=vd"); [ -n "$line" ] && break; sleep 3; done',
          '[ -n "$line" ] || fail "volume $vol is in-use as ${dev:-a device} of $name-$h, but its console shows no new disk in 90 s; last lines: $(openstack console log show "$id" 2>/dev/null | tail -n 5 | tr "\n" " ")"',
          "line=${line%$'\\r'}",
          'try openstack server remove volume "$id" "$vol" >/dev/null || exit 1',
          's=$(vstatus "$vol" available); [ "$s" = available ] || fail "volume $vol: status ${s:-unknown} after the detach"',
          'try openstack volume delete "$vol" >/dev/null || exit 1',
          'vols=()',
          'pass "volume $vol (1 GB) attached to $name-$h as ${dev:-?}: ${line#*OSTOPO-TEST-IMAGE }; detached and deleted"',
        ]
      : []),
  ].join('\n');

  ctx.check(node, {
    step: 'launch-instance',
    service: 'nova-api',
    id: 'launch-instance/verify',
    title: 'launch an instance (the guide\'s "Launch an instance")',
    run: asAdmin(ctx, script),
    stages,
    inputs: inputs.length ? inputs : undefined,
    timeoutMs: 15 * 60_000,
  });
}
