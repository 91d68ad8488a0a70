// Deploy speed: the same small step list (files and commands) to 1 and to 10 test hosts (real Debian 12
// nodes of ../shared/testnodes on loopback addresses), by ostopo and by Ansible (Debian's ansible-core,
// `ansible-playbook -f N` at its fastest settings: pipelining, SSH multiplexing, no fact gathering; files
// with `copy`, commands with `creates`) in the same run on the same nodes. Prints the 10:1 time ratio
// (goal <= 1.3: nodes run in parallel), a no-op re-deploy against the first deploy (goal <= 10 %), ostopo
// against Ansible (goal: faster, first deploy and no-op re-run both), and the client's CPU time and memory
// per node (a cloud of hundreds of nodes is deployed from one workstation), and the CPU each node spent on
// it (its sshd, shells and commands: the nodes share this machine's cores). OSTOPO_BENCH_FLEET=100 adds a
// fleet of 100 nodes (about 50 MB of memory each; goal: 100 hosts / 10 hosts <= 3).
// Usage: npm run pretest && node bench/deploy.mjs   (root; the nodes are created and destroyed here;
// ansible-core is installed with apt-get when missing)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
import { execFile, execFileSync, spawnSync } from 'node:child_process';
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

/**
 * CPU time the test nodes have used (ms, all of them: sshd, shells, commands), from their cgroups (a
 * testnodes node is the cgroup testnodes/NAME; under cgroup v1 the v2 tree is at unified/). NaN when not there.
 */
function nodesCpuMs(hosts) {
  let us = 0;
  for (const h of hosts) {
    const f = ['/sys/fs/cgroup/unified/testnodes', '/sys/fs/cgroup/testnodes'].map((d) => `${d}/${h.name}/cpu.stat`).find((x) => fs.existsSync(x));
    if (!f) return NaN;
    us += Number(/^usage_usec (\d+)/m.exec(fs.readFileSync(f, 'utf8'))?.[1] ?? NaN);
  }
  return us / 1000;
}

/** ostopo's deploy of the step list to these hosts, then again (a no-op); with the client's CPU and peak memory. */
async function ostopo(hosts, work, label) {
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
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const cpu0 = process.cpuUsage();
    const node0 = nodesCpuMs(hosts);
    const t = process.hrtime.bigint();
    const r = await deploy({ target, journal: Journal.open(state, label), connect, onEvent: () => undefined });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    if (!r.ok) throw new Error(`${label} deploy failed: ${JSON.stringify(r.nodes)}`);
    return { ms, changed: r.changed, cpuMs: (cpu.user + cpu.system) / 1000, memMb: (peak - rss0) / 1e6, nodeCpuMs: nodesCpuMs(hosts) - node0 };
  };
  const first = await once();
  const again = await once();
  fs.rmSync(path.dirname(state), { recursive: true, force: true });
  return { first, again };
}

/** The same step list as an Ansible playbook: a folder per step, its files with `copy`, its commands with `creates`. */
function playbook(work) {
  const tasks = [];
  for (const step of ['base', 'service']) {
    const dir = `${work}/{{ inventory_hostname }}/${step}`;
    tasks.push({ name: `${step} folder`, file: { path: dir, state: 'directory', mode: '0755' } });
    for (let i = 0; i < 2; i++) {
      tasks.push({ name: `${step} file${i}`, copy: { dest: `${dir}/file${i}.conf`, content: `[s]\nkey${i} = value ${step}\n`, owner: 'root', group: 'root', mode: '0644' } });
      const done = `${work}/{{ inventory_hostname }}/${step}-c${i}.done`;
      tasks.push({ name: `work ${step} ${i}`, command: { cmd: `sh -c 'sleep 0.5; touch ${done}'`, creates: done } });
    }
  }
  // JSON is YAML: the playbook needs no YAML writer.
  return JSON.stringify([{ hosts: 'all', gather_facts: false, tasks }], null, 1);
}

