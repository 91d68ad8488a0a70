import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, render } from '../../src/core/compile';
import { Artifact, CheckArtifact, CommandArtifact, FileArtifact, NodeFacts, RenderedCloud } from '../../src/core/render/artifacts';
import { neededSecrets } from '../../src/core/services/registry';
import { materialize, MissingSecretError, secretsIn, UNIT_SKIP_SCRIPT } from '../../src/core/render/template';
import { secretLookup } from '../../src/core/secrets';
import { discoverHostsUntilMapped } from '../../src/core/render/nova';
import { analyzeFile, DEBIAN_PYTHON, EPOXY, identitySpec, minimal, read, TEST_ENV, TRAIN, ZED } from './helpers';

const TRAIN_TEXT = (s: string) => s.replace('release: zed', 'release: train').replace('os: debian12', 'os: centos7');

function renderText(text: string, facts: Record<string, NodeFacts> = {}): RenderedCloud {
  const a = analyze(text, {});
  assert.deepEqual(
    a.findings.filter((f) => f.severity === 'error'),
    [],
    'the topology renders without errors',
  );
  return render(a, facts);
}

function artifacts(c: RenderedCloud, node: string): Artifact[] {
  const n = c.nodes.find((x) => x.name === node);
  assert.ok(n, `node ${node} rendered`);
  return n.artifacts;
}

function file(c: RenderedCloud, node: string, path: string): FileArtifact {
  const f = artifacts(c, node).find((a): a is FileArtifact => a.kind === 'file' && a.path === path);
  assert.ok(
    f,
    `${node} has ${path}; it has ${artifacts(c, node)
      .filter((a) => a.kind === 'file')
      .map((a) => a.path)
      .join(', ')}`,
  );
  return f;
}

function command(c: RenderedCloud, node: string, id: string): CommandArtifact {
  const a = artifacts(c, node).find((x) => x.id === id);
  assert.ok(a && a.kind === 'command', `${node} has command ${id}`);
  return a;
}

