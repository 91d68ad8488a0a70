import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze } from '../../src/core/compile';
import { deploy, targetOf } from '../../src/core/deploy/engine';
import { DeployEvent, formatEvent } from '../../src/core/deploy/events';
import { precheck } from '../../src/core/deploy/precheck';
import { Journal } from '../../src/core/deploy/journal';
import { Remote } from '../../src/core/deploy/remote';
import { openSession } from '../../src/core/deploy/session';
import { prechecksOf } from '../../src/core/render/precheck';
import { analyzeFile, minimal, ZED } from './helpers';
import { TestSshd } from '../support/sshd';

describe('precheck: what each node is asked before a deploy', () => {
  it('per node, from the profile and the services placed there', () => {
    const a = analyzeFile(ZED);
    const ids = (n: string) =>
      prechecksOf(
        a.cloud,
        a.cloud.nodes.find((x) => x.name === n)!,
      ).map((c) => c.id.replace('precheck/', ''));
    assert.deepEqual(ids('controller'), ['os', 'address', 'names', 'memory', 'disk', 'repositories', 'time', 'ports', 'root']);
    assert.deepEqual(ids('compute1'), ['os', 'address', 'names', 'memory', 'disk', 'repositories', 'time', 'root', 'virtualization']);
    const controller = prechecksOf(a.cloud, a.cloud.nodes[0]!);
    // The ports of the controller's services (the keystone endpoints' and the descriptors' own), each once.
    assert.equal(
      controller.find((c) => c.id === 'precheck/ports')!.title,
      'ports 3306, 5672, 25672, 11211, 2379, 2380, 5000, 9292, 8778, 8774, 8775, 6080, 9696, 80 are free or held by their own service',
    );
    assert.match(controller.find((c) => c.id === 'precheck/memory')!.title, /at least 4 GB \(the guide's minimum for a controller node\)/);
    assert.match(prechecksOf(a.cloud, a.cloud.nodes[1]!).find((c) => c.id === 'precheck/disk')!.title, /at least 10 GB free under \/var \(the guide's minimum for a compute node\)/);
    // CentOS 7 asks yum.
    const train = analyze(minimal().replace('release: zed', 'release: train').replace('os: debian12', 'os: centos7'), {});
    assert.equal(prechecksOf(train.cloud, train.cloud.nodes[0]!).find((c) => c.id === 'precheck/repositories')!.run, 'yum -q repolist enabled');
  });
});

describe('precheck: the volume group of a block storage node', () => {
  const blockCloud = (node: string) =>
    analyze(minimal(node).replace('  NEUTRON_PASS: Str0ng-Neutron-Pass-1\n', '  NEUTRON_PASS: Str0ng-Neutron-Pass-1\n  CINDER_DBPASS: Str0ng-Cinder-Db-1\n  CINDER_PASS: Str0ng-Cinder-Pass-1\n'), {})
      .cloud;
  const ask = (cloud: ReturnType<typeof blockCloud>, id: string) => {
    const c = prechecksOf(
      cloud,
      cloud.nodes.find((n) => n.name === 'block1')!,
    ).find((x) => x.id === `precheck/${id}`)!;
    // Run by the real bash here, as on the node (without the LVM tools on PATH for the second question).
    const r = spawnSync('bash', ['-c', c.run], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    return { title: c.title, code: r.status, out: r.stdout + r.stderr };
  };

  it('lvmDevices: each must be a block device; without them the volume group must be there', () => {
    const withDevices = blockCloud('  block1:\n    address: 10.0.0.41\n    roles: [block]\n    lvmDevices: [/dev/null, /dev/ostopo-no-such-disk]\n');
    const ids = prechecksOf(
      withDevices,
      withDevices.nodes.find((n) => n.name === 'block1')!,
    ).map((c) => c.id.replace('precheck/', ''));
    assert.deepEqual(ids, ['os', 'address', 'names', 'repositories', 'time', 'root', 'lvm-devices']);
    const devices = ask(withDevices, 'lvm-devices');
    assert.equal(devices.title, '/dev/null, /dev/ostopo-no-such-disk are block devices for the volume group cinder-volumes (lvmDevices)');
    assert.equal(devices.code, 1);
    assert.match(devices.out, /^\/dev\/null: not a block device$/m);
    assert.match(devices.out, /^\/dev\/ostopo-no-such-disk: not a block device$/m);
    // A volume group named by an override is the one asked for.
    const without = blockCloud('  block1:\n    address: 10.0.0.41\n    roles: [block]\n    config:\n      cinder:\n        cinder.conf:\n          lvm:\n            volume_group: vg-ostopo-test\n');
    const vg = ask(without, 'lvm-volume-group');
    assert.equal(vg.title, 'the volume group vg-ostopo-test of the LVM backend exists (no lvmDevices to make it from)');
    assert.equal(vg.code, 1);
    assert.match(vg.out, /lvm2 is not installed, so there is no volume group vg-ostopo-test yet|no volume group vg-ostopo-test: create it, or list its devices in lvmDevices/);
    // The controller places cinder's API and scheduler, and asks for its port.
    assert.match(
      prechecksOf(
        without,
        without.nodes.find((n) => n.name === 'controller')!,
      ).find((c) => c.id === 'precheck/ports')!.title,
      /, 8776 are free/,
    );
  });
});

describe("precheck: the node's clock against this machine's", () => {
  /** A node that answers every question at once (exit 0) and says its clock is `skew` s off, after `delayMs`. */
  const fakeNode = (skew: number, delayMs = 0) =>
    ({
      label: 'fake',
      close: () => undefined,
      exec: async (script: string) => {
        if (script.includes('OSTOPO_CLOCK')) await new Promise((r) => setTimeout(r, delayMs));
        const clock = script.includes('OSTOPO_CLOCK') ? `OSTOPO_CLOCK ${Math.round(Date.now() / 1000) + skew}\nNTPSynchronized: yes\n` : '';
        return { code: 0, stdout: Buffer.from(clock), stderr: '' };
      },
    }) as unknown as Remote;
  const timeOf = async (remote: Remote) => {
    const a = analyze(minimal(), {});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-clock-'));
    try {
      const r = await precheck({
        target: targetOf(a),
        cloud: a.cloud,
        journal: Journal.open(dir, 't'),
        connect: async () => remote,
        node: 'controller',
        onEvent: () => undefined,
      });
      return r.outcomes.find((o) => o.id === 'precheck/time')!;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it('more than 30 s off fails, with the offset; a slow answer is not an offset', async () => {
    const off = await timeOf(fakeNode(-100));
    assert.equal(off.status, 'fail');
    assert.match(off.evidence, /^the clock is -100 s off \(-100 s from this machine\)/);
    assert.equal((await timeOf(fakeNode(5))).status, 'pass', 'within the limit, synchronized');
    // The node read its clock 2.5 s after the question left: that is the time the answer took, not an offset.
    assert.equal((await timeOf(fakeNode(0, 2500))).status, 'pass');
  });
});

/** The questions asked for real: this machine is the node, reached over a real sshd on loopback. */
describe('precheck over SSH (real sshd)', function () {
  this.timeout(180000);
  let sshd: TestSshd;
  let work: string;
  let mirror: http.Server;
  let mirrorUrl: string;
  /** Paths the fake mirror answers (everything else: 404). */
  let served: Set<string>;
  const SUITE = 'bookworm';

  before(async () => {
    sshd = await TestSshd.start('127.0.0.4');
    mirror = http.createServer((req, res) => {
      if (served.has(req.url ?? '')) res.end('Origin: Debian\n');
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r));
    mirrorUrl = `http://127.0.0.1:${(mirror.address() as net.AddressInfo).port}`;
  });
  after(() => {
    sshd?.stop();
    mirror?.close();
  });
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-precheck-'));
    served = new Set([`/debian/dists/${SUITE}/InRelease`, `/debian/dists/${SUITE}-updates/InRelease`, `/debian-security/dists/${SUITE}-security/InRelease`]);
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  /** An all-in-one node at the sshd's address; this machine is Debian 12 (the tests' own requirement). */
  function topology(os = 'debian12', release = 'zed'): string {
    const file = path.join(work, 'pre.ostopo.yaml');
    const text = minimal()
      .replace('release: zed', `release: ${release}`)
      .replace('os: debian12', `os: ${os}\nrepositories:\n  os: ${mirrorUrl}/debian\n  security: ${mirrorUrl}/debian-security`)
      .replace('cidr: 10.0.0.0/24', 'cidr: 127.0.0.0/8')
      .replace(
        /nodes:[\s\S]*$/,
        `ssh:\n  user: root\n  port: ${sshd.port}\n  identityFile: ${sshd.clientKey}\n  knownHostsFile: ${sshd.knownHosts}\nnodes:\n  aio:\n    address: ${sshd.host}\n    roles: [controller, compute]\n`,
      );
    fs.writeFileSync(file, text);
    return file;
  }

  async function ask(file: string) {
    const a = analyze(fs.readFileSync(file, 'utf8'), {});
    assert.equal(a.hasErrors, false, JSON.stringify(a.findings.filter((f) => f.severity === 'error')));
    const s = openSession(file, a);
    const events: DeployEvent[] = [];
    const r = await precheck({ target: targetOf(a), cloud: a.cloud, journal: s.journal, connect: s.connect, onEvent: (e) => events.push(e) });
    const by = new Map(r.outcomes.map((o) => [o.id.replace('precheck/', ''), o]));
    return { r, by, events, a, s };
  }

  it('answers each question with PASS, WARN or FAIL and the evidence, in order', async () => {
    const { r, by, events } = await ask(topology());
    assert.deepEqual([...by.keys()], ['os', 'address', 'names', 'memory', 'disk', 'repositories', 'time', 'ports', 'root', 'virtualization']);
    assert.equal(by.get('os')!.status, 'pass', by.get('os')!.evidence);
    assert.match(by.get('os')!.evidence, /^debian 12 \(Debian GNU\/Linux 12/);
    assert.equal(by.get('address')!.status, 'pass', by.get('address')!.evidence);
    assert.equal(by.get('repositories')!.status, 'pass', by.get('repositories')!.evidence);
    assert.match(by.get('repositories')!.evidence, new RegExp(`answers: ${mirrorUrl}/debian-security/dists/${SUITE}-security/InRelease`));
    assert.equal(by.get('root')!.status, 'pass');
    assert.notEqual(by.get('time')!.status, 'fail', by.get('time')!.evidence);
    // No KVM on this machine: qemu, as a warning that says why.
    assert.equal(by.get('virtualization')!.status, fs.existsSync('/dev/kvm') ? by.get('virtualization')!.status : 'warn');
    assert.equal(r.passed + r.warned + r.failed, 10);
    // What the terminal shows: one line per question, a warning with its reason.
    const lines = events.map((e) => formatEvent(e, { color: false, verbose: false })).filter(Boolean);
    assert.ok(lines.some((l) => /^\[aio\] ✔ PASS the OS is debian 12 \(\/etc\/os-release\), as the profile debian12\/zed needs /.test(l!)));
  });

  it('fails what a deploy could not work with: a repository that does not answer, a port another program holds', async () => {
    served.delete(`/debian/dists/${SUITE}-updates/InRelease`);
    const port = net.createServer();
    await new Promise<void>((res) => port.listen(6080, sshd.host, res));
    try {
      const { r, by } = await ask(topology());
      assert.equal(r.ok, false);
      assert.equal(by.get('repositories')!.status, 'fail');
      assert.match(by.get('repositories')!.evidence, new RegExp(`does not answer: ${mirrorUrl}/debian/dists/${SUITE}-updates/InRelease`));
      assert.equal(by.get('ports')!.status, 'fail');
      assert.match(by.get('ports')!.evidence, /6080: held by node \(pid \d+, .*\), not by nova-novncproxy/);
      assert.match(by.get('ports')!.evidence, /3306: free\n[\s\S]*9696: free/);
    } finally {
      port.close();
    }
  });

  it("a deploy asks first, and a failed answer (another OS than the profile's) stops it before anything changes", async () => {
    const file = topology('debian13', '2025.1');
    const a = analyze(fs.readFileSync(file, 'utf8'), {});
    const s = openSession(file, a);
    const events: DeployEvent[] = [];
    const r = await deploy({ target: targetOf(a), journal: s.journal, connect: s.connect, precheck: true, onEvent: (e) => events.push(e) });
    assert.equal(r.ok, false);
    const end = events.find((e) => e.type === 'end') as Extract<DeployEvent, { type: 'end' }>;
    assert.match(end.message, /^precheck failed on aio \(precheck: \d+ passed, \d+ warning\(s\), \d+ failed, in .*\): nothing was changed\. Fix it, or deploy with --skip-precheck\.$/);
    assert.equal(
      events.some((e) => e.type === 'action'),
      false,
      'no file written, no command run',
    );
    // Another OS than the profile's: what it is, in the evidence.
    const os = events.find((e) => e.type === 'precheck' && e.id === 'precheck/os') as Extract<DeployEvent, { type: 'precheck' }>;
    assert.equal(os.status, 'fail');
    assert.match(os.evidence, /^exit status 1\ndebian 12 \(Debian GNU\/Linux 12/);
  });
});
