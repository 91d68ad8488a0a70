import { ResolvedNode } from '../model';
import { RenderContext } from './context';
import { apiService, dbConnection } from './apiService';
import { ensureIdentity } from './identity';
import { secretRef, sh, shq } from './template';

export function renderKeystone(ctx: RenderContext, node: ResolvedNode): void {
  const { cloud } = ctx;
  const step = 'keystone';
  const base = { step, service: 'keystone' as const };
  const url = ctx.keystoneUrl('/v3/');
  apiService(ctx, node, 'keystone', {
    step,
    configure: () => {
      ctx.iniFile(
        node,
        step,
        'keystone',
        'keystone',
        'keystone.conf',
        '/etc/keystone/keystone.conf',
        (ini) => {
          ini.set('database', 'connection', ...dbConnection(ctx, 'keystone'));
          ini.set('token', 'provider', 'fernet', { layer: 'profile' });
        },
        {
          group: ctx.owner('keystone'),
          description: 'keystone: database connection and fernet tokens (guide: "Install and configure" keystone).',
          catalog: { service: 'keystone', file: 'keystone.conf' },
        },
      );
      return ['keystone/keystone.conf'];
    },
    serve: () => {
      const api = ctx.api('keystone');
      if (api.kind !== 'httpd-wsgi') return [];
      ctx.file(node, {
        ...base,
        id: `${step}/servername`,
        path: '/etc/httpd/conf.d/00-servername.conf',
        language: 'apacheconf',
        content: `# ${ctx.header('Apache ServerName')[0]}\n# The guide sets ServerName in httpd.conf; this drop-in does the same without editing the packaged file.\nServerName ${node.name}\n`,
        description: 'Apache ServerName of the controller (guide: "Configure the Apache HTTP server").',
      });
      if (api.link) {
        ctx.command(node, {
          ...base,
          id: `${step}/wsgi-link`,
          title: `link ${api.link.from} into Apache`,
          run: sh('ln', '-sfn', api.link.from, api.link.to),
          check: `test "$(readlink ${shq(api.link.to)})" = ${shq(api.link.from)}`,
        });
      }
      return [`${step}/servername`];
    },
    sync: [{ id: 'db-sync', title: 'keystone-manage db_sync', cmd: 'keystone-manage db_sync' }],
    afterSync: () => {
      const owner = ctx.owner('keystone');
      ctx.command(node, {
        ...base,
        id: `${step}/fernet-setup`,
        title: 'keystone-manage fernet_setup',
        run: `keystone-manage fernet_setup --keystone-user ${owner} --keystone-group ${owner}`,
        check: 'test -s /etc/keystone/fernet-keys/0',
      });
      ctx.command(node, {
        ...base,
        id: `${step}/credential-setup`,
        title: 'keystone-manage credential_setup',
        run: `keystone-manage credential_setup --keystone-user ${owner} --keystone-group ${owner}`,
        check: 'test -s /etc/keystone/credential-keys/0',
      });
      ctx.command(node, {
        ...base,
        id: `${step}/bootstrap`,
        title: 'keystone-manage bootstrap (admin user, identity endpoints)',
        env: ['ADMIN_PASS'],
        // keystone-manage reads the password from OS_BOOTSTRAP_PASSWORD: it never appears on a command line.
        run: `OS_BOOTSTRAP_PASSWORD="$ADMIN_PASS" ${sh('keystone-manage', 'bootstrap', '--bootstrap-admin-url', url, '--bootstrap-internal-url', url, '--bootstrap-public-url', url, '--bootstrap-region-id', cloud.region)}`,
      });
    },
    afterStart: () => identityObjects(ctx, node, step),
  });
}

/**
 * The guide's "Create a domain, projects, users, and roles" (the service project; with `guideSamples` its
 * sample objects too: the example domain, myproject, myuser, myrole), and verify's tokens.
 */