/** The values of `key` in `[section]` of an INI text (repeated keys give several). */
function iniValues(text: string, section: string, key: string): string[] {
  let cur = '';
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const s = /^\[(.+)\]$/.exec(line);
    if (s) cur = s[1];
    else if (cur === section) {
      const m = /^([^=#]+?) = (.*)$/.exec(line);
      if (m && m[1] === key) out.push(m[2]);
    }
  }
  return out;
}

const ini1 = (text: string, section: string, key: string) => {
  const v = iniValues(text, section, key);
  assert.equal(v.length, 1, `[${section}] ${key} appears once (found ${v.length})`);
  return v[0];
};

describe('renderer', () => {
  const zed = renderText(minimal());
  const train = renderText(TRAIN_TEXT(minimal()));

  it('is stable byte for byte', () => {
    assert.equal(JSON.stringify(renderText(minimal())), JSON.stringify(zed));
  });

  it('renders one node as the whole render does (a preview or the tree asks for the node it shows)', () => {
    const root = path.join(__dirname, '..', '..', '..');
    const files = ['examples/epoxy-debian13.ostopo.yaml', 'examples/train-centos7.ostopo.yaml', 'examples/zed-debian12.ostopo.yaml', 'test/fixtures/ws/guide.ostopo.yaml'];
    const facts: Record<string, NodeFacts> = { compute1: { hwVirt: false } };
    let nodes = 0;
    for (const f of files) {
      const a = analyzeFile(path.join(root, f));
      assert.equal(a.hasErrors, false, f);
      const whole = render(a, facts);
      for (const n of whole.nodes) {
        const one = render(a, facts, new Set([n.name]));
        assert.deepEqual(
          one.nodes.map((x) => x.name),
          [n.name],
        );
        assert.deepEqual(one.nodes[0], n, `${f}: ${n.name}`);
        assert.deepEqual({ ...one, nodes: [] }, { ...whole, nodes: [] });
        nodes++;
      }
    }
    assert.ok(nodes >= 8, `${nodes} nodes`);
  });

  it('gives every artifact a unique id per node and keeps the guide order of steps', () => {
    for (const c of [zed, train]) {
      for (const n of c.nodes) {
        const ids = n.artifacts.map((a) => a.id);
        assert.equal(new Set(ids).size, ids.length, `unique ids on ${n.name}`);
      }
      const steps = [...new Set(artifacts(c, 'controller').map((a) => a.step))];
      const order = ['hosts', 'packages', 'chrony', 'mariadb', 'rabbitmq', 'memcached', 'etcd', 'keystone-database', 'keystone', 'glance', 'placement', 'nova-controller', 'nova-cells'];
      const seen = order.filter((s) => steps.includes(s));
      assert.deepEqual(seen, order, 'every seed step is there');
      assert.deepEqual(
        steps.filter((s) => order.includes(s)),
        order,
        'in the guide order',
      );
    }
  });

  describe('environment', () => {
    it('/etc/hosts lists every node on every node', () => {
      for (const node of ['controller', 'compute1']) {
        const hosts = file(zed, node, '/etc/hosts').content;
        assert.match(hosts, /^10\.0\.0\.11\s+controller$/m);
        assert.match(hosts, /^10\.0\.0\.31\s+compute1$/m);
      }
    });

    it("/etc/hosts: other lines that give a node another address (the installer's 127.0.1.1) are commented out, once, with a backup", () => {
      // Run by bash on a copy: glibc returns every address of a name (loopback first) and eventlet keeps the
      // last line, so a node must have its address only.
      const cmd = zed.nodes.find((n) => n.name === 'controller')!.artifacts.find((a): a is CommandArtifact => a.id === 'hosts/shadowed')!;
      assert.ok(cmd && cmd.kind === 'command');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-hosts-'));
      try {
        const hosts = path.join(dir, 'hosts');
        const before = [
          '# BEGIN ostopo',
          '10.0.0.11       controller',
          '10.0.0.31       compute1',
          '# END ostopo',
          '127.0.0.1\tlocalhost',
          '127.0.1.1\tcontroller.example.org controller   # from the installer',
          '10.0.0.31 compute1',
          '::1\t\tlocalhost ip6-localhost ip6-loopback',
          '# 127.0.1.1 compute1',
          '192.0.2.7 controllerx othername',
          '',
        ].join('\n');
        fs.writeFileSync(hosts, before);
        const sh = (script: string) => spawnSync('bash', ['-c', script.replaceAll('/etc/.hosts', `${dir}/.hosts`).replaceAll('/etc/hosts', hosts)], { encoding: 'utf8' });
        assert.equal(sh(cmd.check!).status, 1, 'the check sees the 127.0.1.1 line');
        const r = sh(cmd.run);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(
          fs
            .readFileSync(hosts, 'utf8')
            .split('\n')
            .filter((l) => l.startsWith('#ostopo: ')),
          ['#ostopo: 127.0.1.1\tcontroller.example.org controller   # from the installer'],
        );
        // Everything else as it was, the old file kept, and then the check passes: it runs once.
        assert.equal(fs.readFileSync(hosts, 'utf8').replace('#ostopo: ', ''), before);
        assert.equal(fs.readFileSync(`${hosts}.ostopo-shadowed.bak`, 'utf8'), before);
        assert.equal(sh(cmd.check!).status, 0);
        assert.deepEqual(fs.readdirSync(dir).sort(), ['hosts', 'hosts.ostopo-shadowed.bak']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("each node's host name (the guide's hostnamectl): /etc/hostname and `hostname`, by default the node's name, else `hostname`; nova and neutron's checks look for it", () => {
      // By default the node's name; the command runs when the host name differs or the file changed (real bash, fake `hostname`).
      assert.equal(file(zed, 'compute1', '/etc/hostname').content, 'compute1\n');
      const set = command(zed, 'compute1', 'hosts/set-hostname');
      assert.equal(set.run, 'hostname compute1');
      assert.deepEqual(set.onChange, ['hosts/hostname']);
      const check = (now: string) => spawnSync('bash', ['-c', `hostname() { echo ${now}; }\n${set.check}`]).status;
      assert.equal(check('compute1'), 0);
      assert.equal(check('localhost'), 1);

      const text = minimal().replace('    address: 10.0.0.31\n', '    address: 10.0.0.31\n    hostname: cmp01.example.net\n');
      const c = renderText(text);
      assert.equal(file(c, 'compute1', '/etc/hostname').content, 'cmp01.example.net\n');
      assert.equal(command(c, 'compute1', 'hosts/set-hostname').run, 'hostname cmp01.example.net');
      for (const node of ['controller', 'compute1']) {
        // The host name first (hostname -f), its short form, the node's name (what config files use).
        assert.match(file(c, node, '/etc/hosts').content, /^10\.0\.0\.31\s+cmp01\.example\.net cmp01 compute1$/m);
        assert.match(file(c, node, '/etc/hosts').content, /^10\.0\.0\.11\s+controller$/m);
      }
      // A 127.0.1.1 line for the host name is commented out too.
      assert.match(command(c, 'controller', 'hosts/shadowed').check!, /want='controller=10\.0\.0\.11 cmp01\.example\.net=10\.0\.0\.31 cmp01=10\.0\.0\.31 compute1=10\.0\.0\.31'/);
      // nova reports the compute host by its host name (socket.gethostname); neutron's and libvirt's lists are compared by the first label.
      const runOf = (r: RenderedCloud, id: string) => (artifacts(r, 'controller').find((a) => a.id === id) as { run: string }).run;
      assert.match(runOf(c, 'nova-cells/verify-compute-services'), /nova-compute cmp01\.example\.net up/);
      assert.match(runOf(c, 'nova-cells/verify-hypervisors'), /'cmp01 up'/);
      assert.match(runOf(c, 'nova-cells/discover-hosts'), /cmp01\.example\.net/);
    });

    it('node/duplicate-hostname and the host name form, on the value', () => {
      const dup = minimal().replace('    address: 10.0.0.31\n', '    address: 10.0.0.31\n    hostname: controller.example.net\n');
      const f = analyze(dup, {}).findings.filter((x) => x.code === 'node/duplicate-hostname');
      assert.equal(f.length, 1);
      assert.match(f[0].message, /Host name controller\.example\.net is also a name of node `controller`/);
      assert.equal(f[0].range.start.line + 1, dup.split('\n').indexOf('    hostname: controller.example.net') + 1);
      for (const bad of ['-cmp01', 'cmp_01', 'cmp01..net', `${'a'.repeat(60)}.example`]) {
        const t = minimal().replace('    address: 10.0.0.31\n', `    address: 10.0.0.31\n    hostname: ${bad}\n`);
        const codes = analyze(t, {}).findings.map((x) => x.code);
        assert.ok(codes.includes('schema/pattern') || codes.includes('schema/length'), `${bad}: ${codes.join(', ')}`);
      }
    });

    it('chrony: server with upstreams and allow on the controller, client of the controller elsewhere', () => {
      const server = file(zed, 'controller', '/etc/chrony/chrony.conf').content;
      assert.match(server, /^server pool\.ntp\.org iburst$/m);
      assert.match(server, /^allow 10\.0\.0\.0\/24$/m);
      const client = file(zed, 'compute1', '/etc/chrony/chrony.conf').content;
      assert.match(client, /^server controller iburst$/m);
      assert.doesNotMatch(client, /^allow /m);
      assert.equal(file(train, 'compute1', '/etc/chrony.conf').path, '/etc/chrony.conf');
    });

    it('provider interface: ifcfg on CentOS, interfaces.d on Debian, only with networks.provider', () => {
      const net = '  provider:\n    interface: eth1\n';
      const meta = (t: string) => t.replace('secrets:\n', 'secrets:\n  METADATA_SECRET: Str0ng-Metadata-Secret-1\n');
      const t = renderText(meta(TRAIN_TEXT(minimal())).replace('    cidr: 10.0.0.0/24\n', `    cidr: 10.0.0.0/24\n${net}`));
      const ifcfg = file(t, 'compute1', '/etc/sysconfig/network-scripts/ifcfg-eth1').content;
      assert.match(ifcfg, /^DEVICE=eth1$/m);
      assert.match(ifcfg, /^BOOTPROTO="none"$/m);
      const d = renderText(meta(minimal()).replace('    cidr: 10.0.0.0/24\n', `    cidr: 10.0.0.0/24\n${net}`));
      assert.match(file(d, 'controller', '/etc/network/interfaces.d/eth1').content, /^iface eth1 inet manual$/m);
      assert.ok(!artifacts(zed, 'controller').some((a) => a.step === 'provider-network'));
    });

    it('package repository: RDO Train on CentOS, the client on every node', () => {
      assert.match(command(train, 'compute1', 'packages/repository-1').run, /centos-release-openstack-train/);
      assert.match(command(train, 'compute1', 'packages/install').run, /python-openstackclient/);
      assert.match(command(zed, 'compute1', 'packages/install').run, /python3-openstackclient/);
    });
  });

  describe('infrastructure', () => {
    it('MariaDB binds to the node address, at the profile path', () => {
      assert.equal(ini1(file(zed, 'controller', '/etc/mysql/mariadb.conf.d/99-openstack.cnf').content, 'mysqld', 'bind-address'), '10.0.0.11');
      assert.equal(ini1(file(train, 'controller', '/etc/my.cnf.d/openstack.cnf').content, 'mysqld', 'max_connections'), '4096');
    });

    it('databases are created on the MariaDB node with SQL on stdin, passwords never on the command line', () => {
      const c = command(zed, 'controller', 'nova-database/create');
      assert.equal(c.run, 'mysql');
      for (const db of ['nova_api', 'nova', 'nova_cell0']) assert.match(c.stdin!, new RegExp(`CREATE DATABASE IF NOT EXISTS \`${db}\`;`));
      assert.deepEqual(secretsIn(c.stdin!), ['NOVA_DBPASS']);
      assert.equal(
        materialize(c.stdin!, () => "it's"),
        materialize(c.stdin!).replace(/<secret:NOVA_DBPASS>/g, "it\\'s"),
      );
    });

    it('the database root: mysql_secure_installation with a password on CentOS, unix_socket kept on Debian', () => {
      assert.match(command(train, 'controller', 'mariadb/secure').stdin!, /SET PASSWORD FOR 'root'@'localhost'/);
      assert.equal(file(train, 'controller', '/root/.my.cnf').mode, '0600');
      assert.match(command(zed, 'controller', 'mariadb/secure').stdin!, /IDENTIFIED VIA unix_socket OR mysql_native_password/);
    });

    it('RabbitMQ: the openstack user with the password from the environment; Debian binds AMQP and epmd', () => {
      const u = command(zed, 'controller', 'rabbitmq/user');
      assert.deepEqual(u.env, ['RABBIT_PASS']);
      // Through a file only the broker's user reads, never on a command line.
      assert.match(u.run, /printf '%s' "\$RABBIT_PASS" > "\$f"\nrabbitmqctl eval "\{ok, P\} = file:read_file/);
      assert.match(file(zed, 'controller', '/etc/rabbitmq/rabbitmq-env.conf').content, /^NODE_IP_ADDRESS=10\.0\.0\.11$/m);
      assert.match(file(zed, 'controller', '/etc/systemd/system/epmd.socket.d/listen.conf').content, /^ListenStream=127\.0\.0\.1:4369$/m);
      assert.ok(!artifacts(train, 'controller').some((a) => a.id === 'rabbitmq/epmd-listen'));
    });

    it('memcached: sysconfig OPTIONS on CentOS, -l on Debian', () => {
      assert.match(file(train, 'controller', '/etc/sysconfig/memcached').content, /^OPTIONS="-l 127\.0\.0\.1,::1,controller"$/m);
      assert.match(file(zed, 'controller', '/etc/memcached.conf').content, /^-l 10\.0\.0\.11$/m);
    });

    it('etcd listens on the node address', () => {
      const e = file(train, 'controller', '/etc/etcd/etcd.conf').content;
      assert.match(e, /^ETCD_LISTEN_CLIENT_URLS="http:\/\/10\.0\.0\.11:2379"$/m);
      assert.match(e, /^ETCD_INITIAL_CLUSTER="controller=http:\/\/10\.0\.0\.11:2380"$/m);
      assert.equal(file(zed, 'controller', '/etc/default/etcd').path, '/etc/default/etcd');
    });
  });

  describe('keystone', () => {
    it('clouds.yaml beside admin-openrc, without passwords; cloudsYaml.passwords adds secure.yaml (0600); verify uses it with no OS_* variable but the password', () => {
      const clouds = file(zed, 'controller', '/root/.config/openstack/clouds.yaml');
      assert.equal(clouds.mode, '0644');
      assert.equal(secretsIn(clouds.content).length, 0, 'no password in clouds.yaml');
      const parsed = JSON.parse(spawnSync(DEBIAN_PYTHON, ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], { input: clouds.content, encoding: 'utf8' }).stdout);
      assert.deepEqual(Object.keys(parsed.clouds), ['admin', 'demo']);
      assert.deepEqual(parsed.clouds.demo.auth, { auth_url: 'http://controller:5000/v3', username: 'myuser', project_name: 'myproject', user_domain_name: 'Default', project_domain_name: 'Default' });
      assert.equal(parsed.clouds.admin.region_name, 'RegionOne');
      assert.ok(!artifacts(zed, 'compute1').some((a) => a.id === 'openrc/clouds.yaml'), 'only where admin-openrc is');
      assert.ok(!artifacts(zed, 'controller').some((a) => a.id === 'openrc/secure.yaml'));
      const check = (c: RenderedCloud) => artifacts(c, 'controller').find((a) => a.id === 'keystone/verify-clouds-yaml') as CommandArtifact;
      assert.match(check(zed).run, /^OS_PASSWORD=\$pw openstack --os-cloud admin token issue/m);

      const c = renderText(minimal().replace('os: debian12\n', 'os: debian12\ncloudsYaml: { passwords: true }\n'));
      const secure = file(c, 'controller', '/root/.config/openstack/secure.yaml');
      assert.equal(secure.mode, '0600');
      assert.deepEqual(secretsIn(secure.content), ['ADMIN_PASS', 'DEMO_PASS']);
      assert.match(check(c).run, /^openstack --os-cloud admin token issue/m);
      // Run by bash against a fake openstack: the OS_* variables of admin-openrc are gone, but the password.
      const env = (run: string) =>
        spawnSync('bash', ['-c', run.replace(/^\. .*$/m, 'export OS_USERNAME=admin OS_PASSWORD=pw1 OS_AUTH_URL=http://x OS_PROJECT_NAME=admin').replace(/openstack .*/, 'env | grep ^OS_ | sort')], {
          encoding: 'utf8',
        }).stdout;
      assert.equal(env(check(zed).run), 'OS_PASSWORD=pw1\n');
      assert.equal(env(check(c).run), '');
    });

    it("the guide's sample objects (guideSamples, default on): the example domain, myproject, myuser with myrole, demo-openrc, myuser's token; off: none, and no DEMO_PASS needed", () => {
      const ids = (c: RenderedCloud) => artifacts(c, 'controller').map((a) => a.id);
      const on = ids(zed);
      const samples = ['keystone/verify-token-demo', 'openrc/demo-openrc'];
      for (const id of [...samples, 'keystone/identity']) assert.ok(on.includes(id), id);
      assert.deepEqual(identitySpec(command(zed, 'controller', 'keystone/identity')), {
        domains: [{ name: 'example', description: 'An Example Domain' }],
        projects: [
          { name: 'service', description: 'Service Project' },
          { name: 'myproject', description: 'Demo Project' },
        ],
        roles: ['myrole'],
        users: [{ name: 'myuser', password: 'DEMO_PASS' }],
        grants: [
          { user: 'myuser', project: 'myproject', role: 'myrole' },
          { user: 'myuser', project: 'myproject', role: 'member' },
        ],
      });
      assert.match(file(zed, 'controller', '/root/demo-openrc').content, /^export OS_PROJECT_NAME=myproject$/m);
      const text = minimal()
        .replace('os: debian12\n', 'os: debian12\nguideSamples: false\n')
        .replace(/^ {2}DEMO_PASS: .*\n/m, '');
      const a = analyze(text, {});
      assert.deepEqual(
        a.findings.map((f) => f.code),
        [],
        'DEMO_PASS is not needed without the samples',
      );
      const off = ids(render(a, {}));
      for (const id of samples) assert.ok(!off.includes(id), id);
      for (const id of ['keystone/identity', 'keystone/verify-token-admin', 'openrc/admin-openrc']) assert.ok(off.includes(id), id);
      assert.deepEqual(identitySpec(command(render(a, {}), 'controller', 'keystone/identity')), { projects: [{ name: 'service', description: 'Service Project' }] });
    });

    it('keystone.conf: database and fernet', () => {
      const k = file(zed, 'controller', '/etc/keystone/keystone.conf');
      assert.equal(materialize(ini1(k.content, 'database', 'connection')), 'mysql+pymysql://keystone:<secret:KEYSTONE_DBPASS>@controller/keystone');
      assert.equal(
        materialize(ini1(k.content, 'database', 'connection'), () => 'p@ss$'),
        'mysql+pymysql://keystone:p%40ss%24@controller/keystone',
        'URL-encoded (no $ left for oslo.config to interpolate)',
      );
      assert.equal(ini1(k.content, 'token', 'provider'), 'fernet');
      assert.equal(k.group, 'keystone');
      assert.equal(k.mode, '0640');
    });

    it('db_sync, fernet and credential setup, bootstrap with the password in the environment', () => {
      assert.match(command(zed, 'controller', 'keystone/db-sync').run, /keystone-manage db_sync/);
      assert.match(command(zed, 'controller', 'keystone/fernet-setup').check!, /fernet-keys/);
      const b = command(zed, 'controller', 'keystone/bootstrap');
      assert.deepEqual(b.env, ['ADMIN_PASS']);
      assert.match(b.run, /^OS_BOOTSTRAP_PASSWORD="\$ADMIN_PASS" keystone-manage bootstrap /);
      assert.match(b.run, /--bootstrap-public-url http:\/\/controller:5000\/v3\/ --bootstrap-region-id RegionOne/);
    });

    it('Apache ServerName and the wsgi link on CentOS; uwsgi on the node address on Debian', () => {
      assert.match(file(train, 'controller', '/etc/httpd/conf.d/00-servername.conf').content, /^ServerName controller$/m);
      assert.match(command(train, 'controller', 'keystone/wsgi-link').run, /ln -sfn \/usr\/share\/keystone\/wsgi-keystone\.conf \/etc\/httpd\/conf\.d\/wsgi-keystone\.conf/);
      assert.match(command(train, 'controller', 'keystone/start').run, /systemctl enable httpd/);
      assert.match(file(zed, 'controller', '/etc/default/keystone').content, /--http-socket 10\.0\.0\.11:5000 --add-header Connection:close/);
    });

    it('service and demo projects, the demo user and role, and the openrc files', () => {
      // One keystone session makes them; another checks them (the same script with --check), myuser by signing in.
      const identity = command(zed, 'controller', 'keystone/identity');
      assert.deepEqual(identity.env, ['DEMO_PASS']);
      assert.ok(identity.check!.includes("'--check'") && identity.trustJournal);
      assert.ok(identity.check!.includes('get_token()'));
      assert.doesNotMatch(identity.run, /openstack /, 'no `openstack` call: one Python process');
      const admin = file(zed, 'controller', '/root/admin-openrc');
      assert.equal(admin.mode, '0600');
      assert.match(admin.content, /^export OS_AUTH_URL=http:\/\/controller:5000\/v3$/m);
      assert.match(materialize(admin.content), /^export OS_PASSWORD=<secret:ADMIN_PASS>$/m);
      assert.match(
        materialize(file(zed, 'controller', '/root/demo-openrc').content, () => "a b'c"),
        /^export OS_PASSWORD='a b'\\''c'$/m,
      );
    });
  });

  describe('glance and placement', () => {
    it('glance: legacy stores on Train, multi-store on Zed', () => {
      const t = file(train, 'controller', '/etc/glance/glance-api.conf').content;
      assert.equal(ini1(t, 'glance_store', 'stores'), 'file,http');
      assert.equal(ini1(t, 'glance_store', 'filesystem_store_datadir'), '/var/lib/glance/images/');
      const z = file(zed, 'controller', '/etc/glance/glance-api.conf').content;
      assert.equal(ini1(z, 'DEFAULT', 'enabled_backends'), 'fs:file');
      assert.equal(ini1(z, 'glance_store', 'default_backend'), 'fs');
      assert.equal(ini1(z, 'fs', 'filesystem_store_datadir'), '/var/lib/glance/images/');
      assert.equal(ini1(z, 'DEFAULT', 'bind_host'), '10.0.0.11');
    });

    it('glance and placement register their user, service and three endpoints', () => {
      for (const [svc, url] of [
        ['glance', 'http://controller:9292'],
        ['placement', 'http://controller:8778'],
      ]) {
        const r = command(zed, 'controller', `${svc}/register`);
        const secret = svc === 'glance' ? 'GLANCE_PASS' : 'PLACEMENT_PASS';
        assert.deepEqual(r.env, [secret]);
        assert.deepEqual(identitySpec(r), {
          // The service role too: their tokens count as a service's (cinder lets only those delete nova's volume attachments).
          roles: ['service'],
          users: [{ name: svc, password: secret }],
          grants: [
            { user: svc, project: 'service', role: 'admin' },
            { user: svc, project: 'service', role: 'service' },
          ],
          services: [
            {
              name: svc,
              type: svc === 'glance' ? 'image' : 'placement',
              description: svc === 'glance' ? 'OpenStack Image' : 'Placement API',
              region: 'RegionOne',
              endpoints: ['public', 'internal', 'admin'].map((i) => ({ interface: i, url })),
            },
          ],
        });
      }
    });

    it('placement: the /usr/bin access fix on CentOS 7 Train only', () => {
      assert.match(file(train, 'controller', '/etc/httpd/conf.d/00-placement-api-access.conf').content, /<Directory \/usr\/bin>/);
      assert.ok(!artifacts(zed, 'controller').some((a) => a.id === 'placement/usr-bin-access'));
      assert.equal(ini1(file(zed, 'controller', '/etc/placement/placement.conf').content, 'api', 'auth_strategy'), 'keystone');
    });
  });

  describe('nova', () => {
    it('controller nova.conf: API databases, cells steps in the guide order', () => {
      const n = file(zed, 'controller', '/etc/nova/nova.conf').content;
      assert.match(ini1(n, 'api_database', 'connection'), /@controller\/nova_api$/);
      assert.equal(ini1(n, 'DEFAULT', 'my_ip'), '10.0.0.11');
      const ids = artifacts(zed, 'controller').map((a) => a.id);
      const order = ['nova-controller/api-db-sync', 'nova-controller/map-cell0', 'nova-controller/create-cell1', 'nova-controller/db-sync', 'nova-controller/start'];
      assert.deepEqual(
        order.map((id) => ids.indexOf(id)),
        [...order.map((id) => ids.indexOf(id))].sort((a, b) => a - b),
      );
      assert.ok(order.every((id) => ids.includes(id)));
    });

    it('compute nova.conf: no database, the controller for everything else, and waits for the controller', () => {
      const n = file(zed, 'compute1', '/etc/nova/nova.conf').content;
      assert.deepEqual(iniValues(n, 'database', 'connection'), []);
      assert.equal(ini1(n, 'DEFAULT', 'my_ip'), '10.0.0.31');
      assert.equal(ini1(n, 'vnc', 'novncproxy_base_url'), 'http://controller:6080/vnc_auto.html');
      assert.equal(ini1(n, 'glance', 'api_servers'), 'http://controller:9292');
      // The start waits for the controller; the install before it does not (it runs while the controller comes up).
      assert.equal(command(zed, 'compute1', 'nova-compute/install').after, undefined);
      assert.deepEqual(command(zed, 'compute1', 'nova-compute/start').after, [{ node: 'controller', step: 'nova-controller' }]);
      assert.deepEqual(command(zed, 'controller', 'nova-cells/discover-hosts').after, [{ node: 'compute1', step: 'nova-compute' }]);
    });

    it("nova-compute without Recommends for a driver that needs none of them (ironic's guestmount: libguestfs and QEMU)", () => {
      const fake = () => render(analyze(minimal('config:\n  nova:\n    nova-compute.conf:\n      DEFAULT:\n        compute_driver: fake.FakeDriver\n'), TEST_ENV));
      const run = command(fake(), 'compute1', 'nova-compute/install').run;
      assert.match(run, /apt-get .* install -y --no-install-recommends 'nova-compute' 'nova-compute-ironic'|apt-get .* install -y --no-install-recommends nova-compute nova-compute-ironic/);
      // libvirt, the default driver: its packages as Debian recommends them.
      assert.doesNotMatch(command(render(analyze(minimal(), TEST_ENV)), 'compute1', 'nova-compute/install').run, /no-install-recommends/);
    });

    it('virt_type follows the hardware virtualisation fact, as the guide checks it', () => {
      assert.equal(ini1(file(train, 'compute1', '/etc/nova/nova.conf').content, 'libvirt', 'virt_type'), 'kvm');
      const noVirt = renderText(TRAIN_TEXT(minimal()), { compute1: { hwVirt: false } });
      assert.equal(ini1(file(noVirt, 'compute1', '/etc/nova/nova.conf').content, 'libvirt', 'virt_type'), 'qemu');
      const debian = renderText(minimal(), { compute1: { hwVirt: false } });
      assert.equal(ini1(file(debian, 'compute1', '/etc/nova/nova-compute.conf').content, 'libvirt', 'virt_type'), 'qemu');
      assert.ok(artifacts(zed, 'compute1').some((a) => a.kind === 'fact' && a.name === 'hwVirt'));
    });

    it('Zed: service user token; Train: use_neutron and the noop firewall', () => {
      assert.equal(ini1(file(zed, 'compute1', '/etc/nova/nova.conf').content, 'service_user', 'send_service_user_token'), 'true');
      const t = file(train, 'compute1', '/etc/nova/nova.conf').content;
      assert.equal(ini1(t, 'DEFAULT', 'use_neutron'), 'true');
      assert.deepEqual(iniValues(t, 'service_user', 'send_service_user_token'), []);
    });

    it('verification checks of the guide are on the nova-api node', () => {
      const titles = artifacts(zed, 'controller')
        .filter((a) => a.kind === 'check')
        .map((a) => (a as { title: string }).title);
      for (const t of [
        'openstack token issue (admin)',
        'openstack token issue (demo)',
        'openstack image list',
        'placement-status upgrade check',
        'openstack compute service list',
        'nova-status upgrade check',
      ])
        assert.ok(titles.includes(t), t);
    });
  });

  describe('overrides and provenance', () => {
    const text = minimal(`    config:
      nova:
        nova.conf:
          DEFAULT:
            debug: true
config:
  nova:
    nova.conf:
      DEFAULT:
        debug: false
        cpu_allocation_ratio: 4.0
      filter_scheduler:
        available_filters: [nova.scheduler.filters.all_filters, my.Filter]
      vnc: null
      oslo_concurrency:
        lock_path: null
`);
    const c = renderText(text);
    const ctl = file(c, 'controller', '/etc/nova/nova.conf');
    const cmp = file(c, 'compute1', '/etc/nova/nova.conf');

    it('node over global over rendered; null drops an option or a section', () => {
      assert.equal(ini1(ctl.content, 'DEFAULT', 'debug'), 'false');
      assert.equal(ini1(cmp.content, 'DEFAULT', 'debug'), 'true');
      assert.equal(ini1(cmp.content, 'DEFAULT', 'cpu_allocation_ratio'), '4');
      assert.doesNotMatch(ctl.content, /^\[vnc\]$/m);
      assert.deepEqual(iniValues(ctl.content, 'oslo_concurrency', 'lock_path'), []);
    });

    it('a multi-valued oslo option is the key repeated, never key[]=', () => {
      assert.deepEqual(iniValues(ctl.content, 'filter_scheduler', 'available_filters'), ['nova.scheduler.filters.all_filters', 'my.Filter']);
      assert.doesNotMatch(ctl.content, /\[\]/);
    });

    it('records which layer set every value line, with its topology path', () => {
      const lines = ctl.content.split('\n');
      const origin = (key: string) => {
        const o = ctl.origins!.find((x) => x.key === key);
        assert.ok(o, key);
        assert.match(lines[o.line], new RegExp(`^${key} = `));
        return o.origin;
      };
      assert.deepEqual(origin('debug'), { layer: 'global', path: ['config', 'nova', 'nova.conf', 'DEFAULT', 'debug'] });
      assert.deepEqual(origin('enabled_apis'), { layer: 'profile' });
      assert.deepEqual(origin('my_ip'), { layer: 'topology', path: ['nodes', 'controller', 'address'] });
      assert.deepEqual(cmp.origins!.find((x) => x.key === 'debug')!.origin, { layer: 'node', path: ['nodes', 'compute1', 'config', 'nova', 'nova.conf', 'DEFAULT', 'debug'] });
      const valueLines = lines.filter((l) => / = /.test(l) && !l.startsWith('#')).length;
      assert.equal(ctl.origins!.length, valueLines, 'every value line has an origin');
    });
  });

  describe('secrets', () => {
    const a = analyzeFile(ZED);
    const c = render(a);

    it('no secret value appears in any rendered text', () => {
      const values = [...a.cloud.secrets.values()].map((s) => s.value).filter((v): v is string => !!v);
      assert.ok(values.length >= 11);
      const all = JSON.stringify(c);
      for (const v of values) assert.ok(!all.includes(v), 'a secret value leaked into the rendered model');
    });

    it('revealed values are encoded for where they stand: URL, oslo.config, SQL', () => {
      const lookup = (n: string) => (n === 'NOVA_DBPASS' ? 'p@ss$w/rd' : n === 'NOVA_PASS' ? 'a$b' : 'x');
      const nova = materialize(file(c, 'controller', '/etc/nova/nova.conf').content, lookup);
      assert.equal(ini1(nova, 'database', 'connection'), 'mysql+pymysql://nova:p%40ss%24w%2Frd@controller/nova');
      assert.equal(ini1(nova, 'keystone_authtoken', 'password'), 'a\\$b', 'oslo.config reads \\$ as a literal $ (test/unit/encoding.test.ts reads it back)');
      const sql = materialize(command(c, 'controller', 'nova-database/create').stdin!, lookup);
      assert.match(sql, /IDENTIFIED BY 'p@ss\$w\/rd';/);
    });

    it('a secret without a value cannot be revealed, and the error names it', () => {
      const t = analyzeFile(TRAIN);
      const rc = render(t);
      const lookup = secretLookup(new Map([...t.cloud.secrets].filter(([k]) => k !== 'GLANCE_PASS')));
      assert.throws(
        () => materialize(file(rc, 'controller', '/etc/glance/glance-api.conf').content, lookup),
        (e: unknown) => e instanceof MissingSecretError && e.names.join() === 'GLANCE_PASS',
      );
    });
  });
});

describe('a check whose service systemd skipped says why (UNIT_SKIP_SCRIPT, run by the real shell)', () => {
  /** Runs the script for unit `chrony` with fake systemctl and journalctl that print what a systemd version prints. */
  function skip(status: string, journal: string, conditionResult = 'no'): { code: number | null; out: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-skip-'));
    try {
      const fake = (name: string, body: string) => fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      fake('systemctl', `case "$1" in show) echo ${conditionResult};; is-active) exit 3;; status) cat <<'X'\n${status}\nX\n;; esac`);
      fake('journalctl', `cat <<'X'\n${journal}\nX`);
      const r = spawnSync('sh', ['-c', UNIT_SKIP_SCRIPT, 'sh', 'chrony'], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      return { code: r.status, out: r.stdout.trim() };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const REASON = 'OSTOPO_SKIP chrony: ConditionCapability=CAP_SYS_TIME was not met';

  it('systemd 252 (Debian 12): from systemctl status', () => {
    assert.deepEqual(skip('     Condition: start condition failed at Mon 2026-11-30 10:00:00 UTC; 1min ago\n               └─ ConditionCapability=CAP_SYS_TIME was not met', ''), {
      code: 0,
      out: REASON,
    });
  });

  it("systemd 252's journal line, when status has forgotten it (after a daemon-reload)", () => {
    assert.deepEqual(skip('', 'Condition check resulted in chrony, an NTP client/server being skipped.\nchrony.service: unmet condition check (ConditionCapability=CAP_SYS_TIME).'), {
      code: 0,
      out: REASON,
    });
  });

  it('systemd 257 (Debian 13): status no longer names the condition; the journal does, without parentheses', () => {
    const status = '     Condition: start condition unmet at Mon 2026-11-30 12:35:05 UTC; 16min ago';
    assert.deepEqual(skip(status, 'chrony.service - chrony, an NTP client/server skipped, unmet condition check ConditionCapability=CAP_SYS_TIME'), { code: 0, out: REASON });
    assert.deepEqual(skip(status, ''), { code: 0, out: 'OSTOPO_SKIP chrony: a start condition of the unit was not met' });
  });

  it('a unit that was not skipped: exit 1, nothing printed', () => {
    assert.deepEqual(skip('', '', 'yes'), { code: 1, out: '' });
  });
});

describe('discover_hosts waits until every compute host is mapped (run by the real bash)', () => {
  /** Runs the command with a fake nova-manage whose list_hosts shows a host from its `registersAt`-th call on. */
  function run(hosts: string[], registersAt: Record<string, number>): { code: number | null; out: string; discovers: number } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-discover-'));
    try {
      const fake = (name: string, body: string) => fs.writeFileSync(path.join(dir, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
      fake('su', 'shift 2; eval "$2"'); // su -s /bin/sh -c CMD USER
      fake('sleep', ':');
      // The table centres its cells: a short name is padded on both sides (`|   aio    |` under `Hostname`).
      const rows = Object.entries(registersAt).map(([h, n]) => `[ "$n" -ge ${n} ] && echo "| cell1 | 6f1a | ${h.length < 8 ? `  ${h}  ` : h} |"`);
      fake(
        'nova-manage',
        [
          `f=${dir}/calls`,
          'case "$2" in',
          '  discover_hosts) echo d >> "$f";;',
          '  list_hosts) n=$(grep -c d "$f"); echo "| Cell Name | Cell UUID | Hostname |"',
          ...rows.map((r) => `    ${r}`),
          '  ;;',
          'esac',
          'exit 0',
        ].join('\n'),
      );
      const r = spawnSync('bash', ['-c', discoverHostsUntilMapped('nova', hosts)], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      const calls = fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf8').split('\n').filter(Boolean).length : 0;
      return { code: r.status, out: r.stdout.trim(), discovers: calls };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('a host that registers late: discover_hosts again until list_hosts shows it', () => {
    assert.deepEqual(run(['compute1', 'compute2'], { compute1: 1, compute2: 3 }), { code: 0, out: '', discovers: 3 });
  });

  it('a short host name, centred in its cell, is found', () => {
    assert.deepEqual(run(['aio'], { aio: 2 }), { code: 0, out: '', discovers: 2 });
  });

  it('a host that never registers: fails after 60 tries, naming it (not a host whose name it begins)', () => {
    const r = run(['compute1', 'compute'], { compute1: 1 });
    assert.equal(r.code, 1);
    assert.equal(r.discovers, 60);
    assert.match(r.out, /nova-compute has not registered in 5 minutes \(see its log on each node\): compute$/);
  });
});

describe("cinder: a backend the nodes left is removed from cinder's services, and the start order across nodes (run by the real bash)", () => {
  /** The epoxy example (block1 with Ceph) and a second volume node on LVM's old record. */
  const a = analyzeFile(EPOXY);
  const r = render(a);
  const art = (node: string, id: string) => r.nodes.find((n) => n.name === node)!.artifacts.find((x) => x.id === id) as CommandArtifact;

  /** Runs the command's check and run with a fake cinder-manage whose `service list` shows these rows. */
  function run(c: CommandArtifact, rows: string[]): { check: number | null; out: string; removed: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-cinder-'));
    try {
      const fake = (name: string, body: string) => fs.writeFileSync(path.join(dir, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
      fake('runuser', 'shift 3; exec "$@"'); // runuser -u USER -- CMD...
      fake(
        'cinder-manage',
        [
          `case "$2" in`,
          `  list) echo 'Binary           Host                                 Zone             Status     State Updated At           RPC Version  Object Version  Cluster'; ${rows.map((x) => `echo ${shqTest(x)}`).join('; ')};;`,
          `  remove) echo "$4" >> ${dir}/removed;;`,
          'esac',
        ].join('\n'),
      );
      const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
      const check = spawnSync('bash', ['-c', c.check!], { encoding: 'utf8', env }).status;
      const out = spawnSync('bash', ['-c', c.run], { encoding: 'utf8', env }).stdout;
      const removed = fs.existsSync(path.join(dir, 'removed')) ? fs.readFileSync(path.join(dir, 'removed'), 'utf8').trim().split('\n') : [];
      return { check, out: out.trim(), removed };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const shqTest = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const row = (binary: string, host: string, state: string) => `${binary}    ${host}    nova    enabled    ${state}    2026-12-02 15:28:28    3.71    1.39    `;

  it("the volume service of a backend block1 no longer has is removed; its own, the scheduler's and another host's stay", () => {
    const c = art('controller', 'cinder-controller/stale-volume-services');
    const got = run(c, [
      row('cinder-scheduler', 'controller', ':-)'),
      row('cinder-volume', 'block1@lvm', 'XXX'),
      row('cinder-volume', 'block1@ceph', ':-)'),
      row('cinder-volume', 'block10@lvm', 'XXX'),
    ]);
    assert.deepEqual(got, { check: 1, out: 'removing cinder-volume block1@lvm', removed: ['block1@lvm'] });
    assert.deepEqual(run(c, [row('cinder-scheduler', 'controller', ':-)'), row('cinder-volume', 'block1@ceph', ':-)')]), { check: 0, out: '', removed: [] });
  });

  it("block1's volume service starts after the controller's database is there; Ceph's pool and user come before it on block1", () => {
    const start = art('block1', 'cinder-volume/start');
    assert.deepEqual(start.after, [{ node: 'controller', step: 'cinder-controller' }]);
    const ids = r.nodes.find((n) => n.name === 'block1')!.artifacts.map((x) => x.id);
    assert.ok(ids.indexOf('ceph-pools/client.cinder') < ids.indexOf('cinder-volume/start'), 'the pool and user before cinder-volume starts');
    assert.ok(ids.indexOf('ceph-mon/mkfs') < ids.indexOf('ceph-mgr/keyring') && ids.indexOf('ceph-mgr/keyring') < ids.indexOf('ceph-osd/osd-0'), "the guide's order: monitor, manager, OSDs");
  });
});

describe('glance on Ceph RBD (`storage.images: rbd`)', () => {
  const onRbd = read(EPOXY);
  const onFile = onRbd.replace(/^storage:\n {2}images: rbd\n/m, '');
  const a = analyzeFile(EPOXY);
  const r = render(a);
  const art = (c: RenderedCloud, node: string, id: string) => c.nodes.find((n) => n.name === node)!.artifacts.find((x) => x.id === id);

  it('glance-api.conf: images go to the pool `images` as client.glance; the file store stays enabled for the images kept there', () => {
    const conf = file(r, 'controller', '/etc/glance/glance-api.conf').content;
    assert.deepEqual(iniValues(conf, 'DEFAULT', 'enabled_backends'), ['rbd:rbd,fs:file']);
    assert.deepEqual(iniValues(conf, 'glance_store', 'default_backend'), ['rbd']);
    assert.deepEqual(iniValues(conf, 'rbd', 'rbd_store_pool'), ['images']);
    assert.deepEqual(iniValues(conf, 'rbd', 'rbd_store_user'), ['glance']);
    assert.deepEqual(iniValues(conf, 'fs', 'filesystem_store_datadir'), ['/var/lib/glance/images/']);
    assert.deepEqual(iniValues(conf, 'DEFAULT', 'show_image_direct_url'), ['true']);
    // Which layer set it: the topology's `storage.images`.
    const prov = r.nodes.find((n) => n.name === 'controller')!.artifacts.find((x): x is FileArtifact => x.kind === 'file' && x.path === '/etc/glance/glance-api.conf')!;
    assert.ok(JSON.stringify(prov).includes('"storage","images"'), 'the rbd options are traced to storage.images');
  });

  it("the controller gets the rbd bindings, the cluster's ceph.conf and client.glance's keyring (readable by glance only); the monitor makes the pool and the user", () => {
    const install = artifacts(r, 'controller').find((x) => x.kind === 'command' && x.step === 'glance' && /install/.test(x.id)) as CommandArtifact;
    assert.match(install.run, /python3-rbd/);
    assert.match(install.run, /python3-rados/);
    const kr = file(r, 'controller', '/etc/ceph/ceph.client.glance.keyring');
    assert.deepEqual([kr.owner, kr.group, kr.mode], ['root', 'glance', '0640']);
    assert.deepEqual(secretsIn(kr.content), ['CEPH_GLANCE_KEY']);
    assert.match(kr.content, /^\[client\.glance\]\n\tkey = .*\n\tcaps mon = "profile rbd"\n\tcaps osd = "profile rbd pool=images"\n$/);
    assert.match(file(r, 'controller', '/etc/ceph/ceph.conf').content, /^mon_host = \[v2:10\.0\.0\.41:3300,v1:10\.0\.0\.41:6789\]$/m);
    const user = art(r, 'block1', 'ceph-pools/client.glance') as CommandArtifact;
    assert.deepEqual(user.env, ['CEPH_GLANCE_KEY']);
    assert.ok(!user.run.includes('AQ'), 'the key is not in the command');
    assert.ok(art(r, 'block1', 'ceph-pools/images'), 'the pool images');
  });

  it('without `storage.images`: the file store, no Ceph user, pool or key for glance', () => {
    const f = analyze(onFile, TEST_ENV);
    const rf = render(f);
    const conf = file(rf, 'controller', '/etc/glance/glance-api.conf').content;
    assert.deepEqual(iniValues(conf, 'DEFAULT', 'enabled_backends'), ['fs:file']);
    assert.deepEqual(iniValues(conf, 'DEFAULT', 'show_image_direct_url'), []);
    assert.equal(art(rf, 'block1', 'ceph-pools/images'), undefined);
    assert.equal(art(rf, 'block1', 'ceph-pools/client.glance'), undefined);
    assert.ok(!artifacts(rf, 'controller').some((x) => x.kind === 'file' && x.path.startsWith('/etc/ceph/')));
    assert.ok(!neededSecrets(f.cloud).has('CEPH_GLANCE_KEY'));
    assert.deepEqual(neededSecrets(a.cloud).get('CEPH_GLANCE_KEY')?.sort(), ['ceph-mon', 'glance']);
  });

  it("verify's upload says where the image went, and fails when it is not in Ceph (run by the real bash, with a fake openstack)", () => {
    const check = art(r, 'controller', 'glance/verify-image-upload') as CheckArtifact;
    const run = (direct: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-glance-'));
      try {
        const fake = (name: string, body: string) => fs.writeFileSync(path.join(dir, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
        fake('openstack', `case "$*" in *'-c status'*) echo active;; *'-f json'*) printf '{"id": "1", "status": "active"%s}\\n' ${shqArg(direct)};; esac`);
        fake('qemu-img', 'exit 0');
        const text = check.run.replace(/^\. .*admin-openrc$/m, ':');
        const out = spawnSync('bash', ['-c', text], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, cwd: dir }).stdout.trim();
        return { out, ok: new RegExp(check.expect!, 'm').test(out) };
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    };
    const inCeph = run(', "direct_url": "rbd://691c27d0-b564-4545-bc1d-d79388f38d8b/images/1/snap"');
    assert.ok(inCeph.ok, inCeph.out);
    assert.match(inCeph.out, /^active rbd:\/\/691c27d0-b564-4545-bc1d-d79388f38d8b\/images\/1\/snap$/m);
    const onDisk = run(', "direct_url": "file:///var/lib/glance/images/1"');
    assert.ok(!onDisk.ok, onDisk.out);
    assert.match(onDisk.out, /^active not in Ceph$/m);
    // Where the topology hides the location (show_image_direct_url off), the check asks only that the image is active.
    const hidden = render(analyze(onRbd.replace(/^config:\n/m, 'config:\n  glance:\n    glance-api.conf:\n      DEFAULT: { show_image_direct_url: false }\n'), TEST_ENV));
    assert.equal((art(hidden, 'controller', 'glance/verify-image-upload') as CheckArtifact).expect, '^active$');
    assert.match(file(hidden, 'controller', '/etc/glance/glance-api.conf').content, /^show_image_direct_url = false$/m);
  });
});

const shqArg = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
