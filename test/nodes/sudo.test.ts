import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deploy, DeployTarget } from '../../src/core/deploy/engine';
import { DeployEvent, formatEvent } from '../../src/core/deploy/events';
import { Journal } from '../../src/core/deploy/journal';
import { SshRemote } from '../../src/core/deploy/remote';
import { resolveSshTarget } from '../../src/core/deploy/sshConfig';
import { ResolvedNode } from '../../src/core/model';
import { Artifact } from '../../src/core/render/artifacts';
import { tn } from './testnodes';

/**
 * Deploy as a user who is not root, on a real Debian 12 test node (../shared/testnodes): commands and
 * file writes go through `sudo -n`; a sudo that wants a password is a clear error, not a hang.
 */
describe('deploy as a sudo user (real Debian test node)', function () {
  this.timeout(180000);
  const NAME = 'ostopo-sudo';
  const IP = '127.0.0.51';
  let work: string;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-sudo-'));
    tn('destroy', NAME);
    tn('create', NAME, IP);
    tn('start', NAME);
    fs.writeFileSync(path.join(work, 'known_hosts'), tn('known-hosts', NAME) + '\n');
    const setup = [
      'set -e',
      'for u in deployer asker; do useradd -m -s /bin/bash "$u"; install -d -m 700 -o "$u" -g "$u" "/home/$u/.ssh"; install -m 600 -o "$u" -g "$u" /root/.ssh/authorized_keys "/home/$u/.ssh/authorized_keys"; done',
      "echo 'deployer ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/deployer",
      "echo 'asker ALL=(ALL) ALL' > /etc/sudoers.d/asker",
      "echo 'asker:Some-Password-1' | chpasswd",
    ].join('\n');
    tn('ssh', NAME, setup);
  });
  after(() => {
    tn('destroy', NAME);
    fs.rmSync(work, { recursive: true, force: true });
  });

  const node = (user: string): ResolvedNode => ({
    name: NAME,
    hostname: NAME,
    address: IP,
    overlayAddress: IP,
    lvmDevices: [],
    cephOsds: [],
    roles: [],
    services: [],
    ssh: { user, port: 22, identityFile: tn('key'), knownHostsFile: path.join(work, 'known_hosts') },
    config: {},
  });
  const steps: Artifact[] = [
    {
      kind: 'file',
      id: 'app/conf',
      step: 'app',
      service: 'base',
      path: '/etc/ostopo-sudo/app.conf',
      owner: 'root',
      group: 'root',
      mode: '0640',
      language: 'ini',
      content: '[a]\nb = c\n',
      description: 'a root-only file',
    },
    { kind: 'command', id: 'app/whoami', step: 'app', service: 'base', title: 'who runs commands', run: 'id -u > /root/ostopo-whoami', check: 'test -s /root/ostopo-whoami' },
  ];
  const target = (user: string): DeployTarget => ({
    nodes: [node(user)],
    secrets: new Map(),
    render: () => ({ name: 'sudo', profile: 'test', profileTitle: 'test', nodes: [{ name: NAME, address: IP, artifacts: steps }] }),
  });

  async function run(user: string) {
    const events: DeployEvent[] = [];
    const state = path.join(work, `.ostopo-${user}`);
    const kh = path.join(state, 'known_hosts');
    const t0 = Date.now();
    const r = await deploy({
      target: target(user),
      journal: Journal.open(state, 'sudo'),
      connect: (n) => SshRemote.connect(resolveSshTarget(n, { projectKnownHosts: kh, sshBinary: null }), { projectKnownHosts: kh }),
      onEvent: (e) => events.push(e),
    });
    return {
      r,
      ms: Date.now() - t0,
      text: events
        .map((e) => formatEvent(e, { color: false, verbose: true }))
        .filter(Boolean)
        .join('\n'),
    };
  }

  it('a NOPASSWD sudo user writes root files and runs commands as root; a re-run changes nothing', async () => {
    const first = await run('deployer');
    assert.equal(first.r.ok, true, first.text);
    assert.equal(tn('ssh', NAME, 'stat -c "%U:%G %a" /etc/ostopo-sudo/app.conf'), 'root:root 640');
    assert.equal(tn('ssh', NAME, 'cat /root/ostopo-whoami'), '0', 'commands run as root');
    const second = await run('deployer');
    assert.equal(second.r.ok, true, second.text);
    assert.equal(second.r.changed, 0, second.text);
  });

  it('a sudo that asks for a password is a clear error at once, not a hang', async () => {
    const { r, ms, text } = await run('asker');
    assert.equal(r.ok, false);
    assert.match(text, /sudo asks for a password; ostopo runs `sudo -n`: allow the user NOPASSWD in sudoers, or connect as root/);
    assert.ok(ms < 20000, `answered in ${ms} ms`);
  });
});
