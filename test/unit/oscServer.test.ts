import * as assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { OSC_CLIENT, OSC_SERVER, oscPrelude, startOscServer, usesOpenstack } from '../../src/core/deploy/oscServer';
import { SshRemote } from '../../src/core/deploy/remote';
import { resolveSshTarget } from '../../src/core/deploy/sshConfig';
import { ResolvedNode } from '../../src/core/model';
import { TestSshd } from '../support/sshd';

/**
 * The openstack client server's scripts and shell function, run here with /usr/bin/python3 and a stand-in
 * for openstackclient (its `shell.main(argv)`: prints what it was given, reads its input, exits with a
 * status the arguments choose). verify runs the same scripts on the nodes (test/e2e: every `openstack` of
 * the 2025.1 cloud's checks goes through it).
 */
describe('the openstack client server (verify)', function () {
  this.timeout(60_000);
  let dir: string;
  let server: ChildProcess | undefined;
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-osc-test-'));
    fs.mkdirSync(path.join(dir, 'lib', 'openstackclient'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'lib', 'openstackclient', '__init__.py'), '');
    fs.writeFileSync(
      path.join(dir, 'lib', 'openstackclient', 'shell.py'),
      [
        'import os, sys, time',
        'def main(argv):',
        "    if argv[:1] == ['sleep']:",
        '        time.sleep(float(argv[1]))',
        "    if argv[:1] == ['get']:",
        '        import requests',
        '        return requests.Session().get(argv[1]).status_code // 100 != 2',
        "    if argv[:1] == ['raise']:",
        "        raise RuntimeError('boom')",
        '    # With SIGNINS: signs in as keystoneauth does for a command (the stand-in below) and prints the token.',
        "    if os.environ.get('SIGNINS'):",
        '        from keystoneauth1.identity.generic.base import Password',
        "        print(Password(os.environ['OS_PASSWORD']).get_auth_ref(None).auth_token)",
        '        return 0',
        "    print('argv=%s cwd=%s pass=%s' % (' '.join(argv), os.getcwd(), os.environ.get('OS_PASSWORD')))",
        "    if argv[:1] == ['cat']:",
        "        print('stdin=%s' % sys.stdin.read().strip())",
        "    print('to stderr', file=sys.stderr)",
        "    return int(argv[argv.index('--exit') + 1]) if '--exit' in argv else 0",
        '',
      ].join('\n'),
    );
    // A stand-in for keystoneauth1's identity plugins: what the server's token reuse uses of them (the cache id
    // of the credentials, the auth state as JSON, an auth_ref that says when it expires; the generic plugin
    // signs in through a v3 one). Each sign-in is a line in $SIGNINS; the token lives $TTL seconds.
    const ks = path.join(dir, 'lib', 'keystoneauth1', 'identity');
    for (const d of ['generic', 'v3']) fs.mkdirSync(path.join(ks, d), { recursive: true });
    for (const f of ['keystoneauth1/__init__.py', 'keystoneauth1/identity/__init__.py', 'keystoneauth1/identity/generic/__init__.py', 'keystoneauth1/identity/v3/__init__.py'])
      fs.writeFileSync(path.join(dir, 'lib', f), '');
    fs.writeFileSync(
      path.join(ks, 'v3', 'base.py'),
      [
        'import json, os, time',
        'class AccessInfo:',
        '    def __init__(self, token, expires):',
        '        self.auth_token, self.expires = token, expires',
        '    def will_expire_soon(self, stale_duration=0):',
        '        return self.expires - time.time() < stale_duration',
        'class Base:',
        '    auth_ref = None',
        '    def __init__(self, password):',
        '        self.password = password',
        '    def get_auth_state(self):',
        "        return json.dumps({'auth_token': self.auth_ref.auth_token, 'body': {'expires': self.auth_ref.expires}})",
        '    def set_auth_state(self, data):',
        '        d = json.loads(data)',
        "        self.auth_ref = AccessInfo(d['auth_token'], d['body']['expires'])",
        'class Auth(Base):',
        '    def get_cache_id(self):',
        "        return 'v3/' + self.password",
        '    def get_auth_ref(self, session, **kwargs):',
        "        with open(os.environ['SIGNINS'], 'a') as f:",
        "            f.write(self.password + '\\n')",
        "        return AccessInfo('token-%s-%d' % (self.password, os.getpid()), time.time() + float(os.environ.get('TTL', '3600')))",
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(ks, 'generic', 'base.py'),
      [
        'from keystoneauth1.identity.v3.base import Auth, Base',
        'class BaseGenericPlugin(Base):',
        '    def get_cache_id(self):',
        "        return 'generic/+' + self.password",
        '    def get_auth_ref(self, session, **kwargs):',
        '        return Auth(self.password).get_auth_ref(session)',
        'class Password(BaseGenericPlugin):',
        '    pass',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'server.py'), OSC_SERVER);
    fs.writeFileSync(path.join(dir, 'client.py'), OSC_CLIENT);
    // The plain command, for when the server is not there.
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'openstack'), '#!/bin/sh\necho "plain openstack $*"\n', { mode: 0o755 });
    fs.symlinkSync(python, path.join(dir, 'bin', 'python3'));
  });
  after(() => {
    server?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const bash = (script: string, env: Record<string, string> = {}, input = '') =>
    spawnSync('bash', ['--norc', '-c', oscPrelude(dir) + script], { input, encoding: 'utf8', cwd: os.tmpdir(), env: { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, ...env } });

  it('finds the scripts that run openstack', () => {
    for (const yes of ['openstack token issue', '. /root/admin-openrc\nopenstack image list', 'out=$(openstack catalog list)', "trap 'openstack image delete x' EXIT", 'x && openstack server list'])
      assert.ok(usesOpenstack(yes), yes);
    for (const no of ['systemctl is-active openstack-dashboard', 'cat /etc/openstack-dashboard/x', 'apt-get install python3-openstackclient', 'mysql -e "select 1"']) assert.ok(!usesOpenstack(no), no);
  });

  it('without a server (none started), the plain command runs', () => {
    const r = bash('openstack token issue');
    assert.equal(r.stdout, 'plain openstack token issue\n');
  });

  it('runs each command in a child of the server: arguments, environment, folder, input, output, exit status', async () => {
    server = spawn(python, [path.join(dir, 'server.py'), path.join(dir, 'sock')], { env: { PYTHONPATH: path.join(dir, 'lib'), PATH: process.env.PATH }, stdio: 'ignore' });
    fs.writeFileSync(path.join(dir, 'pid'), String(server.pid));
    // The function waits for the socket while the server starts.
    const r = bash('cd /tmp && openstack image list --long; echo "rc=$?"', { OS_PASSWORD: 'se cret' });
    assert.equal(r.stderr, 'to stderr\n');
    assert.equal(r.stdout, 'argv=image list --long cwd=/tmp pass=se cret\nrc=0\n');
    assert.equal(bash('openstack x --exit 3; echo "rc=$?"').stdout, 'argv=x --exit 3 cwd=' + os.tmpdir() + ' pass=None\nrc=3\n');
    assert.equal(bash('openstack cat', {}, 'given input\n').stdout.split('\n')[1], 'stdin=given input');
    assert.equal(bash('out=$(openstack sub 2>/dev/null); echo "[$out]"').stdout, `[argv=sub cwd=${os.tmpdir()} pass=None]\n`);
    const boom = bash('openstack raise; echo "rc=$?"');
    assert.match(boom.stderr, /openstack: boom/);
    assert.equal(boom.stdout, 'rc=1\n');
  });

  it('runs commands side by side', async () => {
    const t0 = Date.now();
    const runs = Array.from(
      { length: 4 },
      () =>
        new Promise<string>((resolve) => {
          const c = spawn('bash', ['--norc', '-c', `${oscPrelude(dir)}openstack sleep 1`], { env: { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin` } });
          let out = '';
          c.stdout.on('data', (d) => (out += d));
          c.on('close', () => resolve(out));
        }),
    );
    const outs = await Promise.all(runs);
    assert.ok(outs.every((o) => o.startsWith('argv=sleep 1 ')));
    assert.ok(Date.now() - t0 < 3000, `four commands of a second each took ${Date.now() - t0} ms`);
  });

  it('commands with the same credentials share one sign-in; token issue always signs in; a token about to expire is not reused', () => {
    const signins = path.join(dir, 'signins');
    const run = (cmd: string, password: string, ttl = '3600') => {
      const r = bash(cmd, { SIGNINS: signins, OS_PASSWORD: password, TTL: ttl });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    const count = () => (fs.existsSync(signins) ? fs.readFileSync(signins, 'utf8').split('\n').filter(Boolean) : []);
    const first = run('openstack image list', 'alpha');
    assert.match(first, /^token-alpha-\d+$/);
    assert.equal(run('openstack server list', 'alpha'), first, 'the second command reuses the token');
    assert.deepEqual(count(), ['alpha'], 'one sign-in, by the outer plugin only');
    const kept = fs.readdirSync(dir).filter((f) => f.startsWith('token-'));
    assert.equal(kept.length, 1);
    assert.match(kept[0], /^token-[0-9a-f]{64}$/);
    assert.equal((fs.statSync(path.join(dir, kept[0])).mode & 0o777).toString(8), '600');
    // Other credentials: a sign-in of their own.
    assert.notEqual(run('openstack image list', 'beta'), first);
    assert.deepEqual(count(), ['alpha', 'beta']);
    // token issue checks the sign-in itself: it always signs in (and keeps the new token).
    const issued = run('openstack token issue', 'alpha');
    assert.notEqual(issued, first);
    assert.equal(run('openstack image list', 'alpha'), issued);
    assert.deepEqual(count(), ['alpha', 'beta', 'alpha']);
    // A token that expires within a minute is not taken up.
    const short = run('openstack token issue', 'gamma', '30');
    assert.notEqual(run('openstack image list', 'gamma', '30'), short);
    assert.deepEqual(count(), ['alpha', 'beta', 'alpha', 'gamma', 'gamma']);
  });

  it('stops a command that has no result within its limit (exit 124), and says which API request it waited for', async () => {
    // An API that takes the request and never answers (as neutron-api did, stuck on a lock).
    const held: net.Socket[] = [];
    const silent = net.createServer((c) => held.push(c));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      let t0 = Date.now();
      const r = bash(`openstack get http://127.0.0.1:${port}/v2.0/networks?name=x; echo "rc=$?"`, { OSTOPO_OSC_LIMIT: '1' });
      assert.equal(r.stdout, 'rc=124\n');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines[0], `openstack get http://127.0.0.1:${port}/v2.0/networks?name=x: no result in 1 s; stopped`);
      assert.match(lines[1], new RegExp(`^openstack: no answer to GET http://127\\.0\\.0\\.1:${port}/v2\\.0/networks after [01] s$`));
      assert.ok(Date.now() - t0 < 5000, `stopped after ${Date.now() - t0} ms`);
      // Not waiting for an API: where it was busy.
      t0 = Date.now();
      const busy = bash('openstack sleep 30 --wait; echo "rc=$?"', { OSTOPO_OSC_LIMIT: '1' });
      assert.equal(busy.stdout, 'rc=124\n');
      assert.equal(busy.stderr.split('\n')[0], 'openstack sleep 30: no result in 1 s; stopped', 'the words before the first option');
      assert.match(busy.stderr.split('\n')[1], /^openstack: not waiting for an API; busy in shell\.py:\d+ main < /);
      assert.ok(Date.now() - t0 < 5000, `stopped after ${Date.now() - t0} ms`);
      // Within the limit, nothing changes.
      assert.equal(bash('openstack sleep 0.2; echo "rc=$?"', { OSTOPO_OSC_LIMIT: '5' }).stdout, `argv=sleep 0.2 cwd=${os.tmpdir()} pass=None\nrc=0\n`);
    } finally {
      for (const c of held) c.destroy();
      silent.close();
    }
  });

  it('when the server is gone, the plain command runs again', async () => {
    server!.kill();
    await new Promise((r) => server!.once('exit', r));
    fs.rmSync(path.join(dir, 'sock'), { force: true });
    assert.equal(bash('openstack token issue').stdout, 'plain openstack token issue\n');
  });

  it('over SSH (a real sshd): started in one short command, used by scripts, stopped with its folder', async () => {
    const sshd = await TestSshd.start('127.0.0.2');
    const projectKnownHosts = path.join(dir, 'project_known_hosts');
    const node: ResolvedNode = {
      name: 'n1',
      hostname: 'n1',
      address: sshd.host,
      overlayAddress: sshd.host,
      lvmDevices: [],
      cephOsds: [],
      roles: [],
      services: [],
      ssh: { user: 'root', port: sshd.port, identityFile: sshd.clientKey, knownHostsFile: sshd.knownHosts },
      config: {},
    };
    const r = await SshRemote.connect(resolveSshTarget(node, { projectKnownHosts, sshBinary: null }), { projectKnownHosts });
    try {
      const env = { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, PYTHONPATH: path.join(dir, 'lib') };
      const t0 = Date.now();
      const osc = await startOscServer(r, { env });
      // The command that starts it ends at once: the server holds none of its channel's streams.
      assert.ok(Date.now() - t0 < 10_000, `starting took ${Date.now() - t0} ms`);
      const folder = /\/var\/tmp\/ostopo-osc\.[A-Za-z0-9]+/.exec(osc.prelude)?.[0];
      assert.ok(folder, osc.prelude);
      assert.equal((fs.statSync(folder).mode & 0o777).toString(8), '700');
      const res = await r.exec(`${osc.prelude}cd /tmp && openstack token issue -f value; echo "rc=$?"`, { env: { OS_PASSWORD: 'pw' }, timeoutMs: 30_000 });
      assert.equal(res.stdout.toString('utf8'), 'argv=token issue -f value cwd=/tmp pass=pw\nrc=0\n');
      await osc.stop();
      assert.ok(!fs.existsSync(folder), 'the folder is removed');
      // Without the client on the node, verify goes on without the server.
      const none = await startOscServer(r, { env: { PATH: '/usr/bin:/bin' } });
      assert.equal(none.prelude, '');
    } finally {
      r.close();
      sshd.stop();
    }
  });
});
