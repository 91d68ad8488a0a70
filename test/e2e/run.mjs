// End to end: ostopo deploys the README's cloud onto two real test nodes per target and proves it: OpenStack
// Zed from Debian 12's packages, then OpenStack 2025.1 from Debian 13's (each on its own nodes, addresses
// and testnodes state). Everything goes through the CLI (the extension's engine): validate, deploy,
// verify, a second deploy that changes nothing, a broken node that verify catches, drift that deploy
// shows and --force repairs; and, on the first target, the extension's verify and deploy tasks in a real
// VS Code. Nodes are destroyed at the end, also when a step fails (OSTOPO_E2E_KEEP=1 keeps them).
// The targets run one after the other, not side by side: test nodes share this machine's network, and
// each controller's epmd listens on 127.0.0.1:4369 as on a real host.
//   node test/e2e/run.mjs              (npm run test:e2e; needs root, ../shared/testnodes)
//   OSTOPO_E2E_CLOUDS=2025.1 node test/e2e/run.mjs     one target only (zed, 2025.1)
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vscodeExecutable } from '../../scripts/vscode-host.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = process.env.OSTOPO_SHARED ?? path.join(root, '..', 'shared');
const T = path.join(shared, 'testnodes', 'testnodes');
const cli = path.join(root, 'dist', 'cli.js');
const SECRETS = [
  'ADMIN_PASS',
  'DEMO_PASS',
  'DB_ROOT_PASS',
  'RABBIT_PASS',
  'KEYSTONE_DBPASS',
  'GLANCE_DBPASS',
  'GLANCE_PASS',
  'PLACEMENT_DBPASS',
  'PLACEMENT_PASS',
  'NOVA_DBPASS',
  'NOVA_PASS',
  'NEUTRON_DBPASS',
  'NEUTRON_PASS',
];
const TESTNODES_ROOT = process.env.TESTNODES_ROOT ?? '/var/lib/ostopo-testnodes';

/**
 * The targets: test/e2e/cloud.ostopo.yaml is the Zed cloud; the others are the same topology with their
 * release, OS, node names and addresses. A test node's name is its host name and names its systemd unit
 * on this machine, so each target's nodes have names of their own (a node left by one target never
 * meets the other); each target also has its own testnodes state (the base image of its suite).
 */
const CLOUDS = [
  { id: 'zed', name: 'e2e-zed', release: 'zed', os: 'debian12', suite: 'bookworm', image: 'base', net: '127.0.0', root: TESTNODES_ROOT, controller: 'controller', compute: 'compute1' },
  {
    id: '2025.1',
    name: 'e2e-epoxy',
    release: '2025.1',
    os: 'debian13',
    suite: 'trixie',
    image: 'base-trixie',
    net: '127.0.13',
    root: `${TESTNODES_ROOT}-trixie`,
    controller: 'epoxy-controller',
    compute: 'epoxy-compute1',
  },
].filter((c) => !process.env.OSTOPO_E2E_CLOUDS || process.env.OSTOPO_E2E_CLOUDS.split(',').includes(c.id));

const t0 = Date.now();
const secondsSince = (t) => ((Date.now() - t) / 1000).toFixed(0).padStart(4);

