import { ResolvedNode } from '../model';
import type { UwsgiApi } from '../profiles';
import { REGISTRY, ServiceId } from '../services/registry';
import { StepId } from './artifacts';
import { RenderContext } from './context';
import { registerService } from './identity';
import { Origin } from './ini';
import { secretRef } from './template';

/**
 * The guide's `connection` URL of one of a service's databases (its descriptor's `database`: user,
 * password, names; the first by default), with where it comes from: the MariaDB node, or the secret.
 */
export function dbConnection(ctx: RenderContext, service: ServiceId, name?: string): [string, Origin] {
  const d = REGISTRY[service].database;
  if (!d) throw new Error(`internal: ${service} has no database`);
  const db = ctx.host('mariadb');
  const url = `mysql+pymysql://${d.user}:${secretRef(d.secret, 'url')}@${ctx.hostName('mariadb')}/${name ?? d.names[0]}`;
  return [url, { layer: 'topology', path: db ? ['nodes', db.name] : ['secrets', d.secret] }];
}

/** A command of the database step, run as the service's user once its databases exist. */
export interface DbSync {
  id: string;
  title: string;
  /** Run by the service's system user (`su -s /bin/sh -c ...`). */
  cmd: string;
  /** Skip when this passes (for steps that are not idempotent themselves). */
  check?: string;
}

/** What an API service adds to the guide's pattern; every part but `configure` is optional. */
export interface ApiRecipe {
  step: StepId;
  /** The services this node's step installs and starts together (default: the one service). */
  services?: ServiceId[];
  /** Packages besides the services' own (nova-compute's hypervisor driver). */
  extraPackages?: string[];
  /** Leave the packages' Recommends out (profile.install.withoutRecommends). */
  withoutRecommends?: boolean;
  /** Steps of other nodes the start waits for (compute nodes wait for the controller; their install does not). */
  startAfter?: { node: string; step: StepId }[];
  /** Before the install: facts the rest depends on. */
  beforeInstall?(): void;
  /** Writes the config files; returns the ids of those whose change restarts the units. */
  configure(): string[];
  /** How the API is served beyond the profile's uwsgi defaults (Apache vhosts, links); returns file ids. */
  serve?(): string[];
  /** The database commands, in order (db sync, cells...). */
  sync?: DbSync[];
  /** After the database commands, before the start (keystone's fernet keys and bootstrap). */
  afterSync?(): void;
  /** Units started, when not the services' own. */
  units?: string[];
  /** After the start: objects made through the API, and verify's checks. */
  afterStart?(): void;
}

/**
 * The install guide's pattern for an OpenStack API service, one recipe for all of them: its keystone
 * user, service and endpoints (from the descriptor's `keystone`), the packages (after the profile's
 * pre-install commands and files), the config files, how the API is served, the database commands (its
 * databases and grants come from the descriptor's `database`, on the MariaDB node, before any service),
 * the start of its units, then what needs the running API. Each step's artifacts keep stable ids.
 */
