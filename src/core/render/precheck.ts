import { t } from '../l10n';
import { namesOf, ResolvedCloud, ResolvedNode } from '../model';
import { OPERATING_SYSTEMS } from '../profiles';
import { onProfile, REGISTRY, ServiceId } from '../services/registry';
import { lvmVolumeGroup, volumeBackend } from './cinder';
import { sh, shq } from './template';

/**
 * What `ostopo precheck` asks each node before a deploy changes anything (and every deploy first, unless
 * skipped): read-only scripts, one per question. A script passes with exit status 0, warns when its first
 * line is `OSTOPO_WARN <reason>` (and exits 0), fails otherwise; what it prints is the evidence.
 */
export interface Precheck {
  id: string;
  title: string;
  run: string;
}

export const WARN_MARK = 'OSTOPO_WARN ';
/** A line `OSTOPO_CLOCK <seconds since 1970>`: the node's clock, which the run compares with this machine's. */
export const CLOCK_MARK = 'OSTOPO_CLOCK ';

/** The install guide's minimum hardware ("Overview"): controller 4 GB of memory and 5 GB of storage, compute 2 GB and 10 GB. */
export const GUIDE_MINIMUMS = {
  controller: { memoryGb: 4, diskGb: 5 },
  compute: { memoryGb: 2, diskGb: 10 },
} as const;

/** A clock further than this from the workstation's fails: tokens and service heartbeats go wrong. */
export const MAX_CLOCK_OFFSET_S = 30;

