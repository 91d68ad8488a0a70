import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, render } from '../../src/core/compile';
import { completeAt } from '../../src/core/editor/complete';
import { hoverAt } from '../../src/core/editor/navigate';
import { CheckArtifact, CommandArtifact, FileArtifact, RenderedCloud } from '../../src/core/render/artifacts';
import { PySettingsDoc } from '../../src/core/render/pysettings';
import { lineOf, minimal, only } from './helpers';

const SETTINGS = '/etc/openstack-dashboard/local_settings.d/_9000_ostopo.py';
const run = (text: string) => analyze(text, {}).findings;

function rendered(text: string): RenderedCloud {
  const a = analyze(text, {});
  assert.deepEqual(
    a.findings.filter((f) => f.severity === 'error'),
    [],
  );
  return render(a, {});
}
const arts = (c: RenderedCloud, node: string) => c.nodes.find((n) => n.name === node)!.artifacts;
function file(c: RenderedCloud, node: string, p: string): FileArtifact {
  const f = arts(c, node).find((a): a is FileArtifact => a.kind === 'file' && a.path === p);
  assert.ok(f, `${node} has ${p}`);
  return f;
}

/** The settings Python reads from a rendered file: every statement must be `NAME = <literal>` (ast). */
function pythonReads(text: string): Record<string, unknown> {
  const script = [
    'import ast, json, sys',
    'tree = ast.parse(sys.stdin.read())',
    'out = {}',
    'for s in tree.body:',
    '    assert isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name), ast.dump(s)',
    '    out[s.targets[0].id] = ast.literal_eval(s.value)',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const withSettings = (body: string, node = false) =>
  node
    ? minimal().replace('    roles: [controller]\n', `    roles: [controller]\n    config:\n      horizon:\n        local_settings:\n${body}`)
    : `${minimal()}config:\n  horizon:\n    local_settings:\n${body}`;

describe("horizon: the dashboard's settings as Python literals", () => {
  it('a value of any shape reads back in Python exactly as the topology wrote it, and no character of it becomes code', () => {
    const nasty = ['"', "'", '\\', '"""', "'''", '\n', '\r\n', '\t', '\0', '\u2028', '\u2029', '\u0085', '#', '\\"', 'a" + __import__("os").system("id") + "', '${x}', '😀', '中文', '\u00e9'];
    const doc = new PySettingsDoc();
    const value = { strings: nasty, nested: { list: [1, -2, 3.5, true, false, null, []], empty: {} }, 'key "with" quotes': 'v' };
    doc.set('SOME_SETTING', value, { layer: 'global' });
    doc.set('PLAIN', 'x', { layer: 'profile' });
    doc.set('BIG', 12345678901, { layer: 'profile' });
    const { text, lines } = doc.render(['local_settings — rendered by ostopo for cloud "云 ☁️"']);
    assert.deepEqual(pythonReads(text), { SOME_SETTING: value, PLAIN: 'x', BIG: 12345678901 });
    // ASCII only: horizon reads a snippet in the locale's encoding, ASCII under Apache's LANG=C on Debian 12.
    assert.match(text, /^[\x00-\x7f]*$/);
    assert.match(text, /^# local_settings - rendered by ostopo for cloud "\\u4e91 \\u2601\\ufe0f"\n/);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-py-')), '_9000_ostopo.py');
    fs.writeFileSync(file, text);
    const horizonReads = spawnSync('/usr/bin/python3', ['-c', 'import json, sys\nns = {}\nexec(open(sys.argv[1]).read(), ns)\nprint(json.dumps(ns["SOME_SETTING"]))', file], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C', PYTHONUTF8: '0', PYTHONCOERCECLOCALE: '0' },
    });
    fs.rmSync(path.dirname(file), { recursive: true });
    assert.equal(horizonReads.status, 0, horizonReads.stderr);
    assert.deepEqual(JSON.parse(horizonReads.stdout), value);
    assert.equal(lines.length, 3);
    assert.equal(text.split('\n')[lines[1]!.line], 'PLAIN = "x"');
    assert.doesNotMatch(text, /[\u0085\u2028\u2029]/, 'no character an editor breaks lines at');
    // Names that are not setting names, values Python cannot hold: refused, never written.
    assert.throws(() => new PySettingsDoc().set('import os', 'x', { layer: 'global' }), /Django setting name/);
    assert.throws(() => new PySettingsDoc().set('X', Infinity, { layer: 'global' }), /not a number/);
  });

  it("overrides: a mapping merges into ostopo's (deeply), a list replaces, null removes; a node's over the cloud's", () => {
    const doc = new PySettingsDoc();
    doc.set('CACHES', { default: { BACKEND: 'b', LOCATION: 'l' } }, { layer: 'profile' });
    doc.set('ALLOWED_HOSTS', ['a', 'b'], { layer: 'profile' });
    doc.set('TIME_ZONE', 'UTC', { layer: 'profile' });
    doc.applyOverrides({ CACHES: { default: { LOCATION: 'm:11211' } }, ALLOWED_HOSTS: ['c'], TIME_ZONE: null }, 'global', ['config', 'horizon', 'local_settings']);
    assert.deepEqual(pythonReads(doc.render([]).text), { CACHES: { default: { BACKEND: 'b', LOCATION: 'm:11211' } }, ALLOWED_HOSTS: ['c'] });
  });
});

describe('horizon: the dashboard on the controller', () => {
  it("renders the guide's settings for the cloud, served by Apache with the settings in effect checked and the login tried", () => {
    const c = rendered(minimal());
    const f = file(c, 'controller', SETTINGS);
    assert.equal(f.language, 'python');
    const s = pythonReads(f.content);
    assert.equal(s.OPENSTACK_KEYSTONE_URL, 'http://controller:5000/v3');
    assert.deepEqual(s.ALLOWED_HOSTS, ['controller', '10.0.0.11', 'localhost']);
    assert.equal(s.SESSION_ENGINE, 'django.contrib.sessions.backends.cache');
    assert.deepEqual(s.CACHES, { default: { BACKEND: 'django.core.cache.backends.memcached.PyMemcacheCache', LOCATION: 'controller:11211' } });
    assert.equal(s.OPENSTACK_KEYSTONE_DEFAULT_DOMAIN, 'Default');
    // Networking option 1 (no self-service network): no routers or floating IPs in the panels.
    assert.equal((s.OPENSTACK_NEUTRON_NETWORK as Record<string, boolean>).enable_router, false);
    // Who set each line: ALLOWED_HOSTS comes from the node's address.
    const origin = f.origins!.find((o) => o.key === 'ALLOWED_HOSTS')!.origin;
    assert.deepEqual(origin, { layer: 'topology', path: ['nodes', 'controller', 'address'] });
    const ids = arts(c, 'controller').map((a) => a.id);
    for (const id of [
      'horizon/pre-install-1',
      'horizon/install',
      'horizon/server-conf',
      'horizon/local_settings',
      'horizon/compress',
      'horizon/start',
      'horizon/verify-settings',
      'horizon/verify-login-admin',
      'horizon/verify-login-demo',
    ])
      assert.ok(ids.includes(id), `${id} in ${ids.filter((i) => i.startsWith('horizon')).join(', ')}`);
    // In the guide's order: after keystone's and memcached's steps.
    assert.ok(ids.indexOf('horizon/install') > ids.indexOf('keystone/install'));
    const compress = arts(c, 'controller').find((a): a is CommandArtifact => a.id === 'horizon/compress')!;
    assert.deepEqual(compress.onChange, ['horizon/local_settings']);
    const start = arts(c, 'controller').find((a): a is CommandArtifact => a.id === 'horizon/start')!;
    assert.match(start.run, /systemctl restart apache2/);
    assert.ok(start.onChange?.includes('horizon/local_settings') && start.onChange.includes('horizon/server-conf'));
    // The login check takes the password from the openrc file's environment, never from its argv.
    const login = arts(c, 'controller').find((a): a is CheckArtifact => a.id === 'horizon/verify-login-admin')!;
    assert.match(login.run, /^\. '?\/root\/admin-openrc'?\npython3 - '?http:\/\/10\.0\.0\.11\/'? <<'PY' \|\| \{/);
    assert.doesNotMatch(login.run, /ADMIN_PASS|secret:/);
    // Nothing on the compute node.
    assert.ok(!arts(c, 'compute1').some((a) => a.service === 'horizon'));
  });

  it("verify signs in one user at a time where the row's keystoneauth needs it (Debian 12), both at once on Debian 13", () => {
    const logins = (text: string) => arts(rendered(text), 'controller').filter((a): a is CheckArtifact => a.kind === 'check' && /^horizon\/verify-login-/.test(a.id));
    const zed = logins(minimal());
    assert.equal(zed.length, 2);
    assert.deepEqual(
      zed.map((c) => c.exclusive),
      ['dashboard sign-in', 'dashboard sign-in'],
    );
    const epoxy = logins(minimal().replace('release: zed', 'release: 2025.1').replace('os: debian12', 'os: debian13'));
    assert.equal(epoxy.length, 2);
    assert.deepEqual(
      epoxy.map((c) => c.exclusive),
      [undefined, undefined],
    );
  });

  it('the sign-in check, run by the real bash and Python against a dashboard on loopback: signed in, refused, an HTTP error named with the end of the error log', async () => {
    const c = rendered(minimal());
    const login = arts(c, 'controller').find((a): a is CheckArtifact => a.id === 'horizon/verify-login-admin')!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-login-'));
    const errorLog = path.join(dir, 'error.log');
    fs.writeFileSync(errorLog, 'line 1\nTraceback (most recent call last):\nConnectionRefusedError: [Errno 111] Connection refused\n');
    let mode: 'ok' | 'refused' | 'broken' = 'ok';
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url}`);
        const signedIn = /sessionid=s1/.test(req.headers.cookie ?? '');
        if (mode === 'broken' && req.method === 'POST') return res.writeHead(500).end('<h1>Server Error (500)</h1>');
        if (req.url === '/auth/login/' && req.method === 'GET')
          return res
            .writeHead(200, { 'Set-Cookie': 'csrftoken=c1; Path=/' })
            .end('<form><input type="hidden" name="csrfmiddlewaretoken" value="t1"><input name="region" value="default"><input name="username"></form>');
        if (req.url === '/auth/login/') {
          const form = new URLSearchParams(body);
          const ok = mode === 'ok' && form.get('csrfmiddlewaretoken') === 't1' && form.get('username') === 'admin' && form.get('password') === 'pw "$(x)' && form.get('domain') === 'Default';
          if (!ok) return res.writeHead(200).end('<div class="alert alert-danger">Invalid credentials.</div>');
          return res.writeHead(302, { Location: '/', 'Set-Cookie': 'sessionid=s1; Path=/' }).end();
        }
        if (req.url === '/project/instances/')
          return signedIn ? res.writeHead(200).end('<span class="user-name">admin</span> Instances') : res.writeHead(302, { Location: '/auth/login/?next=/project/instances/' }).end();
        if (req.url === '/auth/logout/') return res.writeHead(302, { Location: '/auth/login/' }).end();
        return res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/`;
    const script = login.run
      .replace(/^\. .*\n/, `export OS_USERNAME=admin OS_USER_DOMAIN_NAME=Default OS_PASSWORD='pw "$(x)'\n`)
      .replaceAll('http://10.0.0.11/', url)
      .replaceAll('/var/log/openstack-dashboard/error.log', errorLog)
      .replace(/^python3 /m, '/usr/bin/python3 ');
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn('bash', ['-c', `set -e\n${script}`]);
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (out += d.toString()));
        p.on('close', (code) => resolve({ code, out }));
      });
    try {
      let r = await run();
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, new RegExp(login.expect!, 'm'));
      assert.match(r.out, /^signed in as admin: .*project\/instances\/ HTTP 200, \d+ bytes/m);
      // The sign-in's redirect is not followed: straight to the instances page, then out.
      assert.deepEqual(seen, ['GET /auth/login/', 'POST /auth/login/', 'GET /project/instances/', 'GET /auth/logout/']);
      mode = 'refused';
      r = await run();
      assert.equal(r.code, 1);
      assert.match(r.out, /the login was refused: Invalid credentials\./);
      mode = 'broken';
      r = await run();
      assert.equal(r.code, 1);
      assert.match(r.out, new RegExp(`POST ${url}auth/login/: HTTP 500 Internal Server Error`));
      assert.match(r.out, /the end of .*error\.log:\nline 1\nTraceback \(most recent call last\):\nConnectionRefusedError: \[Errno 111\] Connection refused/);
      assert.doesNotMatch(r.out, /pw "/, 'the password is not printed');
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('self-service networks turn the router panels on; CentOS 7 gets its own paths, cache backend and httpd setting', () => {
    const self = minimal()
      .replace(
        '    cidr: 10.0.0.0/24\n',
        '    cidr: 10.0.0.0/24\n  provider:\n    interface: eth1\n    cidr: 203.0.113.0/24\n    gateway: 203.0.113.1\n    allocationPool: { start: 203.0.113.101, end: 203.0.113.250 }\n  selfservice:\n    cidr: 172.16.1.0/24\n    gateway: 172.16.1.1\n',
      )
      .replace('    roles: [controller]\n', '    roles: [controller, network]\n')
      .replace('secrets:\n', 'secrets:\n  METADATA_SECRET: Str0ng-Metadata-Secret-1\n');
    const a = analyze(self, {});
    if (a.findings.some((f) => f.severity === 'error')) return assert.fail(a.findings.map((f) => f.message).join('\n'));
    const s = pythonReads(file(render(a, {}), 'controller', SETTINGS).content);
    assert.equal((s.OPENSTACK_NEUTRON_NETWORK as Record<string, boolean>).enable_router, true);
    const centos = rendered(minimal().replace('release: zed', 'release: train').replace('os: debian12', 'os: centos7'));
    const f = file(centos, 'controller', '/usr/share/openstack-dashboard/openstack_dashboard/local/local_settings.d/_9000_ostopo.py');
    assert.equal((pythonReads(f.content).CACHES as { default: { BACKEND: string } }).default.BACKEND, 'django.core.cache.backends.memcached.MemcachedCache');
    assert.match(file(centos, 'controller', '/etc/httpd/conf.d/openstack-dashboard-ostopo.conf').content, /^WSGIApplicationGroup %\{GLOBAL\}$/m);
  });

  it('overrides are rendered with who set them, and checked on their line: names, values, the catalog, types', () => {
    const t = withSettings('      TIME_ZONE: Asia/Shanghai\n      ALLOWED_HOSTS: [dashboard.example.com]\n      OPENSTACK_NEUTRON_NETWORK:\n        enable_quotas: false\n');
    assert.deepEqual(
      run(t).filter((f) => f.severity !== 'info'),
      [],
    );
    const f = file(rendered(t), 'controller', SETTINGS);
    const s = pythonReads(f.content);
    assert.equal(s.TIME_ZONE, 'Asia/Shanghai');
    assert.deepEqual(s.ALLOWED_HOSTS, ['dashboard.example.com']);
    assert.deepEqual(s.OPENSTACK_NEUTRON_NETWORK, { enable_router: false, enable_quotas: false, enable_distributed_router: false, enable_ha_router: false, enable_fip_topology_check: false });
    assert.deepEqual(f.origins!.find((o) => o.key === 'TIME_ZONE')!.origin, { layer: 'global', path: ['config', 'horizon', 'local_settings', 'TIME_ZONE'] });
    // A node's override.
    const n = withSettings('          TIME_ZONE: Europe/Paris\n', true);
    assert.equal(pythonReads(file(rendered(n), 'controller', SETTINGS).content).TIME_ZONE, 'Europe/Paris');

    const unknown = withSettings('      TIME_ZONES: UTC\n');
    const u = only(run(unknown), 'config/unknown-option');
    assert.equal(u.length, 1);
    assert.match(u[0]!.message, /local_settings has no setting `TIME_ZONES` in the defaults of Debian's python3-django-horizon .* did you mean `TIME_ZONE`\?/);
    assert.equal(u[0]!.range.start.line + 1, lineOf(unknown, 'TIME_ZONES:'));
    const typed = withSettings('      ALLOWED_HOSTS: dashboard.example.com\n');
    assert.match(only(run(typed), 'config/option-type')[0]!.message, /ALLOWED_HOSTS: its default is a list; a string is given/);
    const lower = withSettings('      time_zone: UTC\n');
    const bad = run(lower).filter((x) => x.severity === 'error');
    assert.equal(bad.length, 1);
    assert.match(bad[0]!.message, /Django setting name/);
    assert.equal(bad[0]!.range.start.line + 1, lineOf(lower, 'time_zone:'));
    const inf = withSettings('      SESSION_TIMEOUT: .inf\n');
    assert.equal(only(run(inf), 'value/unrenderable')[0]!.range.start.line + 1, lineOf(inf, 'SESSION_TIMEOUT:'));
  });

  it('the editor completes and documents the settings from the catalog', () => {
    const t = withSettings('      TIME_Z\n');
    const a = analyze(t, {});
    const labels = completeAt(a, t, { line: lineOf(t, 'TIME_Z') - 1, character: 12 }).map((e) => e.label);
    assert.ok(labels.includes('TIME_ZONE') && labels.includes('ALLOWED_HOSTS'), labels.slice(0, 5).join(', '));
    const h = withSettings('      SESSION_TIMEOUT: 3600\n');
    const hover = hoverAt(analyze(h, {}), { line: lineOf(h, 'SESSION_TIMEOUT') - 1, character: 8 });
    assert.match(hover?.markdown ?? '', /\*\*SESSION_TIMEOUT\*\* \(integer\) in local_settings/);
    assert.match(hover?.markdown ?? '', /Default: `3600`/);
  });
});
