// End to end: ostopo deploys OpenStack Zed from Debian 12's packages onto two real test nodes and proves
// it. Everything goes through the CLI (the extension's engine): validate, deploy, verify, a second deploy
// that changes nothing, a broken node that verify catches, drift that deploy shows and --force repairs;
// and the extension's verify task in a real VS Code against the same cloud. Nodes are destroyed at the
// end, also when a step fails (OSTOPO_E2E_KEEP=1 keeps them for a look).
//   node test/e2e/run.mjs            (npm run test:e2e; needs root, ../shared/testnodes)
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
const NODES = [
  ['controller', '127.0.0.11'],
  ['compute1', '127.0.0.31'],
];
const SECRETS = ['ADMIN_PASS', 'DEMO_PASS', 'DB_ROOT_PASS', 'RABBIT_PASS', 'KEYSTONE_DBPASS', 'GLANCE_DBPASS', 'GLANCE_PASS', 'PLACEMENT_DBPASS', 'PLACEMENT_PASS', 'NOVA_DBPASS', 'NOVA_PASS', 'NEUTRON_DBPASS', 'NEUTRON_PASS'];

const t0 = Date.now();
const times = [];
const results = [];
const log = (s) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);
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
  results.push(ok);
  if (!ok) throw new Error(what);
  log(`  ✓ ${what}`);
};

/**
 * Runs the ostopo CLI in the workspace; resolves to its exit status and output. Asynchronous, so that a
 * signal to this test is handled at once (the nodes are destroyed) rather than after a long deploy.
 */
function ostopo(ws, env, ...args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: ws, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      fs.appendFileSync(path.join(ws, 'e2e.log'), `\n$ ostopo ${args.join(' ')}\n${out}`);
      resolve({ code, out });
    });
  });
}