export function apiService(ctx: RenderContext, node: ResolvedNode, service: ServiceId, r: ApiRecipe): void {
  const { step } = r;
  const services = r.services ?? [service];
  const d = REGISTRY[service];
  r.beforeInstall?.();
  const preFiles = installServices(ctx, node, step, service, services, r.extraPackages ?? [], { withoutRecommends: r.withoutRecommends });
  // Registered after the install (the guide registers first; nothing of the install needs it): the install
  // then leads the step, and a deploy runs it ahead, beside the steps before (CommandArtifact.packages).
  if (d.keystone && node.services.includes(service)) {
    const k = d.keystone;
    registerService(ctx, node, { step, service, user: k.user, secret: k.secret, name: k.name, type: k.type, description: k.description, url: `http://${node.name}:${k.port}${k.path ?? ''}` });
  }
  const files = [...preFiles, ...r.configure()];
  const api = ctx.api(service);
  if (api.kind === 'uwsgi' && node.services.includes(service)) {
    uwsgiDefaults(ctx, node, step, service, api);
    files.push(`${step}/uwsgi-defaults`);
  }
  files.push(...(r.serve?.() ?? []));
  const db = ctx.host('mariadb');
  const owner = ctx.owner(d.project);
  for (const [i, c] of (r.sync ?? []).entries()) {
    ctx.command(node, {
      step,
      service,
      id: `${step}/${c.id}`,
      title: c.title,
      run: `su -s /bin/sh -c ${JSON.stringify(c.cmd)} ${owner}`,
      check: c.check,
      // A check that takes seconds (nova-manage cell_v2 list_cells): the journal vouches for what it made before.
      trustJournal: c.check ? true : undefined,
      // The first waits for the databases, made on the MariaDB node.
      after: i === 0 && d.database && db && db.name !== node.name ? [{ node: db.name, step: `${d.project}-database` }] : undefined,
    });
  }
  r.afterSync?.();
  ctx.start(node, step, service, r.units ?? [...new Set(services.flatMap((s) => ctx.units(s)))], files, r.startAfter);
  r.afterStart?.();
}

/**
 * The pre-install commands and files of the services (each once), then one install of their packages.
 * Returns the ids of the pre-install files (a change restarts the units).
 */
export function installServices(
  ctx: RenderContext,
  node: ResolvedNode,
  step: StepId,
  service: ServiceId,
  services: ServiceId[],
  extra: string[],
  opts: { withoutRecommends?: boolean } = {},
): string[] {
  const pre = [...new Set(services.flatMap((s) => ctx.on(s).preInstall ?? []))];
  pre.forEach((c, i) => ctx.command(node, { step, service, id: `${step}/pre-install-${i + 1}`, title: c.title, run: c.run, check: c.check, packages: true }));
  const files: string[] = [];
  for (const s of services) {
    for (const f of ctx.on(s).preInstallFiles ?? []) {
      const id = `${step}/${f.path.split('/').pop()}`;
      ctx.file(node, {
        step,
        service: s,
        id,
        path: f.path,
        mode: '0644',
        language: 'shellscript',
        content: [...ctx.header(f.path).map((h) => `# ${h}`), ...f.lines].join('\n') + '\n',
        description: f.description,
      });
      files.push(id);
    }
  }
  // Services of one project may share a package (RDO's openstack-neutron carries three agents).
  const withoutRecommends = opts.withoutRecommends || services.every((s) => ctx.on(s).withoutRecommends);
  ctx.install(node, step, service, [...new Set([...services.flatMap((s) => ctx.packages(s)), ...extra])], undefined, { withoutRecommends });
  return files;
}

/** Debian's uwsgi APIs take their listen address and size from /etc/default/<NAME>. */
export function uwsgiDefaults(ctx: RenderContext, node: ResolvedNode, step: string, service: ServiceId, api: UwsgiApi, id = `${step}/uwsgi-defaults`): void {
  const args = [`--http-socket ${node.address}:${api.port}`, '--add-header Connection:close', `--ini ${api.ini}`];
  if (ctx.workers) args.push(`--processes ${ctx.workers}`);
  if (api.threads) args.push(`--threads ${api.threads}`);
  const size = [ctx.workers ? `${ctx.workers} process(es) (workers)` : '', api.threads ? `${api.threads} thread(s) each` : ''].filter(Boolean).join(', ');
  ctx.file(node, {
    id,
    step,
    service,
    path: api.defaultsFile,
    language: 'shellscript',
    content: `# ${ctx.header(api.defaultsFile)[0]}\n# uwsgi listens on the node address only${size ? `, with ${size}` : ''}.\nDAEMON_ARGS="${args.join(' ')}"\n`,
    description: `uwsgi listen address of ${service} (${node.address}:${api.port}) and its worker processes.`,
  });
}