export function prechecksOf(cloud: ResolvedCloud, node: ResolvedNode): Precheck[] {
  const profile = cloud.profile;
  if (!profile) return [];
  const out: Precheck[] = [];
  const add = (id: string, title: string, run: string) => out.push({ id: `precheck/${id}`, title, run });

  const os = OPERATING_SYSTEMS.find((o) => o.id === profile.os)!;
  add(
    'os',
    t('the OS is {0} {1} (/etc/os-release), as the profile {2} needs', os.osRelease.id, os.osRelease.version, profile.id),
    ['. /etc/os-release', 'echo "$ID $VERSION_ID ($PRETTY_NAME)"', `[ "$ID" = ${shq(os.osRelease.id)} ] && [ "\${VERSION_ID%%.*}" = ${shq(os.osRelease.version)} ]`].join('\n'),
  );

  add('address', t('{0} (its management address) is an address of this node', node.address), `${sh('ip', '-o', 'route', 'get', node.address)} | tee /dev/stderr | grep -q '^local '`);

  // The names /etc/hosts will give the node; the deploy writes them, so another answer is a warning.
  const names = [
    'want=$1; shift; other=""',
    'for n in "$@"; do a=$(getent ahostsv4 "$n" | awk \'NR==1{print $1}\'); echo "$n: ${a:-(not resolved)}"; if [ "$a" != "$want" ]; then other="$other $n=${a:-none}"; fi; done',
    `if [ -n "$other" ]; then echo "${WARN_MARK}not yet:$other (deploy writes them to /etc/hosts)"; fi`,
  ].join('\n');
  add('names', t('{0} resolve to {1}', namesOf(node).join(', '), node.address), sh('bash', '-c', names, 'ostopo-names', node.address, ...namesOf(node)));

  const isCompute = node.services.includes('nova-compute');
  // A controller for the guide's minimums: a node running a service only the controller role places.
  const isControl = node.services.some((s) => REGISTRY[s].roles.includes('controller') && !REGISTRY[s].roles.includes('compute'));
  if (isControl || isCompute) {
    const memoryGb = Math.max(isControl ? GUIDE_MINIMUMS.controller.memoryGb : 0, isCompute ? GUIDE_MINIMUMS.compute.memoryGb : 0);
    const diskGb = Math.max(isControl ? GUIDE_MINIMUMS.controller.diskGb : 0, isCompute ? GUIDE_MINIMUMS.compute.diskGb : 0);
    const role = isControl && isCompute ? t('controller and compute') : isControl ? t('controller') : t('compute');
    // MemTotal is what the kernel did not reserve: a 4 GB machine shows about 3.8 GB, so 90 % passes.
    add(
      'memory',
      t("memory: at least {0} GB (the guide's minimum for a {1} node)", memoryGb, role),
      `m=$(awk '/^MemTotal:/{print $2}' /proc/meminfo); echo "MemTotal: $((m / 1024)) MB"; if [ "$m" -lt ${Math.round(memoryGb * 1024 * 1024 * 0.9)} ]; then echo "${WARN_MARK}$((m / 1024)) MB, less than ${memoryGb} GB"; fi`,
    );
    add(
      'disk',
      t("disk: at least {0} GB free under /var (the guide's minimum for a {1} node)", diskGb, role),
      `f=$(df -Pk /var | awk 'NR==2{print $4}'); echo "free under /var: $((f / 1024)) MB"; if [ "$f" -lt ${diskGb * 1024 * 1024} ]; then echo "${WARN_MARK}$((f / 1024)) MB free, less than ${diskGb} GB"; fi`,
    );
  }

  add('repositories', t('the package repositories answer'), repositoriesCheck(cloud));

  add(
    'time',
    t("the clock is synchronized (NTP) and within {0} s of this machine's", MAX_CLOCK_OFFSET_S),
    [
      // The run compares the node's time with this machine's while the question was under way (CLOCK_MARK).
      `echo "${CLOCK_MARK}$(date +%s)"`,
      's=$(timedatectl show -p NTPSynchronized --value 2>/dev/null || true); echo "NTPSynchronized: ${s:-unknown}"',
      `if [ "$s" != yes ]; then echo "${WARN_MARK}not synchronized by NTP yet (deploy installs chrony)"; fi`,
    ].join('\n'),
  );

  // Ports of the node's services: free, or held by one of the service's own units (a deploy again).
  const ports: [number, ServiceId, string[]][] = [];
  for (const s of node.services) {
    const d = REGISTRY[s];
    const units = onProfile(profile, s)?.units ?? [];
    for (const p of [...(d.keystone ? [d.keystone.port] : []), ...(d.ports ?? [])]) if (!ports.some(([q]) => q === p)) ports.push([p, s, units]);
  }
  if (ports.length) {
    add(
      'ports',
      t('ports {0} are free or held by their own service', ports.map(([p]) => p).join(', ')),
      sh(
        'bash',
        '-c',
        [
          'addr=$1; shift; bad=0',
          'while [ $# -gt 0 ]; do',
          '  port=$1 service=$2 units=$3; shift 3',
          // A listener on the node's address or on every address takes the port (one on another address does not).
          '  line=$(ss -Hltnp "sport = :$port" | awk -v p="$port" -v a="$addr" \'$4 == a ":" p || $4 == "0.0.0.0:" p || $4 == "*:" p || $4 == "[::]:" p\' | head -n1)',
          '  if [ -z "$line" ]; then echo "$port: free"; continue; fi',
          // ss -p: users:(("name",pid=N,fd=M)); the unit of that process, from its cgroup.
          '  pid=$(printf %s "$line" | sed -n \'s/.*pid=\\([0-9]*\\).*/\\1/p\')',
          '  if [ -z "$pid" ]; then echo "$port: held by a process of another namespace ($(printf %s "$line" | awk \'{print $4}\'))"; bad=1; continue; fi',
          '  unit=$(ps -o unit= -p "$pid" 2>/dev/null | tr -d " "); name=$(ps -o comm= -p "$pid" 2>/dev/null)',
          // An instance of a template unit (ceph-mon@a.service) is the service's when it lists the template's target (ceph-mon.target).
          '  case " $units " in *" ${unit%.service} "*|*" ${unit%%@*}.target "*) echo "$port: held by $service ($unit)";; *) echo "$port: held by $name (pid $pid, ${unit:-no unit}), not by $service"; bad=1;; esac',
          'done',
          'exit $bad',
        ].join('\n'),
        'ostopo-ports',
        node.address,
        ...ports.flatMap(([p, s, units]) => [String(p), s, units.join(' ')]),
      ),
    );
  }

  add('root', t('commands run as root (connected as root, or sudo without a password)'), 'echo "runs as $(id -un) (uid $(id -u))"; [ "$(id -u)" = 0 ]');

  if (node.services.includes('cinder-volume') && volumeBackend(cloud) === 'lvm') {
    const vg = lvmVolumeGroup(cloud, node);
    if (node.lvmDevices.length) {
      // The devices the deploy makes into the volume group: block devices, their contents to be lost.
      add(
        'lvm-devices',
        t('{0} are block devices for the volume group {1} (lvmDevices)', node.lvmDevices.join(', '), vg),
        sh(
          'bash',
          '-c',
          [
            'bad=0; warn=""',
            'for d in "$@"; do',
            '  if [ ! -b "$d" ]; then echo "$d: not a block device"; bad=1; continue; fi',
            '  sig=$(blkid -p -o value -s TYPE "$d" 2>/dev/null || true)',
            '  case "$sig" in "") echo "$d: a block device, empty";; LVM2_member) echo "$d: a block device, already an LVM physical volume";; *) echo "$d: a block device holding $sig"; warn="$warn $d ($sig)";; esac',
            'done',
            `[ $bad = 0 ] && [ -n "$warn" ] && echo "${WARN_MARK}holds data:$warn; pvcreate refuses to wipe it without you"`,
            'exit $bad',
          ].join('\n'),
          'ostopo-lvm-devices',
          ...node.lvmDevices,
        ),
      );
    } else {
      add(
        'lvm-volume-group',
        t('the volume group {0} of the LVM backend exists (no lvmDevices to make it from)', vg),
        sh(
          'bash',
          '-c',
          'command -v vgs >/dev/null || { echo "lvm2 is not installed, so there is no volume group $1 yet: list its devices in lvmDevices"; exit 1; }\nvgs "$1" || { echo "no volume group $1: create it, or list its devices in lvmDevices"; exit 1; }',
          'ostopo-lvm-vg',
          vg,
        ),
      );
    }
  }

  if (isCompute) {
    add(
      'virtualization',
      t('hardware virtualization for instances ([libvirt] virt_type)'),
      `if test "$(grep -Ec '(vmx|svm)' /proc/cpuinfo)" -gt 0 && test -c /dev/kvm; then echo "virt_type = kvm (vmx/svm and /dev/kvm)"; else echo "${WARN_MARK}virt_type = qemu: no usable KVM here (no vmx/svm or no /dev/kvm); instances run emulated, much slower"; fi`,
    );
  }
  return out;
}

