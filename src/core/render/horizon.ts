import { ResolvedNode } from '../model';
import { installServices } from './apiService';
import { RenderContext } from './context';
import { shq } from './template';

/**
 * The guide's "Dashboard" chapter: the distribution's dashboard package under its web server, and the
 * settings the guide edits in local_settings, written as a snippet horizon reads after the
 * distribution's local_settings and snippets (so Debian's locmem cache does not win over memcached).
 */
export function renderHorizon(ctx: RenderContext, node: ResolvedNode): void {
  const { profile } = ctx;
  const step = 'horizon';
  const dash = profile.dashboard;
  const files = installServices(ctx, node, step, 'horizon', ['horizon'], []);
  if (dash.serverConf) {
    ctx.file(node, {
      id: `${step}/server-conf`,
      step,
      service: 'horizon',
      path: dash.serverConf.path,
      language: 'apacheconf',
      content: [...ctx.header('dashboard web server settings').map((h) => `# ${h}`), ...dash.serverConf.lines].join('\n') + '\n',
      description: "What the guide adds to the dashboard's web server config: WSGIApplicationGroup %{GLOBAL} (the Python extensions it loads work only in the main interpreter).",
    });
    files.push(`${step}/server-conf`);
  }
  const bind = ctx.bindAddress(node);
  if (bind && dash.listenConf) {
    // Apache listens on the node's address only, as every other service ostopo binds (not on all of the host's).
    ctx.file(node, {
      id: `${step}/listen`,
      step,
      service: 'horizon',
      path: dash.listenConf,
      language: 'apacheconf',
      content:
        [
          ...ctx.header('Apache listen addresses').map((h) => `# ${h}`),
          `Listen ${bind}:80`,
          '',
          '<IfModule ssl_module>',
          `\tListen ${bind}:443`,
          '</IfModule>',
          '',
          '<IfModule mod_gnutls.c>',
          `\tListen ${bind}:443`,
          '</IfModule>',
        ].join('\n') + '\n',
      description: "Apache's listen addresses: the dashboard on port 80 of the node's address only.",
    });
    files.push(`${step}/listen`);
  }
  const keystone = ctx.hostName('keystone');
  const from = (path: (string | number)[]) => ({ layer: 'topology' as const, path });
  ctx.pySettingsFile(
    node,
    step,
    'horizon',
    'horizon',
    'local_settings',
    dash.settings,
    (doc) => {
      doc.set('OPENSTACK_KEYSTONE_URL', ctx.keystoneUrl('/v3'), from(['nodes', keystone]));
      // The names a browser may use for this node; add a public name with an override.
      doc.set('ALLOWED_HOSTS', [node.name, node.address, 'localhost'], from(['nodes', node.name, 'address']));
      doc.set('SESSION_ENGINE', 'django.contrib.sessions.backends.cache', { layer: 'profile' });
      doc.set('CACHES', { default: { BACKEND: dash.cacheBackend, LOCATION: `${ctx.hostName('memcached')}:11211` } }, from(['nodes', ctx.hostName('memcached')]));
      doc.set('OPENSTACK_KEYSTONE_MULTIDOMAIN_SUPPORT', true, { layer: 'profile' });
      doc.set('OPENSTACK_API_VERSIONS', { identity: 3, image: 2, volume: 3 }, { layer: 'profile' });
      doc.set('OPENSTACK_KEYSTONE_DEFAULT_DOMAIN', 'Default', { layer: 'profile' });
      // The guide says "user", a role its keystone chapter never creates; keystone's bootstrap makes `member`.
      doc.set('OPENSTACK_KEYSTONE_DEFAULT_ROLE', 'member', { layer: 'profile' });
      // Networking option 1 (provider networks only) has no routers or floating IPs to show.
      const routers = !!ctx.cloud.selfservice;
      doc.set(
        'OPENSTACK_NEUTRON_NETWORK',
        { enable_router: routers, enable_quotas: routers, enable_distributed_router: false, enable_ha_router: false, enable_fip_topology_check: routers },
        routers ? from(['networks', 'selfservice']) : { layer: 'profile' },
      );
      doc.set('TIME_ZONE', 'UTC', { layer: 'profile' });
    },
    { description: 'horizon\'s settings (guide: "Install and configure components" of the dashboard): keystone, memcached sessions, allowed hosts, networking panels.' },
  );
  files.push(`${step}/local_settings`);
  // The offline-compressed templates depend on the settings (the login form's domain field): compress
  // again after they change, or every page fails with OfflineGenerationError.
  ctx.command(node, {
    id: `${step}/compress`,
    step,
    service: 'horizon',
    title: "compress the dashboard's templates for its settings",
    run: `cd / && ${dash.compress.run}`,
    check: `[ ${shq(dash.compress.manifest)} -nt ${shq(dash.settings)} ]`,
    onChange: [`${step}/local_settings`],
  });
  ctx.start(node, step, 'horizon', ctx.units('horizon'), files);
  const url = `http://${node.address}${dash.webroot}`;
  // The dashboard's first request loads Django and its panels (seconds on a small node): made once after
  // each (re)start, in the background (the deploy does not wait), so that its first user does not wait.
  ctx.command(node, {
    id: `${step}/preload`,
    step,
    service: 'horizon',
    title: 'load the dashboard once in the background (its first request loads it)',
    run: `setsid ${profile.python} -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=300).read()' ${shq(`${url}auth/login/`)} </dev/null >/dev/null 2>&1 3>&- &`,
    check: 'true',
    onChange: files,
  });

  // The settings the dashboard runs with are the ones rendered: horizon swallows a snippet that fails.
  // Read in the C locale without Python's UTF-8 coercion, as under Apache's LANG=C (Debian's envvars).
  ctx.check(node, {
    id: `${step}/verify-settings`,
    step,
    service: 'horizon',
    title: 'the dashboard runs with the rendered settings',
    run: `cd / && runuser -u ${shq(dash.user)} -- env LC_ALL=C PYTHONCOERCECLOCALE=0 PYTHONUTF8=0 DJANGO_SETTINGS_MODULE=openstack_dashboard.settings ${profile.python} - ${shq(dash.settings)} <<'PY'\n${SETTINGS_CHECK}\nPY`,
    expect: '^settings in effect: ',
  });
  const signIn = (id: string, openrc: string, who: string) =>
    ctx.check(node, {
      id: `${step}/${id}`,
      step,
      service: 'horizon',
      title: `sign in to the dashboard as ${who} (${url})`,
      // The password comes from the openrc file into the environment, never into argv.
      run: [
        `. ${shq(`${profile.paths.openrcDir}/${openrc}`)}`,
        `${profile.python} - ${shq(url)} <<'PY' || { rc=$?; echo "the end of ${dash.errorLog}:"; tail -n 3 ${shq(dash.errorLog)} | cut -c1-400; exit $rc; }`,
        LOGIN_CHECK,
        'PY',
      ].join('\n'),
      expect: '^signed in as ',
      // One sign-in at a time unless the row's keystoneauth allows more: Debian 12's walks sys.modules to
      // name its user agent under mod_wsgi, and a second thread of a fresh dashboard process importing at
      // that moment makes it fail with "dictionary changed size during iteration" (HTTP 500; seen in CI).
      exclusive: dash.signInsAtOnce ? undefined : 'dashboard sign-in',
    });
  signIn('verify-login-admin', 'admin-openrc', 'admin');
  if (ctx.cloud.guideSamples && node.services.includes('keystone')) signIn('verify-login-demo', 'demo-openrc', 'myuser');
}