const tn = (...a) => execFileSync(T, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-e2e-'));

/** Destroys the nodes (unless OSTOPO_E2E_KEEP): at the end, on failure, and on Ctrl+C or kill. */
function destroyNodes() {
  if (process.env.OSTOPO_E2E_KEEP) return log(`nodes kept (OSTOPO_E2E_KEEP): ${NODES.map(([n]) => n).join(', ')}; workspace ${ws}`);
  for (const [name] of NODES) {
    try {
      tn('destroy', name);
    } catch (e) {
      console.error(`could not destroy ${name}: ${e.message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping; destroying the test nodes`);
    destroyNodes();
    process.exit(130);
  });
}

const env = { ...process.env, NO_COLOR: '1' };
for (const s of SECRETS) env[`E2E_${s}`] = `E2e-${randomBytes(12).toString('base64url')}`;
let failed;
try {
  await phase('test nodes: create and start', () => {
    for (const [name] of NODES) tn('destroy', name);
    tn('build-base');
    for (const [name, ip] of NODES) log(`  ${tn('create', name, ip)}`);
    for (const [name] of NODES) log(`  ${tn('start', name)}`);
    fs.copyFileSync(path.join(root, 'test', 'e2e', 'cloud.ostopo.yaml'), path.join(ws, 'cloud.ostopo.yaml'));
    fs.copyFileSync(tn('key'), path.join(ws, 'id_ed25519'));
    fs.chmodSync(path.join(ws, 'id_ed25519'), 0o600);
    fs.writeFileSync(path.join(ws, 'known_hosts'), NODES.map(([n]) => tn('known-hosts', n)).join('\n') + '\n');
  });

  await phase('ostopo validate', async () => {
    const r = await ostopo(ws, env, 'validate', 'cloud.ostopo.yaml');
    expect(r.code === 0, `validate exits 0 (${r.out.trim().split('\n').pop()})`);
  });

  const first = await phase('ostopo deploy (from bare nodes)', async () => {
    const s = Date.now();
    const r = await ostopo(ws, env, 'deploy', 'cloud.ostopo.yaml');
    console.log(r.out.split('\n').filter((l) => /✖|done:|deployed|failed/.test(l)).join('\n'));
    expect(r.code === 0, 'the whole cloud deploys');
    return Date.now() - s;
  });

  await phase('ostopo verify', async () => {
    const r = await ostopo(ws, env, 'verify', 'cloud.ostopo.yaml');
    console.log(r.out.trim());
    expect(r.code === 0 && !/FAIL/.test(r.out), 'every check passes or does not apply');
    // Every service the roles place runs, each checked on its node; what a test node cannot run is
    // SKIP with the reason systemd gives, not left out of the cloud.
    for (const [node, units] of [
      ['controller', ['mariadb', 'rabbitmq-server', 'memcached', 'etcd', 'keystone', 'glance-api', 'placement-api', 'nova-api, nova-scheduler, nova-conductor, nova-novncproxy', 'neutron-api, neutron-rpc-server']],
      ['compute1', ['nova-compute']],
    ]) {
      for (const u of units) expect(new RegExp(`^\\[${node}\\] ✔ PASS ${u} running on ${node} `, 'm').test(r.out), `PASS ${u} running on ${node}`);
      expect(new RegExp(`^\\[${node}\\] ⊘ SKIP chrony running on ${node} — chrony(\\.service)?: ConditionCapability=CAP_SYS_TIME was not met$`, 'm').test(r.out), `chrony on ${node}: SKIP, CAP_SYS_TIME not met (a test node cannot set the clock)`);
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
      'noVNC console page http://127.0.0.11:6080/vnc_auto.html',
      'etcd answers on 2379',
    ]) expect(r.out.includes(`PASS ${c}`), `PASS ${c}`);
    // verify leaves nothing behind in the cloud.
    const left = tn('ssh', 'controller', '. /root/admin-openrc; for what in server image flavor; do openstack $what list -f value -c Name; done | grep ostopo-verify || true');
    expect(left === '', `verify left no server, image or flavor behind${left ? ` (left: ${left})` : ''}`);
  });

  await phase('VS Code: the verify and deploy tasks of the extension against this cloud', async () => {
    // VSCODE_EXECUTABLE_PATH, or the project's VS Code test host (installed on first use)
    const child = spawn(process.execPath, [path.join(root, 'out', 'test', 'integration', 'runTest.js')], {
      env: { ...env, VSCODE_EXECUTABLE_PATH: vscodeExecutable(), OSTOPO_INTEGRATION_SUITE: 'cloud', OSTOPO_INTEGRATION_WORKSPACE: ws },
      stdio: 'inherit',
    });
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(status === 0, 'the extension verifies and re-deploys the cloud in a real VS Code');
  });

  await phase('ostopo deploy again (converged: nothing changes)', async () => {
    const s = Date.now();
    const r = await ostopo(ws, env, 'deploy', 'cloud.ostopo.yaml');
    const ms = Date.now() - s;
    expect(r.code === 0 && /0 change\(s\)/.test(r.out.split('\n').filter(Boolean).pop()), `no change (${r.out.trim().split('\n').pop()})`);
    log(`  first deploy ${(first / 1000).toFixed(1)} s, second ${(ms / 1000).toFixed(1)} s: ${((100 * ms) / first).toFixed(1)} % of the first`);
  });

  await phase('break a node on purpose, see verify fail, see the drift, repair with --force', async () => {
    // memcached listening elsewhere: the file ostopo wrote is edited by hand and the service restarted.
    tn('ssh', 'controller', "sed -i 's/^-l 127.0.0.11$/-l 127.0.0.1/' /etc/memcached.conf && systemctl restart memcached");
    let r = await ostopo(ws, env, 'verify', 'cloud.ostopo.yaml', '--node', 'controller');
    const failedChecks = r.out.split('\n').filter((l) => l.includes('FAIL'));
    expect(r.code === 1 && failedChecks.length === 1 && failedChecks[0].includes('memcached listens on 127.0.0.11:11211'), `verify fails on the memcached check only (${failedChecks.join('; ')})`);
    r = await ostopo(ws, env, 'deploy', 'cloud.ostopo.yaml');
    expect(r.code === 1 && /\/etc\/memcached\.conf: changed on the node since ostopo wrote it \(drift\)/.test(r.out) && /^\s+--l 127\.0\.0\.1$/m.test(r.out) && /^\s+\+-l 127\.0\.0\.11$/m.test(r.out), 'deploy refuses the drifted file and shows the diff');
    expect(tn('ssh', 'controller', 'grep -c "^-l 127.0.0.1$" /etc/memcached.conf') === '1', 'the edited file is kept');
    r = await ostopo(ws, env, 'deploy', 'cloud.ostopo.yaml', '--force');
    expect(r.code === 0 && /write \/etc\/memcached\.conf/.test(r.out) && /enable and start memcached/.test(r.out), 'deploy --force rewrites it and restarts memcached');
    expect(tn('ssh', 'controller', 'grep -c "^-l 127.0.0.1$" /etc/memcached.conf.ostopo.bak') === '1', 'the edited file is the backup');
    r = await ostopo(ws, env, 'verify', 'cloud.ostopo.yaml');
    expect(r.code === 0, 'verify passes again');
  });
  await phase('no secret in anything ostopo printed or kept', () => {
    const texts = [fs.readFileSync(path.join(ws, 'e2e.log'), 'utf8'), fs.readFileSync(path.join(ws, '.ostopo', 'e2e-zed', 'journal.json'), 'utf8')];
    const leaked = SECRETS.filter((s) => texts.some((t) => t.includes(env[`E2E_${s}`])));
    expect(leaked.length === 0, `no secret value in the CLI output or the journal${leaked.length ? ` (leaked: ${leaked.join(', ')})` : ''}`);
  });
} catch (e) {
  failed = e;
  console.error(`\n✖ ${e.message}\n  workspace and logs: ${ws}/e2e.log`);
  for (const [name] of NODES) {
    try {
      console.error(`--- ${name}: failed units\n${tn('ssh', name, 'systemctl --failed --no-legend || true')}`);
    } catch {
      /* node not reachable */
    }
  }
} finally {
  await phase('test nodes: destroy', destroyNodes).catch((e) => console.error(e.message));
}
console.log('\nphase times:');
for (const [name, ms] of times) console.log(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${name}`);
console.log(`  ${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s  total`);
const bad = failed ? 1 : 0;
console.log(`e2e: ${results.filter(Boolean).length} passed, ${bad} failed`);
process.exit(bad);
