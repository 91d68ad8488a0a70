// Deploy speed: the same small step list (files and commands) to 1 and to 10 test hosts (real Debian 12
// nodes of ../shared/testnodes on loopback addresses); prints the 10:1 time ratio (goal <= 1.5: nodes
// run in parallel) and a no-op re-deploy against the first deploy (goal <= 10 %).
// Usage: npm run pretest && node bench/deploy.mjs   (root; the nodes are created and destroyed here)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
import { execFileSync } from 'node:child_process';
const { deploy } = require(path.join(root, 'out/src/core/deploy/engine.js'));
const { Journal } = require(path.join(root, 'out/src/core/deploy/journal.js'));
const { SshRemote } = require(path.join(root, 'out/src/core/deploy/remote.js'));
const { resolveSshTarget } = require(path.join(root, 'out/src/core/deploy/sshConfig.js'));

/** Per host: 4 config files and 4 commands of half a second each (package-install-like work), in 2 steps. */
function steps(dir) {
  const out = [];
  for (const step of ['base', 'service']) {
    for (let i = 0; i < 2; i++) {
      out.push({
        kind: 'file',
        id: `${step}/f${i}`,
        step,
        service: 'base',
        path: `${dir}/${step}/file${i}.conf`,
        owner: 'root',
        group: 'root',
        mode: '0644',
        language: 'ini',
        content: `[s]\nkey${i} = value ${step}\n`,
        description: 'bench file',
      });
      out.push({
        kind: 'command',
        id: `${step}/c${i}`,
        step,
        service: 'base',
        title: `work ${step} ${i}`,
        run: `sleep 0.5; touch '${dir}/${step}-c${i}.done'`,
        check: `test -e '${dir}/${step}-c${i}.done'`,
      });
    }
  }
  return out;
}

const T = path.join(process.env.OSTOPO_SHARED ?? path.join(root, '..', 'shared'), 'testnodes', 'testnodes');
const tn = (...a) => execFileSync(T, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

async function run(hosts, work, label) {
  const nodes = hosts.map((h) => ({
    name: h.name,
    address: h.ip,
    roles: [],
    services: [],
    ssh: { user: 'root', port: 22, identityFile: tn('key'), knownHostsFile: h.knownHosts },
    config: {},
  }));
  const target = {
    nodes,
    secrets: new Map(),
    render: () => ({ name: label, profile: 'bench', profileTitle: 'bench', nodes: nodes.map((n) => ({ name: n.name, address: n.address, artifacts: steps(path.join(work, n.name)) })) }),
  };
  const state = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-bench-state-')), '.ostopo');
  const kh = path.join(state, 'known_hosts');
  const connect = (n) => SshRemote.connect(resolveSshTarget(n, { projectKnownHosts: kh, sshBinary: null }), { projectKnownHosts: kh });
  const once = async () => {
    const t = process.hrtime.bigint();
    const r = await deploy({ target, journal: Journal.open(state, label), connect, onEvent: () => undefined });
    if (!r.ok) throw new Error(`${label} deploy failed: ${JSON.stringify(r.nodes)}`);
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, changed: r.changed };
  };
  const first = await once();
  const again = await once();
  return { first, again };
}

const hosts = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-bench-deploy-'));
try {
  tn('build-base');
  for (let i = 1; i <= 10; i++) {
    const name = `bench${i}`;
    const ip = `127.0.0.${100 + i}`;
    tn('destroy', name);
    tn('create', name, ip);
    tn('start', name);
    const knownHosts = path.join(work, `${name}.known_hosts`);
    fs.writeFileSync(knownHosts, tn('known-hosts', name) + '\n');
    hosts.push({ name, ip, knownHosts });
  }
  const one = await run(hosts.slice(0, 1), '/root/ostopo-bench-one', 'one');
  const ten = await run(hosts, '/root/ostopo-bench-ten', 'ten');
  const f = (x) => `${(x / 1000).toFixed(2)} s`;
  console.log('hosts | first deploy | changes | no-op re-deploy | re-deploy / first');
  for (const [n, r] of [
    [1, one],
    [10, ten],
  ])
    console.log(
      `${String(n).padStart(5)} | ${f(r.first.ms).padStart(12)} | ${String(r.first.changed).padStart(7)} | ${f(r.again.ms).padStart(15)} | ${((100 * r.again.ms) / r.first.ms).toFixed(1)} %`,
    );
  const ratio = ten.first.ms / one.first.ms;
  console.log(`${ratio <= 1.5 ? 'within' : 'OVER  '} goal: 10 hosts / 1 host = ${ratio.toFixed(2)} (goal <= 1.5)`);
  const noop = Math.max(one.again.ms / one.first.ms, ten.again.ms / ten.first.ms);
  console.log(`${noop <= 0.1 ? 'within' : 'OVER  '} goal: no-op re-deploy / first = ${(100 * noop).toFixed(1)} % (goal <= 10 %)`);
} finally {
  for (const h of hosts) tn('destroy', h.name);
  fs.rmSync(work, { recursive: true, force: true });
}