/** Compares every setting of the rendered snippet (literals only) with Django's settings as loaded. */
const SETTINGS_CHECK = `import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
want = {}
for stmt in tree.body:
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
        sys.exit('not a setting: line %d' % stmt.lineno)
    try:
        want[stmt.targets[0].id] = ast.literal_eval(stmt.value)
    except ValueError:
        sys.exit('not a literal: line %d' % stmt.lineno)
from django.conf import settings
bad = [n for n in sorted(want) if getattr(settings, n, None) != want[n]]
for n in bad:
    print('%s = %r (rendered: %r)' % (n, getattr(settings, n, None), want[n]))
if bad:
    sys.exit(1)
print('settings in effect: ' + ', '.join(sorted(want)))`;

/**
 * Signs in the way a browser does: the login page (CSRF cookie and token), the form posted with the
 * user's domain, name and password, then a page only a signed-in user sees, then sign out. Redirects
 * are not followed: the overview a sign-in leads to asks compute for its usage figures (seconds).
 * Any other HTTP error is named with its request.
 */
const LOGIN_CHECK = `import os, re, sys
try:
    from urllib.request import build_opener, HTTPCookieProcessor, HTTPRedirectHandler, Request
    from urllib.error import HTTPError
    from urllib.parse import urlencode
    from http.cookiejar import CookieJar
except ImportError:
    from urllib2 import build_opener, HTTPCookieProcessor, HTTPRedirectHandler, Request, HTTPError
    from urllib import urlencode
    from cookielib import CookieJar
class Stay(HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None
root = sys.argv[1]
opener = build_opener(HTTPCookieProcessor(CookieJar()), Stay())
def get(path, data=None):
    """(where the answer points: its Location or the URL itself, HTTP status, body); redirects are not followed."""
    req = Request(root + path, data=data, headers={'Referer': root + 'auth/login/'})
    try:
        res = opener.open(req, timeout=60)
    except HTTPError as e:
        if e.code in (301, 302, 303):
            return e.info().get('Location', ''), e.code, ''
        sys.exit('%s %s%s: HTTP %d %s' % ('POST' if data else 'GET', root, path, e.code, e.reason))
    return res.geturl(), res.getcode(), res.read().decode('utf-8', 'replace')
where, code, page = get('auth/login/')
form = {}
for tag in re.findall(r'<input[^>]*>', page):
    name = re.search(r'name="([^"]*)"', tag)
    value = re.search(r'value="([^"]*)"', tag)
    if name:
        form[name.group(1)] = value.group(1) if value else ''
if 'csrfmiddlewaretoken' not in form:
    sys.exit('no CSRF token on the login page %s (HTTP %d)' % (where, code))
user = os.environ['OS_USERNAME']
form.update({'domain': os.environ.get('OS_USER_DOMAIN_NAME', 'Default'), 'username': user, 'password': os.environ['OS_PASSWORD']})
where, code, page = get('auth/login/', urlencode(form).encode())
if code not in (302, 303) or '/auth/login' in where:
    err = re.search(r'class="alert[^"]*"[^>]*>(.*?)</', page, re.S)
    sys.exit('the login was refused: %s' % (err.group(1).strip() if err else 'the login page again'))
where, code, page = get('project/instances/')
if code != 200:
    sys.exit('the instances page sent back to %s (HTTP %d)' % (where, code))
if user not in page:
    sys.exit('the instances page does not show the user %s' % user)
get('auth/logout/')
print('signed in as %s: %s HTTP %d, %d bytes, the user menu shows %s' % (user, where, code, len(page), user))`;
