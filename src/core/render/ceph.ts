import { ResolvedCloud, ResolvedNode } from '../model';
import { REGISTRY, SecretName, ServiceId, servicesOf } from '../services/registry';
import { installServices } from './apiService';
import { RenderContext } from './context';
import { secretRef, shq } from './template';

/**
 * A Ceph cluster from the distribution's packages, made the way Ceph's manual deployment does it (no
 * cephadm): the monitor's map and keys (`monmaptool`, `ceph-mon --mkfs`), the manager's key, then each
 * OSD (`ceph osd new`, `ceph-osd --mkfs`, BlueStore on a sparse file), then the pools and client keys
 * the cloud's services use. Every step is idempotent: a deploy again changes nothing.
 */

/** The RBD pool of cinder's volumes and the Ceph user cinder (and nova, attaching them) connects as. */
export const CINDER_POOL = 'volumes';
export const CINDER_CEPH_USER = 'cinder';
/** The RBD pool of glance's images (`storage.images: rbd`) and glance's Ceph user. */
export const GLANCE_POOL = 'images';
export const GLANCE_CEPH_USER = 'glance';
const CEPH_CONF = '/etc/ceph/ceph.conf';

/** A Ceph user of a cloud's service: its pool, its key (a secret of the topology) and capabilities. */
interface CephClient {
  user: string;
  pool: string;
  secret: SecretName;
  caps: Record<string, string>;
  /** Who uses the pool, for titles: "cinder's volumes". */
  purpose: string;
  /** The service whose node holds the user's keyring. */
  service: ServiceId;
}

const CLIENTS: readonly CephClient[] = [
  // cinder also reads the images it makes volumes of (copy-on-write clones of glance's RBD images).
  {
    user: CINDER_CEPH_USER,
    pool: CINDER_POOL,
    secret: 'CEPH_CINDER_KEY',
    caps: { mon: 'profile rbd', osd: `profile rbd pool=${CINDER_POOL}, profile rbd pool=${GLANCE_POOL}` },
    purpose: "cinder's volumes",
    service: 'cinder-volume',
  },
  { user: GLANCE_CEPH_USER, pool: GLANCE_POOL, secret: 'CEPH_GLANCE_KEY', caps: { mon: 'profile rbd', osd: `profile rbd pool=${GLANCE_POOL}` }, purpose: "glance's images", service: 'glance' },
];

/** The Ceph users (and pools) a cloud has: cinder's where volumes go to Ceph, glance's where images do. */
function cephClients(ctx: RenderContext): CephClient[] {
  return CLIENTS.filter((c) => ctx.host(c.service) && (c.service !== 'glance' || ctx.cloud.imageStore === 'rbd'));
}

