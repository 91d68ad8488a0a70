import { ServiceId } from '../services/registry';
import { ResolvedNode } from '../model';
import { asAdmin, RenderContext } from './context';
import { secretRef, sh, shq } from './template';

/**
 * Creates a keystone user in the default domain, or sets its password when it exists, with the password
 * read from the environment variable it names: `openstack user create --password` would put the
 * password on the command line, where every user of the node sees it in `ps`. The script runs on
 * python2 and python3 alike (CentOS 7's client is python2); admin credentials come from
 * admin-openrc's OS_* variables, through keystoneclient, which the OpenStack client depends on.
 */
const ENSURE_USER = [
  'import os, sys',
  'from keystoneauth1 import session',
  'from keystoneauth1.identity import v3',
  'from keystoneclient.v3 import client',
  'name, var = sys.argv[1], sys.argv[2]',
  'e = os.environ',
  'auth = v3.Password(auth_url=e["OS_AUTH_URL"], username=e["OS_USERNAME"], password=e["OS_PASSWORD"], project_name=e["OS_PROJECT_NAME"],',
  '                   user_domain_name=e["OS_USER_DOMAIN_NAME"], project_domain_name=e["OS_PROJECT_DOMAIN_NAME"])',
  'ks = client.Client(session=session.Session(auth=auth), interface="public")',
  'found = ks.users.list(domain="default", name=name)',
  'if found:',
  '    ks.users.update(found[0], password=e[var])',
  'else:',
  '    ks.users.create(name=name, domain="default", password=e[var])',
].join('\n');

/**
 * Exits 0 when keystone user `name` (default domain) signs in with the password in environment variable
 * `var`, 1 when it does not: the check of a user proves its credential, not only that it exists, so a
 * password changed in the topology (rotation) makes the user's command run again and set it. An unscoped
 * token needs no role; the keystone URL comes from admin-openrc.
 */
const CAN_SIGN_IN =
  'import os, sys; from keystoneauth1 import session; from keystoneauth1.identity import v3; e = os.environ; ' +
  'session.Session(auth=v3.Password(auth_url=e["OS_AUTH_URL"], username=sys.argv[1], password=e[sys.argv[2]], user_domain_name="Default")).get_token()';

/** Shell that succeeds when keystone user `user` signs in with the password in environment variable `secret` (see CAN_SIGN_IN). */
export function canSignIn(ctx: RenderContext, user: string, secret: string): string {
  // A refused password is a traceback on stderr: the answer this check exists to give, not an error to show.
  return `${sh(ctx.profile.python, '-c', CAN_SIGN_IN, user, secret)} 2>/dev/null`;
}

/** Shell that makes keystone user `user` with the password in environment variable `secret` (see ENSURE_USER). */
export function ensureUser(ctx: RenderContext, user: string, secret: string): string {
  // The script names the variable, never its value: on the command line it shows nothing secret.
  return sh(ctx.profile.python, '-c', ENSURE_USER, user, secret);
}

/**
 * The guide's "create the service credentials and API endpoints" block: a keystone user with the admin
 * role in the service project, the service entity and its public, internal and admin endpoints.
 * Runs on the node of the service (it has admin-openrc and the client); each command checks first.
 */
export function registerService(
  ctx: RenderContext,
  node: ResolvedNode,
  o: { step: string; service: ServiceId; user: string; secret: string; name: string; type: string; description: string; url: string },
): void {
  const base = { step: o.step, service: o.service };
  const after = ctx.host('keystone') && ctx.host('keystone')!.name !== node.name ? [{ node: ctx.host('keystone')!.name, step: 'keystone' }] : undefined;
  ctx.command(node, {
    ...base,
    id: `${o.step}/user`,
    title: `keystone user ${o.user} with the admin role in project service`,
    env: [o.secret],
    run: asAdmin(ctx, `${ensureUser(ctx, o.user, o.secret)}\n${sh('openstack', 'role', 'add', '--project', 'service', '--user', o.user, 'admin')}`),
    check: asAdmin(
      ctx,
      `${canSignIn(ctx, o.user, o.secret)} && ${sh('openstack', 'role', 'assignment', 'list', '--project', 'service', '--user', o.user, '--role', 'admin', '-f', 'value')} | grep -q .`,
    ),
    trustJournal: true,
    after,
  });
  ctx.command(node, {
    ...base,
    id: `${o.step}/service-entity`,
    title: `service ${o.name} (${o.type})`,
    run: asAdmin(ctx, sh('openstack', 'service', 'create', '--name', o.name, '--description', o.description, o.type)),
    check: asAdmin(ctx, `${sh('openstack', 'service', 'show', o.name)} >/dev/null 2>&1`),
    trustJournal: true,
  });
  for (const iface of ['public', 'internal', 'admin']) {
    ctx.command(node, {
      ...base,
      id: `${o.step}/endpoint-${iface}`,
      title: `${iface} endpoint ${o.url}`,
      run: asAdmin(ctx, sh('openstack', 'endpoint', 'create', '--region', ctx.cloud.region, o.type, iface, o.url)),
      check: asAdmin(ctx, `${sh('openstack', 'endpoint', 'list', '--service', o.type, '--interface', iface, '--region', ctx.cloud.region, '-f', 'value', '-c', 'URL')} | grep -qxF ${shq(o.url)}`),
      trustJournal: true,
    });
  }
}

/** [keystone_authtoken] as the guide writes it for a service user. */
export function authtoken(ctx: RenderContext, user: string, secretPlaceholder: string, opts: { authUrlSuffix: string; wwwUri?: string }): [string, string][] {
  const memcache = ctx.host('memcached');
  const out: [string, string][] = [];
  if (opts.wwwUri !== undefined) out.push(['www_authenticate_uri', ctx.keystoneUrl(opts.wwwUri)]);
  out.push(['auth_url', ctx.keystoneUrl(opts.authUrlSuffix)]);
  if (memcache) out.push(['memcached_servers', `${memcache.name}:11211`]);
  out.push(
    ['auth_type', 'password'],
    ['project_domain_name', 'Default'],
    ['user_domain_name', 'Default'],
    ['project_name', 'service'],
    ['username', user],
    ['password', secretPlaceholder],
    ['region_name', ctx.cloud.region],
  );
  return out;
}

/**
 * A keystoneauth password-plugin section (nova's [neutron] and [service_user], neutron's [nova]):
 * a service user of the service project, authenticating against keystone.
 */
export function passwordAuth(ctx: RenderContext, user: string, secret: string, o: { authUrlSuffix?: string; region?: boolean } = {}): [string, string][] {
  return [
    ['auth_url', ctx.keystoneUrl(o.authUrlSuffix ?? '')],
    ['auth_type', 'password'],
    ['project_domain_name', 'Default'],
    ['user_domain_name', 'Default'],
    ...(o.region === false ? [] : ([['region_name', ctx.cloud.region]] as [string, string][])),
    ['project_name', 'service'],
    ['username', user],
    ['password', secretRef(secret)],
  ];
}