function identityObjects(ctx: RenderContext, node: ResolvedNode, step: string): void {
  const { profile } = ctx;
  const samples = ctx.cloud.guideSamples;
  const base = { step, service: 'keystone' as const };
  // The guide's "Create a domain, projects, users, and roles", in one keystone session. The example domain:
  // "Although the default domain already exists from the keystone-manage bootstrap step in this guide, a
  // formal way to create a new domain would be". myproject and myuser: "regular (non-admin) tasks". myrole
  // grants nothing by the services' default policies: with `member` (keystone's bootstrap makes it) myuser
  // can do the guide's "regular tasks" and use the dashboard (nova lists its instances). myuser counts as
  // there when it signs in: a DEMO_PASS changed in the topology sets the new password (rotation).
  ensureIdentity(ctx, node, {
    ...base,
    id: `${step}/identity`,
    title: `keystone: the guide's domain, projects, users and roles (${samples ? 'projects service and myproject, domain example, user myuser, role myrole; myuser: myrole and member in myproject' : 'project service'})`,
    spec: samples
      ? {
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
        }
      : { projects: [{ name: 'service', description: 'Service Project' }] },
  });

  for (const who of samples ? ['admin', 'demo'] : ['admin']) {
    ctx.check(node, {
      ...base,
      id: `${step}/verify-token-${who}`,
      title: `openstack token issue (${who})`,
      run: `. ${shq(`${profile.paths.openrcDir}/${who}-openrc`)}\nopenstack token issue -f value -c expires`,
      expect: '^\\d{4}-\\d{2}-\\d{2}',
    });
  }
  // clouds.yaml (renderOpenrc) answers for itself: no OS_* variable but the password, or none with secure.yaml.
  const passwords = ctx.cloud.cloudsYamlPasswords;
  ctx.check(node, {
    ...base,
    id: `${step}/verify-clouds-yaml`,
    title: `openstack --os-cloud admin token issue (clouds.yaml${passwords ? ', secure.yaml' : ''})`,
    run: [
      `. ${shq(`${profile.paths.openrcDir}/admin-openrc`)}`,
      'pw=$OS_PASSWORD',
      'for v in $(env | sed -n \'s/^\\(OS_[A-Za-z0-9_]*\\)=.*/\\1/p\'); do unset "$v"; done',
      `${passwords ? '' : 'OS_PASSWORD=$pw '}openstack --os-cloud admin token issue -f value -c expires`,
    ].join('\n'),
    expect: '^\\d{4}-\\d{2}-\\d{2}',
  });
}

export function renderOpenrc(ctx: RenderContext, node: ResolvedNode): void {
  const { profile } = ctx;
  const mk = (project: string, user: string, secret: string) =>
    [
      `# ${ctx.header(`${user === 'admin' ? 'admin' : 'demo'}-openrc`)[0]}`,
      'export OS_PROJECT_DOMAIN_NAME=Default',
      'export OS_USER_DOMAIN_NAME=Default',
      `export OS_PROJECT_NAME=${project}`,
      `export OS_USERNAME=${user}`,
      `export OS_PASSWORD=${secretRef(secret, 'sh')}`,
      `export OS_AUTH_URL=${ctx.keystoneUrl('/v3')}`,
      'export OS_IDENTITY_API_VERSION=3',
      'export OS_IMAGE_API_VERSION=2',
    ].join('\n') + '\n';
  // admin-openrc wherever `openstack` runs; demo-openrc where keystone runs (verify's token check uses it).
  const users: [string, string, string, string][] = [['admin', 'admin', 'admin', 'ADMIN_PASS']];
  if (node.services.includes('keystone') && ctx.cloud.guideSamples) users.push(['demo', 'myproject', 'myuser', 'DEMO_PASS']);
  for (const [who, project, user, secret] of users) {
    ctx.file(node, {
      id: `openrc/${who}-openrc`,
      step: 'openrc',
      service: 'keystone',
      path: `${profile.paths.openrcDir}/${who}-openrc`,
      mode: '0600',
      language: 'shellscript',
      content: mk(project, user, secret),
      description: `Client environment of the ${user} user (guide: "OpenStack client environment scripts").`,
    });
  }

  // The same users as clouds of clouds.yaml (`openstack --os-cloud admin`), where the client looks for it;
  // their passwords in secure.yaml only when the topology asks (cloudsYaml.passwords).
  const dir = `${profile.paths.openrcDir}/.config/openstack`;
  const clouds = ['clouds:'];
  for (const [who, project, user] of users)
    clouds.push(
      `  ${who}:`,
      '    auth:',
      `      auth_url: ${ctx.keystoneUrl('/v3')}`,
      `      username: ${user}`,
      `      project_name: ${project}`,
      '      user_domain_name: Default',
      '      project_domain_name: Default',
      `    region_name: ${JSON.stringify(ctx.cloud.region)}`,
      '    identity_api_version: 3',
      '    image_api_version: 2',
    );
  ctx.file(node, {
    id: 'openrc/clouds.yaml',
    step: 'openrc',
    service: 'keystone',
    path: `${dir}/clouds.yaml`,
    mode: '0644',
    language: 'yaml',
    content: [`# ${ctx.header('clouds.yaml')[0]}`, ...clouds].join('\n') + '\n',
    description: `The OpenStack client's clouds, without passwords: ${users.map(([w]) => w).join(', ')} (openstack --os-cloud NAME).`,
  });
  if (ctx.cloud.cloudsYamlPasswords) {
    const secure = ['clouds:', ...users.flatMap(([who, , , secret]) => [`  ${who}:`, '    auth:', `      password: ${secretRef(secret, 'yaml')}`])];
    ctx.file(node, {
      id: 'openrc/secure.yaml',
      step: 'openrc',
      service: 'keystone',
      path: `${dir}/secure.yaml`,
      mode: '0600',
      language: 'yaml',
      content: [`# ${ctx.header('secure.yaml')[0]}`, ...secure].join('\n') + '\n',
      description: 'The passwords of the clouds of clouds.yaml (cloudsYaml.passwords), readable by root only.',
    });
  }
}
