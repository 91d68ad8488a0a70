import { onProfile, ownerOf, ProjectId, REGISTRY, servicesOf, ServiceId } from '../services/registry';
import { ServiceOnProfile } from '../services/types';
import { catalogFor, fileOptions } from '../catalog/options';
import { hostsOf, ResolvedCloud, ResolvedNode } from '../model';
import { own } from '../own';
import { YamlPath } from '../parse';
import { ApiServer, Profile } from '../profiles';
import { Artifact, CheckArtifact, CommandArtifact, FileArtifact, NodeFacts, StepId } from './artifacts';
import { IniDoc, KeyValueDoc } from './ini';
import { PySettingsDoc } from './pysettings';
import { secretRef, sh, shq } from './template';

/** What a renderer gets: the resolved cloud, its profile, and a way to add artifacts to nodes. */
export class RenderContext {
  private readonly out = new Map<string, Artifact[]>();

  constructor(
    readonly cloud: ResolvedCloud,
    readonly profile: Profile,
    readonly facts: Record<string, NodeFacts> = {},
  ) {
    for (const n of cloud.nodes) this.out.set(n.name, []);
  }

  artifactsOf(node: string): Artifact[] {
    return this.out.get(node) ?? [];
  }

  /** A node's artifacts so far, which the context then forgets (renderScope). */
  takeArtifacts(node: string): Artifact[] {
    const list = this.artifactsOf(node);
    this.out.set(node, []);
    return list;
  }

  private readonly hostCache = new Map<ServiceId, ResolvedNode[]>();
  private readonly memo = new Map<string, unknown>();

  /** The single node running a service (the guide's "controller" for it). */
  host(service: ServiceId): ResolvedNode | undefined {
    return this.hosts(service)[0];
  }

  /** Nodes running a service, computed once per render (renderers ask for every node). */
  hosts(service: ServiceId): ResolvedNode[] {
    let h = this.hostCache.get(service);
    if (!h) this.hostCache.set(service, (h = hostsOf(this.cloud, service)));
    return h;
  }

