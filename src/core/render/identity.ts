import { ServiceId } from '../services/registry';
import { ResolvedNode } from '../model';
import { asAdmin, RenderContext } from './context';
import { StepId } from './artifacts';
import { secretRef, sh } from './template';

/**
 * What one keystone session makes exist (the default domain's projects and users): names and the
 * environment variables that hold passwords, never a password itself.
 */
export interface IdentitySpec {
  domains?: { name: string; description: string }[];
  projects?: { name: string; description: string }[];
  roles?: string[];
  /** `password`: the environment variable with the user's password. */
  users?: { name: string; password: string }[];
  grants?: { user: string; project: string; role: string }[];
  services?: { name: string; type: string; description: string; region: string; endpoints: { interface: string; url: string }[] }[];
}

/**
 * Makes what a spec (JSON, argv 1) names exist in keystone, in one process and one admin session (an
 * `openstack` call costs seconds: a Python start and a token each). With `--check` it changes nothing,
 * lists what is missing and exits 1. A user counts as there when it signs in with its password (so a
 * rotated secret sets the new one); an endpoint whose URL changed is updated, not doubled. Runs on python2
 * (CentOS 7's client) and python3; admin credentials come from admin-openrc's OS_* variables.
 */
const ENSURE_IDENTITY = [
  'import json, os, sys',
  'from keystoneauth1 import session',
  'from keystoneauth1.identity import v3',
  'from keystoneclient.v3 import client',
  'spec = json.loads(sys.argv[1])',
  "check = sys.argv[2:] == ['--check']",
  'e = os.environ',
  "auth = v3.Password(auth_url=e['OS_AUTH_URL'], username=e['OS_USERNAME'], password=e['OS_PASSWORD'], project_name=e['OS_PROJECT_NAME'],",
  "                   user_domain_name=e['OS_USER_DOMAIN_NAME'], project_domain_name=e['OS_PROJECT_DOMAIN_NAME'])",
  "ks = client.Client(session=session.Session(auth=auth), interface='public')",
  'todo = []',
  'def need(what):',
  '    todo.append(what)',
  '    return not check',
  'def first(found):',
  '    return found[0] if found else None',
  'def signs_in(name, var):',
  '    try:',
  "        session.Session(auth=v3.Password(auth_url=e['OS_AUTH_URL'], username=name, password=e[var], user_domain_name='Default')).get_token()",
  '        return True',
  '    except Exception:',
  '        return False',
  "for d in spec.get('domains', []):",
  "    if not ks.domains.list(name=d['name']) and need('domain ' + d['name']):",
  "        ks.domains.create(d['name'], description=d['description'])",
  "for p in spec.get('projects', []):",
  "    if not ks.projects.list(domain='default', name=p['name']) and need('project ' + p['name']):",
  "        ks.projects.create(p['name'], 'default', description=p['description'])",
  "for r in spec.get('roles', []):",
  "    if not ks.roles.list(name=r) and need('role ' + r):",
  '        ks.roles.create(r)',
  "for u in spec.get('users', []):",
  "    if not signs_in(u['name'], u['password']):",
  "        found = first(ks.users.list(domain='default', name=u['name']))",
  "        if found and need('the password of user ' + u['name']):",
  "            ks.users.update(found, password=e[u['password']])",
  "        elif not found and need('user ' + u['name']):",
  "            ks.users.create(name=u['name'], domain='default', password=e[u['password']])",
  "for g in spec.get('grants', []):",
  "    user = first(ks.users.list(domain='default', name=g['user']))",
  "    project = first(ks.projects.list(domain='default', name=g['project']))",
  "    role = first(ks.roles.list(name=g['role']))",
  '    if not (user and project and role and ks.role_assignments.list(user=user, project=project, role=role)):',
  "        if need('role %s of user %s in project %s' % (g['role'], g['user'], g['project'])):",
  '            ks.roles.grant(role, user=user, project=project)',
  "for s in spec.get('services', []):",
  "    svc = first([x for x in ks.services.list(type=s['type']) if x.name == s['name']])",
  "    if not svc and need('service %s (%s)' % (s['name'], s['type'])):",
  "        svc = ks.services.create(s['name'], type=s['type'], description=s['description'])",
  "    for ep in s['endpoints']:",
  "        have = ks.endpoints.list(service=svc, interface=ep['interface'], region=s['region']) if svc else []",
  "        if any(x.url == ep['url'] for x in have) or not need('%s endpoint %s' % (ep['interface'], ep['url'])):",
  '            continue',
  '        if have:',
  "            ks.endpoints.update(have[0], url=ep['url'])",
  '        else:',
  "            ks.endpoints.create(svc, ep['url'], interface=ep['interface'], region=s['region'])",
  'if check and todo:',
  "    sys.exit('missing: ' + ', '.join(todo))",
  "print(('made: ' + ', '.join(todo)) if todo else 'all there')",
].join('\n');

/** The identity objects of `spec` as one command: made in one keystone session, checked in another. */
export function ensureIdentity(
  ctx: RenderContext,
  node: ResolvedNode,
  a: { step: StepId; service: ServiceId; id: string; title: string; spec: IdentitySpec; after?: { node: string; step: StepId }[] },
): void {
  const json = JSON.stringify(a.spec);
  const secrets = (a.spec.users ?? []).map((u) => u.password);
  ctx.command(node, {
    step: a.step,
    service: a.service,
    id: a.id,
    title: a.title,
    // The spec names the variables, never their values: on the command line it shows nothing secret.
    env: secrets.length ? secrets : undefined,
    run: asAdmin(ctx, sh(ctx.profile.python, '-c', ENSURE_IDENTITY, json)),
    check: asAdmin(ctx, `${sh(ctx.profile.python, '-c', ENSURE_IDENTITY, json, '--check')} >/dev/null 2>&1`),
    trustJournal: true,
    after: a.after,
  });
}

/**
 * The guide's "create the service credentials and API endpoints" block: a keystone user with the admin
 * role (and the `service` role) in the service project, the service entity and its public, internal and
 * admin endpoints.
 * Runs on the node of the service (it has admin-openrc and the client), in one keystone session.
 */
export function registerService(
  ctx: RenderContext,
  node: ResolvedNode,
  o: { step: string; service: ServiceId; user: string; secret: string; name: string; type: string; description: string; url: string },
): void {
  const keystone = ctx.host('keystone');
  ensureIdentity(ctx, node, {
    step: o.step,
    service: o.service,
    id: `${o.step}/register`,
    title: `keystone: user ${o.user} (admin and service in project service), service ${o.name} (${o.type}), its endpoints ${o.url}`,
    spec: {
      // The `service` role marks the user's tokens as a service's (X-Service-Token): cinder lets only a
      // service request delete a volume attachment that nova uses (OSSA-2023-003), so a detach needs it.
      roles: ['service'],
      users: [{ name: o.user, password: o.secret }],
      grants: [
        { user: o.user, project: 'service', role: 'admin' },
        { user: o.user, project: 'service', role: 'service' },
      ],
      services: [{ name: o.name, type: o.type, description: o.description, region: ctx.cloud.region, endpoints: ['public', 'internal', 'admin'].map((i) => ({ interface: i, url: o.url })) }],
    },
    after: keystone && keystone.name !== node.name ? [{ node: keystone.name, step: 'keystone' }] : undefined,
  });
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
