// End to end: ostopo deploys OpenStack Zed from Debian 12's packages onto two real test nodes and proves
// it. Everything goes through the CLI (the extension's engine): validate, deploy, verify, a second deploy
// that changes nothing, a broken node that verify catches, drift that deploy shows and --force repairs;
// and the extension's verify task in a real VS Code against the same cloud. Nodes are destroyed at the
// end, also when a step fails (OSTOPO_E2E_KEEP=1 keeps them for a look).
//   node test/e2e/run.mjs            (npm run test:e2e; needs root, ../shared/testnodes)
import { execFileSync, spawnSync } from 'node:child_process';
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

/** Runs the ostopo CLI in the workspace; returns exit status and output (shown as it comes when long). */
function ostopo(ws, env, ...args) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: ws, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const out = `${r.stdout}${r.stderr}`;
  fs.appendFileSync(path.join(ws, 'e2e.log'), `\n$ ostopo ${args.join(' ')}\n${out}`);
  return { code: r.status, out };
}

const tn = (...a) => execFileSync(T, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-e2e-'));
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

  await phase('ostopo validate', () => {
    const r = ostopo(ws, env, 'validate', 'cloud.ostopo.yaml');
    expect(r.code === 0, `validate exits 0 (${r.out.trim().split('\n').pop()})`);
  });

  const first = await phase('ostopo deploy (from bare nodes)', () => {
    const s = Date.now();
    const r = ostopo(ws, env, 'deploy', 'cloud.ostopo.yaml');
    console.log(r.out.split('\n').filter((l) => /✖|done:|deployed|failed/.test(l)).join('\n'));
    expect(r.code === 0, 'the whole cloud deploys');
    return Date.now() - s;
  });

  await phase('ostopo verify', () => {
    const r = ostopo(ws, env, 'verify', 'cloud.ostopo.yaml');
    console.log(r.out.trim());
    expect(r.code === 0 && !/FAIL/.test(r.out), 'every check passes');
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
    ]) expect(r.out.includes(`PASS ${c}`), `PASS ${c}`);
  });

  await phase('VS Code: the verify and deploy tasks of the extension against this cloud', () => {
    // VSCODE_EXECUTABLE_PATH, or the project's VS Code test host (installed on first use)
    const r = spawnSync(process.execPath, [path.join(root, 'out', 'test', 'integration', 'runTest.js')], {
      env: { ...env, VSCODE_EXECUTABLE_PATH: vscodeExecutable(), OSTOPO_INTEGRATION_SUITE: 'cloud', OSTOPO_INTEGRATION_WORKSPACE: ws },
      stdio: 'inherit',
    });
    expect(r.status === 0, 'the extension verifies and re-deploys the cloud in a real VS Code');
  });

  await phase('ostopo deploy again (converged: nothing changes)', () => {
    const s = Date.now();
    const r = ostopo(ws, env, 'deploy', 'cloud.ostopo.yaml');
    const ms = Date.now() - s;
    expect(r.code === 0 && /0 change\(s\)/.test(r.out.split('\n').filter(Boolean).pop()), `no change (${r.out.trim().split('\n').pop()})`);
    log(`  first deploy ${(first / 1000).toFixed(1)} s, second ${(ms / 1000).toFixed(1)} s: ${((100 * ms) / first).toFixed(1)} % of the first`);
  });

  await phase('break a node on purpose, see verify fail, see the drift, repair with --force', () => {
    // memcached listening elsewhere: the file ostopo wrote is edited by hand and the service restarted.
    tn('ssh', 'controller', "sed -i 's/^-l 127.0.0.11$/-l 127.0.0.1/' /etc/memcached.conf && systemctl restart memcached");
    let r = ostopo(ws, env, 'verify', 'cloud.ostopo.yaml', '--node', 'controller');
    const failedChecks = r.out.split('\n').filter((l) => l.includes('FAIL'));
    expect(r.code === 1 && failedChecks.length === 1 && failedChecks[0].includes('memcached listens on 127.0.0.11:11211'), `verify fails on the memcached check only (${failedChecks.join('; ')})`);
    r = ostopo(ws, env, 'deploy', 'cloud.ostopo.yaml');
    expect(r.code === 1 && /\/etc\/memcached\.conf: changed on the node since ostopo wrote it \(drift\)/.test(r.out) && /^\s+--l 127\.0\.0\.1$/m.test(r.out) && /^\s+\+-l 127\.0\.0\.11$/m.test(r.out), 'deploy refuses the drifted file and shows the diff');
    expect(tn('ssh', 'controller', 'grep -c "^-l 127.0.0.1$" /etc/memcached.conf') === '1', 'the edited file is kept');
    r = ostopo(ws, env, 'deploy', 'cloud.ostopo.yaml', '--force');
    expect(r.code === 0 && /write \/etc\/memcached\.conf/.test(r.out) && /enable and start memcached/.test(r.out), 'deploy --force rewrites it and restarts memcached');
    expect(tn('ssh', 'controller', 'grep -c "^-l 127.0.0.1$" /etc/memcached.conf.ostopo.bak') === '1', 'the edited file is the backup');
    r = ostopo(ws, env, 'verify', 'cloud.ostopo.yaml');
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
  if (process.env.OSTOPO_E2E_KEEP) log(`nodes kept (OSTOPO_E2E_KEEP): ${NODES.map(([n]) => n).join(', ')}; workspace ${ws}`);
  else {
    await phase('test nodes: destroy', () => {
      for (const [name] of NODES) tn('destroy', name);
    }).catch((e) => console.error(e.message));
  }
}
console.log('\nphase times:');
for (const [name, ms] of times) console.log(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${name}`);
console.log(`  ${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s  total`);
const bad = failed ? 1 : 0;
console.log(`e2e: ${results.filter(Boolean).length} passed, ${bad} failed`);
process.exit(bad);