async function runCloud(cloud, { vscode }) {
  const tag = `${cloud.release}/${cloud.os}`;
  const CTL = cloud.controller;
  const CMP = cloud.compute;
  const NODES = [
    [CTL, `${cloud.net}.11`],
    [CMP, `${cloud.net}.31`],
  ];
  const times = [];
  let passed = 0;
  const log = (s) => console.log(`[e2e ${secondsSince(t0)} s ${tag}] ${s}`);
  async function phase(name, fn) {
    const s = Date.now();
    log(`▶ ${name}`);
    try {
      const r = await fn();
      const ms = Date.now() - s;
      times.push([name, ms]);
      log(`✔ ${name} (${(ms / 1000).toFixed(1)} s)`);
      return r;
    } catch (e) {
      times.push([name, Date.now() - s]);
      throw new Error(`${name}: ${e.message}`);
    }
  }
  const expect = (ok, what) => {
    if (!ok) throw new Error(what);
    passed++;
    log(`  ✓ ${what}`);
  };
  const tn = (...a) => execFileSync(T, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TESTNODES_ROOT: cloud.root } }).trim();
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), `ostopo-e2e-${cloud.id}-`));
  /**
   * Runs the ostopo CLI in the workspace; resolves to its exit status and output. Asynchronous, so that a
   * signal to this test is handled at once (the nodes are destroyed) rather than after a long deploy.
   */
  const ostopo = (env, ...args) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [cli, ...args], { cwd: ws, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (code) => {
        fs.appendFileSync(path.join(ws, 'e2e.log'), `\n$ ostopo ${args.join(' ')}\n${out}`);
        resolve({ code, out });
      });
    });
  const destroyNodes = () => {
    if (process.env.OSTOPO_E2E_KEEP) return log(`nodes kept (OSTOPO_E2E_KEEP): TESTNODES_ROOT=${cloud.root}; workspace ${ws}`);
    for (const [name] of NODES) {
      try {
        tn('destroy', name);
      } catch (e) {
        console.error(`could not destroy ${name} (${tag}): ${e.message}`);
      }
    }
  };
  cleanups.push(destroyNodes);

  const env = { ...process.env, NO_COLOR: '1' };
  for (const s of SECRETS) env[`E2E_${s}`] = `E2e-${randomBytes(12).toString('base64url')}`;
  let failed;
  try {
    await phase('test nodes: create and start', () => {
      for (const [name] of NODES) tn('destroy', name);
      tn('build-base', '--suite', cloud.suite);
      for (const [name, ip] of NODES) log(`  ${tn('create', name, ip, '--image', cloud.image)}`);
      for (const [name] of NODES) log(`  ${tn('start', name)}`);
      const zed = fs.readFileSync(path.join(root, 'test', 'e2e', 'cloud.ostopo.yaml'), 'utf8');
      const topology = zed
        .replace(/^name: e2e-zed$/m, `name: ${cloud.name}`)
        .replace(/^release: zed$/m, `release: ${cloud.release}`)
        .replace(/^os: debian12$/m, `os: ${cloud.os}`)
        .replace(/^ {2}controller:$/m, `  ${CTL}:`)
        .replace(/^ {2}compute1:$/m, `  ${CMP}:`)
        .replace(/^ {2}os: .*$/m, `  os: ${process.env.TESTNODES_MIRROR ?? 'http://deb.debian.org/debian'}`)
        .replace(/^ {2}security: .*$/m, `  security: ${process.env.TESTNODES_SECURITY_MIRROR ?? 'http://deb.debian.org/debian-security'}`)
        .replaceAll('127.0.0.11', NODES[0][1])
        .replaceAll('127.0.0.31', NODES[1][1]);
      fs.writeFileSync(path.join(ws, 'cloud.ostopo.yaml'), topology);
      fs.copyFileSync(tn('key'), path.join(ws, 'id_ed25519'));
      fs.chmodSync(path.join(ws, 'id_ed25519'), 0o600);
      fs.writeFileSync(path.join(ws, 'known_hosts'), NODES.map(([n]) => tn('known-hosts', n)).join('\n') + '\n');
    });

    await phase('ostopo validate', async () => {
      const r = await ostopo(env, 'validate', 'cloud.ostopo.yaml');
      expect(r.code === 0, `validate exits 0 (${r.out.trim().split('\n').pop()})`);
    });

    const first = await phase('ostopo deploy (from bare nodes)', async () => {
      const s = Date.now();
      const r = await ostopo(env, 'deploy', 'cloud.ostopo.yaml');
      console.log(
        r.out
          .split('\n')
          .filter((l) => /✖|done:|deployed|failed/.test(l))
          .map((l) => `  ${tag} ${l}`)
          .join('\n'),
      );
      expect(r.code === 0, 'the whole cloud deploys');
      // The topology's repositories are the nodes' only apt sources; the image's own are kept aside.
      for (const [name] of NODES) {
        const seen = tn('ssh', name, 'ls /etc/apt/sources.list.d; grep -h "^URIs:" /etc/apt/sources.list.d/*.sources');
        expect(
          seen.includes('debian.sources.ostopo-disabled') && seen.includes('ostopo.sources') && !/^debian\.sources$/m.test(seen),
          `${name}: apt reads the topology's repositories (ostopo.sources), the image's debian.sources is set aside`,
        );
      }
      return Date.now() - s;
    });

    await phase('ostopo verify', async () => {
      const r = await ostopo(env, 'verify', 'cloud.ostopo.yaml');
      console.log(r.out.trim());
      expect(r.code === 0 && !/FAIL/.test(r.out), 'every check passes or does not apply');
      // Every service the roles place runs, each checked on its node; what a test node cannot run is
      // SKIP with the reason systemd gives, not left out of the cloud.
      for (const [node, units] of [
        [
          CTL,
          [
            'mariadb',
            'rabbitmq-server',
            'memcached',
            'etcd',
            'keystone',
            'glance-api',
            'placement-api',
            'nova-api, nova-scheduler, nova-conductor, nova-novncproxy',
            'neutron-api, neutron-rpc-server',
          ],
        ],
        [CMP, ['nova-compute']],
      ]) {
        for (const u of units) expect(new RegExp(`^\\[${node}\\] ✔ PASS ${u} running on ${node} `, 'm').test(r.out), `PASS ${u} running on ${node}`);
        expect(
          new RegExp(`^\\[${node}\\] ⊘ SKIP chrony running on ${node} — chrony(\\.service)?: ConditionCapability=CAP_SYS_TIME was not met$`, 'm').test(r.out),
          `chrony on ${node}: SKIP, CAP_SYS_TIME not met (a test node cannot set the clock)`,
        );
      }
      for (const c of [
        'openstack token issue (admin)',
        'openstack token issue (demo)',
        'openstack catalog list has identity, image, placement, compute, network',
        'openstack compute service list',
        'openstack hypervisor list',
        'placement-status upgrade check',
        'nova-status upgrade check',
        'upload an image (active), then delete it',
        'launch a test server (image, flavor, server ACTIVE, delete)',
        `noVNC console page http://${NODES[0][1]}:6080/vnc_auto.html`,
        'etcd answers on 2379',
      ])
        expect(r.out.includes(`PASS ${c}`), `PASS ${c}`);
      // verify leaves nothing behind in the cloud.
      const left = tn('ssh', CTL, '. /root/admin-openrc; for what in server image flavor; do openstack $what list -f value -c Name; done | grep ostopo-verify || true');
      expect(left === '', `verify left no server, image or flavor behind${left ? ` (left: ${left})` : ''}`);
    });

    if (vscode)
      await phase('VS Code: the verify and deploy tasks of the extension against this cloud', async () => {
        // VSCODE_EXECUTABLE_PATH, or the project's VS Code test host (installed on first use)
        const child = spawn(process.execPath, [path.join(root, 'out', 'test', 'integration', 'runTest.js')], {
          env: { ...env, VSCODE_EXECUTABLE_PATH: vscodeExecutable(), OSTOPO_INTEGRATION_SUITE: 'cloud', OSTOPO_INTEGRATION_WORKSPACE: ws, OSTOPO_INTEGRATION_NODES: `${CTL},${CMP}` },
          stdio: 'inherit',
        });
        const status = await new Promise((resolve) => child.on('close', resolve));
        expect(status === 0, 'the extension verifies and re-deploys the cloud in a real VS Code');
      });

    await phase('ostopo deploy again (converged: nothing changes)', async () => {
      const s = Date.now();
      const r = await ostopo(env, 'deploy', 'cloud.ostopo.yaml');
      const ms = Date.now() - s;
      expect(r.code === 0 && /0 change\(s\)/.test(r.out.split('\n').filter(Boolean).pop()), `no change (${r.out.trim().split('\n').pop()})`);
      log(`  first deploy ${(first / 1000).toFixed(1)} s, second ${(ms / 1000).toFixed(1)} s: ${((100 * ms) / first).toFixed(1)} % of the first`);
    });

    await phase('break a node on purpose, see verify fail, see the drift, repair with --force', async () => {
      // memcached listening elsewhere: the file ostopo wrote is edited by hand and the service restarted.
      const ip = NODES[0][1].replaceAll('.', '\\.');
      tn('ssh', CTL, `sed -i 's/^-l ${ip}$/-l 127.0.0.1/' /etc/memcached.conf && systemctl restart memcached`);
      let r = await ostopo(env, 'verify', 'cloud.ostopo.yaml', '--node', CTL);
      const failedChecks = r.out.split('\n').filter((l) => l.includes('FAIL'));
      expect(
        r.code === 1 && failedChecks.length === 1 && failedChecks[0].includes(`memcached listens on ${NODES[0][1]}:11211`),
        `verify fails on the memcached check only (${failedChecks.join('; ')})`,
      );
      r = await ostopo(env, 'deploy', 'cloud.ostopo.yaml');
      expect(
        r.code === 1 &&
          /\/etc\/memcached\.conf: changed on the node since ostopo wrote it \(drift\)/.test(r.out) &&
          /^\s+--l 127\.0\.0\.1$/m.test(r.out) &&
          new RegExp(`^\\s+\\+-l ${ip}$`, 'm').test(r.out),
        'deploy refuses the drifted file and shows the diff',
      );
      expect(tn('ssh', CTL, 'grep -c "^-l 127.0.0.1$" /etc/memcached.conf') === '1', 'the edited file is kept');
      r = await ostopo(env, 'deploy', 'cloud.ostopo.yaml', '--force');
      expect(r.code === 0 && /write \/etc\/memcached\.conf/.test(r.out) && /enable and start memcached/.test(r.out), 'deploy --force rewrites it and restarts memcached');
      expect(tn('ssh', CTL, 'grep -c "^-l 127.0.0.1$" /etc/memcached.conf.ostopo.bak') === '1', 'the edited file is the backup');
      r = await ostopo(env, 'verify', 'cloud.ostopo.yaml');
      expect(r.code === 0, 'verify passes again');
    });

    await phase('no secret in anything ostopo printed or kept', () => {
      const texts = [fs.readFileSync(path.join(ws, 'e2e.log'), 'utf8'), fs.readFileSync(path.join(ws, '.ostopo', cloud.name, 'journal.json'), 'utf8')];
      const leaked = SECRETS.filter((s) => texts.some((t) => t.includes(env[`E2E_${s}`])));
      expect(leaked.length === 0, `no secret value in the CLI output or the journal${leaked.length ? ` (leaked: ${leaked.join(', ')})` : ''}`);
    });
  } catch (e) {
    failed = e;
    console.error(`\n✖ ${tag}: ${e.message}\n  workspace and logs: ${ws}/e2e.log`);
    for (const [name] of NODES) {
      try {
        console.error(`--- ${tag} ${name}: failed units\n${tn('ssh', name, 'systemctl --failed --no-legend || true')}`);
      } catch {
        /* node not reachable */
      }
    }
  } finally {
    await phase('test nodes: destroy', destroyNodes).catch((e) => console.error(e.message));
  }
  return { tag, times, passed, failed };
}

const cleanups = [];
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping; destroying the test nodes`);
    for (const c of cleanups) c();
    process.exit(130);
  });
}

const runs = [];
for (const [i, cloud] of CLOUDS.entries()) runs.push(await runCloud(cloud, { vscode: i === 0 }));
for (const r of runs) {
  console.log(`\nphase times, ${r.tag}:`);
  for (const [name, ms] of r.times) console.log(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${name}`);
}
console.log(`  ${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s  total`);
const failures = runs.filter((r) => r.failed);
console.log(`e2e: ${runs.reduce((n, r) => n + r.passed, 0)} passed, ${failures.length} failed${failures.map((r) => ` (${r.tag}: ${r.failed.message})`).join('')}`);
process.exit(failures.length ? 1 : 0);