/** A UUID derived from text (SHA-256): stable for a cloud, so a deploy again renders the same files. */
function stableUuid(text: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const h = createHash('sha256').update(text).digest('hex');
  // Version 4's and the variant's bits set, as a random UUID has them.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The cluster's fsid: derived from the cloud's name (renaming the cloud would make a new cluster: set `config.ceph.ceph.conf.global.fsid` to keep one). */
export function cephFsid(cloud: ResolvedCloud): string {
  const v = cloud.config?.ceph?.['ceph.conf']?.global?.fsid;
  return typeof v === 'string' && v ? v : stableUuid(`ostopo ceph fsid ${cloud.name}`);
}

/** The UUID of the libvirt secret holding client.cinder's key on compute nodes (nova's and cinder's rbd_secret_uuid). */
export function cinderSecretUuid(cloud: ResolvedCloud): string {
  return stableUuid(`ostopo libvirt secret client.${CINDER_CEPH_USER} ${cephFsid(cloud)}`);
}

/** Whether a Ceph daemon runs on the node (it has the cluster's ceph.conf of its own). */
export function runsCeph(node: ResolvedNode): boolean {
  return node.services.some((s) => REGISTRY[s].project === 'ceph');
}

/** The OSDs of the cluster: one per entry of `cephOsds` of every node that runs ceph-osd. */
function osdCount(ctx: RenderContext): number {
  return ctx.hosts('ceph-osd').reduce((n, x) => n + x.cephOsds.length, 0);
}

/** The monitor's address as the cluster map and every client name it: msgr2 and the legacy port. */
function monAddress(mon: ResolvedNode): string {
  return `[v2:${mon.address}:3300,v1:${mon.address}:6789]`;
}

/**
 * /etc/ceph/ceph.conf of a node: the cluster (fsid, monitor, cephx) for every node that talks to it;
 * the daemons' own addresses and the pool defaults where a Ceph daemon runs. Returns the file's id.
 */
export function cephConf(ctx: RenderContext, node: ResolvedNode, step: string, service: 'ceph-mon' | 'ceph-osd' | 'cinder-volume' | 'glance'): string {
  const mon = ctx.host('ceph-mon');
  const osdNodes = ctx.hosts('ceph-osd');
  const osds = osdCount(ctx);
  const here = (...path: (string | number)[]) => ({ layer: 'topology' as const, path });
  const prof = { layer: 'profile' as const };
  const daemon = runsCeph(node);
  ctx.iniFile(
    node,
    step,
    service,
    'ceph',
    'ceph.conf',
    CEPH_CONF,
    (ini) => {
      ini.set('global', 'fsid', cephFsid(ctx.cloud), here('name'));
      if (mon) {
        ini.set('global', 'mon_initial_members', mon.name, here('nodes', mon.name, 'roles'));
        ini.set('global', 'mon_host', monAddress(mon), here('nodes', mon.name, 'address'));
      }
      ini.set('global', 'auth_cluster_required', 'cephx', prof);
      ini.set('global', 'auth_service_required', 'cephx', prof);
      ini.set('global', 'auth_client_required', 'cephx', prof);
      if (!daemon) return;
      ini.set('global', 'auth_allow_insecure_global_id_reclaim', false, prof);
      // Every daemon binds the node's address only, as the other services ostopo deploys.
      ini.set('global', 'public_addr', node.address, here('nodes', node.name, 'address'));
      ini.set('global', 'cluster_addr', node.address, here('nodes', node.name, 'address'));
      // As many copies as there are OSDs, up to Ceph's 3; one OSD is a test or a lab, and says so.
      const size = Math.max(1, Math.min(3, osds));
      const osdsPath = here('nodes', osdNodes[0]?.name ?? node.name, 'cephOsds');
      ini.set('global', 'osd_pool_default_size', size, osdsPath);
      ini.set('global', 'osd_pool_default_min_size', size === 1 ? 1 : 2, osdsPath);
      if (size === 1) {
        ini.set('global', 'mon_allow_pool_size_one', true, osdsPath);
        ini.set('global', 'mon_warn_on_pool_no_redundancy', false, osdsPath);
      }
      // The copies go to different hosts where there are several, else to different OSDs of the one.
      if (osdNodes.length <= 1) ini.set('global', 'osd_crush_chooseleaf_type', 0, osdsPath);
    },
    {
      owner: 'root',
      group: 'root',
      mode: '0644',
      oslo: false,
      description: "Ceph's configuration: the cluster's fsid, its monitor, cephx everywhere; where a daemon runs, its address and the pools' default copies.",
    },
  );
  return `${step}/ceph.conf`;
}

/** A keyring file: one entity, its key (a secret placeholder) and capabilities. */
function keyring(entity: string, secret: SecretName, caps: Record<string, string>): string {
  return [`[${entity}]`, `\tkey = ${secretRef(secret)}`, ...Object.entries(caps).map(([k, v]) => `\tcaps ${k} = "${v}"`)].join('\n') + '\n';
}

const ADMIN_CAPS = { mds: 'allow *', mgr: 'allow *', mon: 'allow *', osd: 'allow *' };

/**
 * The keyring of a service's Ceph user where the service runs (readable by its group), and the
 * cluster's ceph.conf unless a Ceph daemon's node has it already. Returns the files' ids.
 */
export function clientFiles(ctx: RenderContext, node: ResolvedNode, step: string, user: typeof CINDER_CEPH_USER | typeof GLANCE_CEPH_USER, group: string): string[] {
  const c = CLIENTS.find((x) => x.user === user)!;
  const conf = runsCeph(node) ? 'ceph/ceph.conf' : cephConf(ctx, node, step, c.service as 'cinder-volume' | 'glance');
  ctx.file(node, {
    id: `${step}/ceph.client.${user}.keyring`,
    step,
    service: c.service,
    path: `/etc/ceph/ceph.client.${user}.keyring`,
    owner: 'root',
    group,
    mode: '0640',
    language: 'ini',
    content: keyring(`client.${user}`, c.secret, c.caps),
    description: `Ceph's client.${user} key: ${c.service} reaches the pool \`${c.pool}\` with it (RBD).`,
  });
  return [conf, `${step}/ceph.client.${user}.keyring`];
}

export function renderCeph(ctx: RenderContext, node: ResolvedNode): void {
  const mon = ctx.host('ceph-mon');
  const mine = servicesOf('ceph').filter((s) => node.services.includes(s));
  if (!mine.length || !mon) return;
  const step = 'ceph';
  installServices(ctx, node, step, mine[0]!, mine, []);
  const conf = cephConf(ctx, node, step, mine.includes('ceph-mon') ? 'ceph-mon' : 'ceph-osd');
  ctx.file(node, {
    id: `${step}/ceph.client.admin.keyring`,
    step,
    service: mine[0]!,
    path: '/etc/ceph/ceph.client.admin.keyring',
    owner: 'root',
    group: 'root',
    mode: '0600',
    language: 'ini',
    content: keyring('client.admin', 'CEPH_ADMIN_KEY', ADMIN_CAPS),
    description: "Ceph's client.admin key (every capability): the ceph commands of the deploy and of verify run with it.",
  });
  const files = [conf, `${step}/ceph.client.admin.keyring`];

  if (node.services.includes('ceph-mon')) {
    const name = node.name;
    ctx.file(node, {
      id: `ceph-mon/ceph.mon.keyring`,
      step: 'ceph-mon',
      service: 'ceph-mon',
      path: '/etc/ceph/ceph.mon.keyring',
      owner: 'ceph',
      group: 'ceph',
      mode: '0600',
      language: 'ini',
      content: keyring('mon.', 'CEPH_MON_KEY', { mon: 'allow *' }) + keyring('client.admin', 'CEPH_ADMIN_KEY', ADMIN_CAPS),
      description: "The monitor's key and client.admin's, from which the monitor's store is made (ceph-mon --mkfs).",
    });
    const dir = `/var/lib/ceph/mon/ceph-${name}`;
    ctx.command(node, {
      id: 'ceph-mon/mkfs',
      step: 'ceph-mon',
      service: 'ceph-mon',
      title: `ceph-mon --mkfs: the monitor ${name} of cluster ${cephFsid(ctx.cloud)}`,
      run: [
        'set -e',
        't=$(mktemp -d); trap \'rm -rf "$t"\' EXIT',
        `monmaptool --create --fsid ${shq(cephFsid(ctx.cloud))} --addv ${shq(name)} ${shq(monAddress(node))} "$t/monmap"`,
        'chown -R ceph:ceph "$t"',
        `install -d -o ceph -g ceph ${shq(dir)}`,
        `runuser -u ceph -- ceph-mon --mkfs -i ${shq(name)} --monmap "$t/monmap" --keyring /etc/ceph/ceph.mon.keyring`,
        `touch ${shq(`${dir}/done`)}`,
      ].join('\n'),
      check: `[ -e ${shq(`${dir}/done`)} ]`,
    });
    ctx.start(node, 'ceph-mon', 'ceph-mon', [`ceph-mon@${name}`], [...files, 'ceph-mon/ceph.mon.keyring']);
  }
  if (node.services.includes('ceph-mgr')) {
    const name = node.name;
    const dir = `/var/lib/ceph/mgr/ceph-${name}`;
    ctx.command(node, {
      id: 'ceph-mgr/keyring',
      step: 'ceph-mgr',
      service: 'ceph-mgr',
      title: `ceph auth get-or-create mgr.${name}: the manager's key`,
      run: [
        'set -e',
        `install -d -o ceph -g ceph ${shq(dir)}`,
        `ceph --connect-timeout 120 auth get-or-create ${shq(`mgr.${name}`)} mon 'allow profile mgr' osd 'allow *' mds 'allow *' -o ${shq(`${dir}/keyring`)}`,
        `chown ceph:ceph ${shq(`${dir}/keyring`)}`,
      ].join('\n'),
      check: `[ -s ${shq(`${dir}/keyring`)} ]`,
      after: mon.name !== node.name ? [{ node: mon.name, step: 'ceph-mon' }] : undefined,
    });
    ctx.start(node, 'ceph-mgr', 'ceph-mgr', [`ceph-mgr@${name}`], files);
  }
  if (node.services.includes('ceph-osd')) {
    node.cephOsds.forEach((osd, i) => {
      // What identifies this node's OSD i across deploys: its uuid and key, kept beside the OSDs (root only),
      // and the id Ceph gave it once it is made. A deploy cut off halfway makes the same OSD again, not another.
      const m = `/var/lib/ceph/osd/ostopo-osd-${i}`;
      ctx.command(node, {
        id: `ceph-osd/osd-${i}`,
        step: 'ceph-osd',
        service: 'ceph-osd',
        title: `Ceph OSD ${i + 1} of ${node.name}: BlueStore on a ${osd.size} file`,
        run: [
          'set -e',
          'umask 077',
          `m=${shq(m)}`,
          '[ -s "$m.uuid" ] || cat /proc/sys/kernel/random/uuid > "$m.uuid"',
          '[ -s "$m.key" ] || ceph-authtool --gen-print-key > "$m.key"',
          'uuid=$(cat "$m.uuid"); key=$(cat "$m.key")',
          // The key goes to Ceph on standard input, never on a command line.
          `id=$(printf '{"cephx_secret": "%s"}' "$key" | ceph --connect-timeout 120 osd new "$uuid" -i -)`,
          'd=/var/lib/ceph/osd/ceph-$id',
          'install -d -o ceph -g ceph "$d"',
          'printf \'[osd.%s]\\n\\tkey = %s\\n\' "$id" "$key" > "$d/keyring"',
          'chown ceph:ceph "$d/keyring"',
          `[ -e "$d/fsid" ] || ceph-osd -i "$id" --mkfs --osd-uuid "$uuid" --setuser ceph --setgroup ceph --bluestore_block_create=true --bluestore_block_size=${osdBytes(osd.size)}`,
          'systemctl enable --now "ceph-osd@$id"',
          'echo "$id" > "$m"',
          'echo "osd.$id ($uuid) in $d"',
        ].join('\n'),
        check: `[ -s ${shq(m)} ] && systemctl is-enabled --quiet "ceph-osd@$(cat ${shq(m)})"`,
        after: mon.name !== node.name ? [{ node: mon.name, step: 'ceph-mgr' }] : undefined,
      });
    });
    ctx.start(node, 'ceph-osd', 'ceph-osd', ctx.units('ceph-osd'), files);
  }
  if (node.services.includes('ceph-mon')) renderPools(ctx, node);
}

function osdBytes(size: string): number {
  const n = parseInt(size, 10);
  return n * (size.endsWith('T') ? 1024 ** 4 : 1024 ** 3);
}

/** On the monitor's node, once every OSD node is done: the pools the cloud's services use and their Ceph users. */
function renderPools(ctx: RenderContext, node: ResolvedNode): void {
  const step = 'ceph-pools';
  const after = ctx
    .hosts('ceph-osd')
    .filter((n) => n.name !== node.name)
    .map((n) => ({ node: n.name, step: 'ceph-osd' }));
  for (const c of cephClients(ctx)) {
    ctx.command(node, {
      id: `${step}/${c.pool}`,
      step,
      service: 'ceph-mon',
      title: `the RBD pool ${c.pool} (${c.purpose})`,
      run: [
        'set -e',
        `ceph osd pool ls | grep -qxF ${c.pool} || ceph osd pool create ${c.pool} 32`,
        // Waits until the pool's placement groups are active (the OSDs are up), then marks it for RBD.
        `timeout 300 rbd pool init ${c.pool}`,
      ].join('\n'),
      check: `ceph osd pool ls detail | grep -q "'${c.pool}' .*application rbd"`,
      after: after.length ? after : undefined,
    });
    // The key is the topology's secret (the service's keyring, and for cinder nova's libvirt secret, hold the
    // same): imported from standard input, never on a command line. Capabilities changed since are set again.
    const importKey = [`printf '[client.${c.user}]\\n\\tkey = %s\\n' "$${c.secret}"`, ...Object.entries(c.caps).map(([k, v]) => `printf '\\tcaps ${k} = "%s"\\n' ${shq(v)}`)];
    ctx.command(node, {
      id: `${step}/client.${c.user}`,
      step,
      service: 'ceph-mon',
      title: `the Ceph user client.${c.user} (RBD on ${[...c.caps.osd!.matchAll(/pool=([^,\s]+)/g)].map((m) => m[1]).join(' and ')})`,
      env: [c.secret],
      run: `{ ${importKey.join('; ')}; } | ceph auth import -i -`,
      check: `[ "$(ceph auth get-key client.${c.user} 2>/dev/null)" = "$${c.secret}" ] && ceph auth get client.${c.user} 2>/dev/null | grep -qF ${shq(`caps osd = "${c.caps.osd}"`)}`,
    });
  }
  // Known, harmless warnings of the row's Ceph: muted (sticky), so that a new warning still shows.
  for (const m of ctx.profile.blockStorage.cephMutedHealth ?? []) {
    ctx.command(node, {
      id: `${step}/mute-${m.code}`,
      step,
      service: 'ceph-mon',
      title: `ceph health mute ${m.code} (known and harmless on ${ctx.profile.title})`,
      run: `ceph health mute ${shq(m.code)} --sticky`,
      check: `ceph health detail -f json | ${ctx.profile.python} -c 'import json, sys; sys.exit(0 if any(x.get("code") == sys.argv[1] for x in json.load(sys.stdin).get("mutes", [])) else 1)' ${shq(m.code)}`,
    });
  }
  ctx.check(node, {
    id: `${step}/verify-health`,
    step,
    service: 'ceph-mon',
    title: 'ceph health',
    // HEALTH_OK once the OSDs are up and the pools' placement groups active (a while after a start).
    run: 'for i in $(seq 1 24); do h=$(ceph health detail); case "$h" in HEALTH_OK*) break;; esac; sleep 5; done; echo "$h"; ceph -s',
    expect: '^HEALTH_OK',
  });
  const osds = osdCount(ctx);
  ctx.check(node, {
    id: `${step}/verify-osds`,
    step,
    service: 'ceph-mon',
    title: `ceph osd stat: ${osds} OSD(s) up and in`,
    run: 'ceph osd stat',
    expect: `^${osds} osds: ${osds} up .*${osds} in`,
  });
}