/**
 * apt: the InRelease file of each source, fetched the way apt fetches (its proxy settings) into a
 * temporary folder: the topology's `repositories` when it has them (what the deploy will use), else the
 * node's own sources. yum: each repository's repomd.xml under `repositories.os`, else `yum repolist`.
 */
function repositoriesCheck(cloud: ResolvedCloud): string {
  const src = cloud.profile!.packageSources;
  const repos = cloud.repositories;
  if (src.kind === 'apt') {
    const uris = repos?.os
      ? [
          `${repos.os.replace(/\/+$/, '')}/dists/${src.suite}/InRelease`,
          `${repos.os.replace(/\/+$/, '')}/dists/${src.suite}-updates/InRelease`,
          ...(repos.security ? [`${repos.security.replace(/\/+$/, '')}/dists/${src.suite}-security/InRelease`] : []),
        ]
      : [];
    const script = [
      'd=$(mktemp -d) && trap \'rm -rf "$d"\' EXIT',
      "[ $# -gt 0 ] || set -- $(apt-get update --print-uris 2>/dev/null | sed -n \"s/^'\\([^']*\\/InRelease\\)'.*/\\1/p\")",
      '[ $# -gt 0 ] || { echo "no apt sources on this node"; exit 1; }',
      'bad=0',
      'for u in "$@"; do',
      '  if timeout 60 /usr/lib/apt/apt-helper download-file "$u" "$d/InRelease" >"$d/log" 2>&1; then echo "answers: $u"; else echo "does not answer: $u ($(tail -n1 "$d/log"))"; bad=1; fi',
      'done',
      'exit $bad',
    ].join('\n');
    return sh('bash', '-c', script, 'ostopo-repositories', ...uris);
  }
  if (repos?.os) {
    const base = repos.os.replace(/\/+$/, '');
    const urls = src.os.map((r) => `${base}/${r.path.replace(/^\/+|\/+$/g, '')}/repodata/repomd.xml`);
    return sh('bash', '-c', 'bad=0; for u in "$@"; do if curl -fsS --max-time 60 -o /dev/null "$u"; then echo "answers: $u"; else bad=1; fi; done; exit $bad', 'ostopo-repositories', ...urls);
  }
  return 'yum -q repolist enabled';
}