/** `ansible-playbook -f N` of that playbook against the same hosts, then again (a no-op); CPU and peak memory of its process tree. */
function ansible(hosts, work, dir) {
  fs.mkdirSync(dir, { recursive: true });
  const known = path.join(dir, 'known_hosts');
  fs.writeFileSync(known, hosts.map((h) => fs.readFileSync(h.knownHosts, 'utf8')).join(''));
  const inventory = path.join(dir, 'hosts.ini');
  fs.writeFileSync(inventory, ['[all]', ...hosts.map((h) => `${h.name} ansible_host=${h.ip} ansible_user=root ansible_ssh_private_key_file=${tn('key')}`)].join('\n') + '\n');
  const book = path.join(dir, 'playbook.yml');
  fs.writeFileSync(book, playbook(work));
  const env = {
    ...process.env,
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_SSH_ARGS: `-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${known} -o StrictHostKeyChecking=yes -F /dev/null`,
    ANSIBLE_SSH_CONTROL_PATH_DIR: path.join(dir, 'cp'),
    ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'),
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
  };
  const once = () => {
    const node0 = nodesCpuMs(hosts);
    const t = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', 'OSTOPO_TIME %U %S %M', 'ansible-playbook', '-f', String(Math.max(hosts.length, 5)), '-i', inventory, book], {
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`ansible-playbook failed (${r.status}):\n${(r.stdout + r.stderr).split('\n').slice(-30).join('\n')}`);
    const recap = [...r.stdout.matchAll(/changed=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    const tm = /OSTOPO_TIME ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
    return { ms, changed: recap, cpuMs: tm ? (Number(tm[1]) + Number(tm[2])) * 1000 : NaN, memMb: tm ? Number(tm[3]) / 1000 : NaN, nodeCpuMs: nodesCpuMs(hosts) - node0 };
  };
  const first = once();
  const again = once();
  return { first, again };
}

function ensureAnsible() {
  if (spawnSync('ansible-playbook', ['--version']).status === 0) return;
  console.log('installing ansible-core (Debian) for the side-by-side');
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', 'ansible-core'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

const fleet = Number(process.env.OSTOPO_BENCH_FLEET ?? 0);
const sizes = [1, 10, ...(fleet > 10 ? [fleet] : [])];
// Each test node is a booted systemd: about 5 inotify instances of this user's (root's), whose limit is
// often 128 (some 20 nodes). Say so before creating any, rather than fail half way.
const inotify = Number(fs.readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8'));
if (inotify < sizes.at(-1) * 6 + 32) {
  console.error(`${sizes.at(-1)} test nodes need fs.inotify.max_user_instances >= ${sizes.at(-1) * 6 + 32} (it is ${inotify}): sysctl -w fs.inotify.max_user_instances=${sizes.at(-1) * 6 + 32}`);
  process.exit(2);
}
const hosts = [];
/** Every node created, for the cleanup (also those of a batch that did not start). */
const made = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-bench-deploy-'));
try {
  ensureAnsible();
  tn('build-base');
  const created = async (i) => {
    const name = `bench${i}`;
    const ip = `127.0.${1 + Math.floor(i / 200)}.${(i % 200) + 20}`;
    tn('destroy', name);
    made.push(name);
    tn('create', name, ip);
    await new Promise((resolve, reject) => execFile(T, ['start', name], (e) => (e ? reject(e) : resolve())));
    const knownHosts = path.join(work, `${name}.known_hosts`);
    fs.writeFileSync(knownHosts, tn('known-hosts', name) + '\n');
    return { name, ip, knownHosts };
  };
  // Created one by one, started ten at a time.
  for (let i = 1; i <= sizes.at(-1); i += 10) hosts.push(...(await Promise.all(Array.from({ length: Math.min(10, sizes.at(-1) - i + 1) }, (_, k) => created(i + k)))));
  const results = [];
  for (const n of sizes) {
    const ours = await ostopo(hosts.slice(0, n), `/root/ostopo-bench-${n}`, `hosts${n}`);
    const theirs = ansible(hosts.slice(0, n), `/root/ansible-bench-${n}`, path.join(work, `ansible-${n}`));
    results.push({ n, ours, theirs });
  }
  const f = (x) => `${(x / 1000).toFixed(2)} s`;
  // Memory: ostopo's is what its process grew by during the deploy (one process does it all); Ansible's is
  // the peak of its largest process (each of its -f forks is a Python process of its own, about that size).
  // Node CPU: what the deploy cost each node (sshd, shells, the commands): the nodes share this machine's cores with the client.
  console.log('hosts | tool    | first deploy | changes | no-op re-run | re-run / first | client CPU per host | node CPU per host | client memory');
  for (const { n, ours, theirs } of results)
    for (const [tool, r] of [
      ['ostopo', ours],
      ['ansible', theirs],
    ])
      console.log(
        `${String(n).padStart(5)} | ${tool.padEnd(7)} | ${f(r.first.ms).padStart(12)} | ${String(r.first.changed).padStart(7)} | ${f(r.again.ms).padStart(12)} | ${((100 * r.again.ms) / r.first.ms).toFixed(1).padStart(12)} % | ${(r.first.cpuMs / n).toFixed(0).padStart(16)} ms | ${(r.first.nodeCpuMs / n).toFixed(0).padStart(14)} ms | ${tool === 'ostopo' ? `+${r.first.memMb.toFixed(1)} MB for all hosts` : `${r.first.memMb.toFixed(0)} MB per fork (${n} at once)`}`,
      );
  const by = Object.fromEntries(results.map((r) => [r.n, r]));
  const goal = (ok, what) => console.log(`${ok ? 'within' : 'OVER  '} goal: ${what}`);
  const ratio = by[10].ours.first.ms / by[1].ours.first.ms;
  goal(ratio <= 1.3, `10 hosts / 1 host = ${ratio.toFixed(2)} (goal <= 1.3)`);
  if (by[fleet]) {
    const r = by[fleet].ours.first.ms / by[10].ours.first.ms;
    goal(r <= 3, `${fleet} hosts / 10 hosts = ${r.toFixed(2)} (goal <= 3)`);
  }
  const noop = Math.max(...results.map((r) => r.ours.again.ms / r.ours.first.ms));
  goal(noop <= 0.1, `no-op re-deploy / first = ${(100 * noop).toFixed(1)} % (goal <= 10 %)`);
  for (const { n, ours, theirs } of results) {
    goal(ours.first.ms < theirs.first.ms, `${n} host(s), first deploy: ostopo / Ansible = ${(ours.first.ms / theirs.first.ms).toFixed(2)} (goal < 1)`);
    goal(ours.again.ms < theirs.again.ms, `${n} host(s), no-op re-run: ostopo / Ansible = ${(ours.again.ms / theirs.again.ms).toFixed(2)} (goal < 1)`);
  }
} finally {
  for (const name of made) tn('destroy', name);
  fs.rmSync(work, { recursive: true, force: true });
}