  /** A value derived from the whole cloud, computed once per render (e.g. the /etc/hosts lines). */
  once<T>(key: string, make: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, make());
    return this.memo.get(key) as T;
  }

  /** Host name other nodes use to reach a service (the node name, resolved by the rendered /etc/hosts). */
  hostName(service: ServiceId): string {
    return this.host(service)?.name ?? 'controller';
  }

  /** The guide's `transport_url` of every service that talks to RabbitMQ. */
  transportUrl(): string {
    return `rabbit://openstack:${secretRef('RABBIT_PASS', 'url')}@${this.hostName('rabbitmq')}:5672/`;
  }

  keystoneUrl(suffix = ''): string {
    return `http://${this.hostName('keystone')}:5000${suffix}`;
  }

  add(node: ResolvedNode, a: Artifact): void {
    const list = this.out.get(node.name)!;
    if (list.some((x) => x.id === a.id)) throw new Error(`internal: duplicate artifact id ${a.id} on ${node.name}`);
    list.push(a);
  }

  file(node: ResolvedNode, f: Omit<FileArtifact, 'kind' | 'owner' | 'group' | 'mode' | 'language'> & Partial<Pick<FileArtifact, 'owner' | 'group' | 'mode' | 'language'>>): void {
    this.add(node, { kind: 'file', owner: 'root', group: 'root', mode: '0644', language: 'plaintext', ...f });
  }

  command(node: ResolvedNode, c: Omit<CommandArtifact, 'kind'>): void {
    this.add(node, { kind: 'command', ...c });
  }

  check(node: ResolvedNode, c: Omit<CheckArtifact, 'kind'>): void {
    this.add(node, { kind: 'check', ...c });
  }

  /** A header for generated files: stable (no dates), says where to change things. */
  header(what: string): string[] {
    return [`${what} — rendered by ostopo for cloud "${this.cloud.name}" (${this.profile.title}).`, 'Managed file: change the topology, not this file; ostopo reports edits made here as drift.'];
  }

  /** An oslo.config file with the node's and the cloud's overrides merged over it, as a file artifact. */
  iniFile(
    node: ResolvedNode,
    step: StepId,
    service: ServiceId,
    project: ProjectId,
    name: string,
    path: string,
    build: (ini: IniDoc) => void,
    opts: { owner?: string; group?: string; mode?: string; oslo?: boolean; description: string; catalog?: { service: string; file: string } },
  ): void {
    const oslo = opts.oslo ?? true;
    // Which options are multi-valued hardly changes between releases: a profile without its own catalog
    // (Train) borrows the newest one (catalogFor), so `[filter_scheduler] available_filters: [a, b]` is right there too.
    const catalog = catalogFor(this.profile);
    const options = opts.catalog && catalog ? fileOptions(catalog.release, opts.catalog.service, opts.catalog.file) : undefined;
    const ini = new IniDoc(oslo, (section, key) => own(own(options, section), key)?.t === 'm');
    build(ini);
    this.applyLayers(ini, node, project, name);
    const { text, lines } = ini.render(this.header(name));
    this.file(node, {
      id: `${step}/${name}`,
      step,
      service,
      path,
      owner: opts.owner ?? 'root',
      group: opts.group ?? 'root',
      mode: opts.mode ?? '0640',
      language: 'ini',
      content: text,
      origins: lines,
      description: opts.description,
    });
  }

  /**
   * A `key = value` file that holds only what the topology sets (libvirt's qemu.conf: the distribution's
   * own is all comments), written where the cloud or the node overrides it. Returns whether it is.
   */
  keyValueFile(node: ResolvedNode, step: StepId, service: ServiceId, project: ProjectId, name: string, path: string, opts: { mode?: string; description: string }): boolean {
    const global = this.cloud.config?.[project]?.[name];
    const mine = node.config?.[project]?.[name];
    if (!global && !mine) return false;
    const doc = new KeyValueDoc();
    this.applyLayers(doc, node, project, name);
    const { text, lines } = doc.render(this.header(name));
    this.file(node, { id: `${step}/${name}`, step, service, path, mode: opts.mode ?? '0600', language: 'properties', content: text, origins: lines, description: opts.description });
    return true;
  }

  /** The override layers over a rendered file, lowest first: the cloud's `config`, then the node's. */
  private applyLayers(
    doc: { applyOverrides(o: Record<string, unknown> | null | undefined, layer: 'global' | 'node', path: YamlPath): void },
    node: ResolvedNode,
    project: ProjectId,
    name: string,
  ): void {
    doc.applyOverrides(this.cloud.config?.[project]?.[name], 'global', ['config', project, name]);
    doc.applyOverrides(node.config?.[project]?.[name], 'node', ['nodes', node.name, 'config', project, name]);
  }

  /** A Django settings file (horizon's local_settings) with the cloud's and the node's overrides merged over it. */
  pySettingsFile(
    node: ResolvedNode,
    step: StepId,
    service: ServiceId,
    project: ProjectId,
    name: string,
    path: string,
    build: (doc: PySettingsDoc) => void,
    opts: { mode?: string; description: string },
  ): void {
    const doc = new PySettingsDoc();
    build(doc);
    this.applyLayers(doc, node, project, name);
    const { text, lines } = doc.render(this.header(name));
    this.file(node, { id: `${step}/${name}`, step, service, path, mode: opts.mode ?? '0644', language: 'python', content: text, origins: lines, description: opts.description });
  }

  /**
   * Install packages the profile's way. Debian starts daemons at install with their default configs: the
   * install runs under a policy-rc.d guard that forbids it. The guard is removed only when the install
   * completed: an install that is interrupted (Ctrl+C, a dropped connection: dpkg itself may go on) keeps
   * it, so whatever finishes the packages later starts nothing, and the next deploy rolls forward first
   * (`dpkg --configure -a`, under the guard). A policy-rc.d of the node's own is put back afterwards.
   */
  install(node: ResolvedNode, step: StepId, service: ServiceId | 'base', pkgs: string[], title?: string, opts: { withoutRecommends?: boolean } = {}): void {
    if (!pkgs.length) return;
    const list = pkgs.map(shq).join(' ');
    const weak = opts.withoutRecommends && this.profile.install.withoutRecommends;
    const cmd = `${this.profile.install.command}${weak ? ` ${weak}` : ''} ${list}`;
    const run = this.profile.preventStartOnInstall ? [...GUARDED_INSTALL_BEFORE, cmd, ...GUARDED_INSTALL_AFTER].join('\n') : cmd;
    this.command(node, {
      id: `${step}/install`,
      step,
      service,
      title: title ?? `install ${pkgs.join(' ')}`,
      run,
      packages: true,
      check: this.profile.install.installed.replace('{pkgs}', list),
    });
  }

  /** Enable and (re)start units; restarts when a listed file changed; `after`: steps of other nodes the start waits for. */
  start(node: ResolvedNode, step: StepId, service: ServiceId | 'base', units: string[], onChange: string[], after?: { node: string; step: StepId }[]): void {
    if (!units.length) return;
    const id = `${step}/start`;
    this.command(node, {
      id,
      step,
      service,
      after,
      title: `enable and start ${units.join(' ')}`,
      // After the restart, wait until each unit is active (or skipped by a failed condition, as chrony is
      // without CAP_SYS_TIME): a daemon that dies on a bad config fails here with its status, not later.
      run: [
        sh('systemctl', 'enable', ...units),
        sh('systemctl', 'restart', ...units),
        `for u in ${units.map(shq).join(' ')}; do`,
        '  for i in $(seq 1 60); do systemctl is-active --quiet "$u" && break; [ "$(systemctl show -p ConditionResult --value "$u")" = no ] && break; sleep 1; done',
        '  if ! systemctl is-active --quiet "$u" && [ "$(systemctl show -p ConditionResult --value "$u")" != no ]; then',
        '    echo "$u did not start:" >&2; systemctl status --no-pager -n 25 "$u" >&2; exit 1',
        '  fi',
        'done',
      ].join('\n'),
      check: units.map((u) => `systemctl is-enabled --quiet ${shq(u)} && { systemctl is-active --quiet ${shq(u)} || [ "$(systemctl show -p ConditionResult --value ${shq(u)})" = no ]; }`).join(' && '),
      onChange,
    });
    // Verify: every unit runs (or systemd skipped it on this node, and verify says why).
    this.check(node, {
      id: `${step}/running`,
      step,
      service,
      title: `${units.join(', ')} running on ${node.name}`,
      run: `systemctl is-active ${units.map(shq).join(' ')}`,
      // is-active exits non-zero unless every unit is active.
      expect: '^active$',
      units,
    });
  }

  /** How a service is installed and run on this profile (its descriptor's entry for the row or a row it extends). */
  on(service: ServiceId): ServiceOnProfile {
    const entry = onProfile(this.profile, service);
    if (!entry) throw new Error(`internal: ${REGISTRY[service].title} has no entry for ${this.profile.id} (validation reports this)`);
    return entry;
  }

  packages(service: ServiceId): string[] {
    return this.on(service).packages;
  }

  units(service: ServiceId): string[] {
    return this.on(service).units;
  }

  /** How a service's API is served on this profile (a daemon of its own unless the row says otherwise). */
  api(service: ServiceId): ApiServer {
    return this.on(service).api ?? { kind: 'daemon' };
  }

  /** The system user and group that own a project's files on this profile. */
  owner(project: ProjectId): string {
    const first = servicesOf(project)[0];
    if (!first) throw new Error(`internal: project ${project} has no service`);
    return ownerOf(this.profile, first);
  }

  /** Worker count for daemons, when the topology sets one. */
  get workers(): number | undefined {
    return this.cloud.workers;
  }

  /** Address a daemon on this node binds to: the node address where the profile binds explicitly. */
  bindAddress(node: ResolvedNode): string | undefined {
    return this.profile.bindToNodeAddress ? node.address : undefined;
  }
}

const GUARD = '/usr/sbin/policy-rc.d';
const GUARD_MARK = '# ostopo: no daemon starts during package installs';
const GUARDED_INSTALL_BEFORE = [
  `g=${GUARD}`,
  `# The guard (a policy-rc.d of the node's own waits beside it until the install is complete).`,
  `if [ -e "$g" ] && ! grep -qxF ${shq(GUARD_MARK)} "$g"; then mv -f "$g" "$g.ostopo-saved"; fi`,
  `printf '#!/bin/sh\\n%s\\nexit 101\\n' ${shq(GUARD_MARK)} > "$g" && chmod 755 "$g"`,
  '# Roll forward what an interrupted install left: wait for a dpkg still finishing it, then configure.',
  'for i in $(seq 1 600); do pgrep -x dpkg >/dev/null || break; sleep 1; done',
  'dpkg --configure -a',
];
const GUARDED_INSTALL_AFTER = ['if [ -e "$g.ostopo-saved" ]; then mv -f "$g.ostopo-saved" "$g"; else rm -f "$g"; fi'];

/** `. /root/admin-openrc && ...`: how commands get admin credentials on a node. */
export function asAdmin(ctx: RenderContext, run: string): string {
  return `. ${shq(ctx.profile.paths.openrcDir + '/admin-openrc')}\n${run}`;
}

/** A script that fails, naming what is missing, unless every expected line is in the command's output. */
export function expectLines(cmd: string, lines: string[], opts: { waitSeconds?: number } = {}): string {
  const wants = lines.map((l) => shq(l)).join(' ');
  if (!opts.waitSeconds) return [`out=$(${cmd})`, 'echo "$out"', `for want in ${wants}; do`, '  grep -qxF -- "$want" <<<"$out" || { echo "missing: $want"; exit 1; }', 'done'].join('\n');
  // Asked again every 5 s until every line is there or the time is up; the last answer is shown.
  return [
    `until_s=$((SECONDS + ${opts.waitSeconds}))`,
    'while :; do',
    `  out=$(${cmd}); missing=''`,
    `  for want in ${wants}; do grep -qxF -- "$want" <<<"$out" || missing+="missing: $want"$'\\n'; done`,
    '  [ -z "$missing" ] && { echo "$out"; exit 0; }',
    '  [ "$SECONDS" -ge "$until_s" ] && { echo "$out"; printf \'%s\' "$missing"; exit 1; }',
    '  sleep 5',
    'done',
  ].join('\n');
}
