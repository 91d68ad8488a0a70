import { Finding } from './findings';
import { ResolvedCloud } from './model';
import { ParsedDocument, YamlPath } from './parse';
import { Artifact, FileArtifact } from './render/artifacts';
import { RenderScope } from './render/index';
import { configReadOrders, REGISTRY, ServiceId } from './services/registry';
import { t } from './l10n';

/**
 * Rules that need the rendered files: what an override really does once every layer is merged.
 * They run only on a topology without errors (it renders), and only when they can find something, on a
 * render of what they read (renderedRulesScope).
 */

/**
 * What `checkRendered` needs rendered: the projects of the daemons that read several files, on the nodes
 * where an override of a file another can shadow applies (every node, for a topology-wide one).
 * Undefined when there is nothing to look at. Nodes that would render the same keys are rendered once:
 * the same services and the same overrides of those projects (values included: a value may choose what a
 * file holds, as compute_driver does) differ only in values (addresses, names), never in which options a
 * file sets; `members` maps each rendered node to the nodes it stands for (itself first).
 */
export function renderedRulesScope(cloud: ResolvedCloud): (RenderScope & { members: ReadonlyMap<string, string[]> }) | undefined {
  const order = cloud.profile ? configReadOrders(cloud.profile) : {};
  const daemons = Object.keys(order) as ServiceId[];
  const shadowable = new Set(Object.values(order).flatMap((files) => (files ?? []).slice(0, -1)));
  if (!shadowable.size) return undefined;
  const touches = (c: ResolvedCloud['config']) => Object.values(c ?? {}).some((files) => files && typeof files === 'object' && Object.keys(files).some((f) => shadowable.has(f)));
  const everywhere = touches(cloud.config);
  const nodes = cloud.nodes.filter((n) => n.services.some((s) => daemons.includes(s)) && (everywhere || touches(n.config)));
  if (!nodes.length) return undefined;
  const projects = new Set(daemons.map((d) => REGISTRY[d].project));
  const members = new Map<string, string[]>();
  const bySignature = new Map<string, string[]>();
  for (const n of nodes) {
    const own = [...projects].map((p) => (n.config as Record<string, unknown> | undefined)?.[p] ?? null);
    const signature = JSON.stringify([n.services, own]);
    const group = bySignature.get(signature);
    if (group) group.push(n.name);
    else {
      const g = [n.name];
      bySignature.set(signature, g);
      members.set(n.name, g);
    }
  }
  return { nodes: new Set(members.keys()), projects, members };
}

/**
 * config/shadowed-option: an override in a file that a daemon reads before another file which sets the
 * same option (Debian's nova-compute reads nova-compute.conf after nova.conf): the daemon never sees it.
 * Reported on the override's line, once per line, naming the nodes and the file that wins.
 */
export function checkRendered(doc: ParsedDocument, cloud: ResolvedCloud, rendered: Iterable<{ node: string; artifacts: Artifact[] }>, members: ReadonlyMap<string, string[]> = new Map()): Finding[] {
  const order = cloud.profile ? configReadOrders(cloud.profile) : {};
  const hits = new Map<string, { path: YamlPath; section: string; key: string; file: string; later: string; daemon: string; by: string; nodes: Set<string> }>();
  const nodes = new Map(cloud.nodes.map((n) => [n.name, n]));
  for (const r of rendered) {
    const node = nodes.get(r.node)!;
    const files = r.artifacts.filter((a): a is FileArtifact => a.kind === 'file' && !!a.origins);
    const byName = (name: string) => files.find((f) => f.id.endsWith(`/${name}`));
    for (const [daemon, names] of Object.entries(order)) {
      if (!names || !node.services.includes(daemon as never)) continue;
      names.forEach((name, i) => {
        const earlier = byName(name);
        for (const o of earlier?.origins ?? []) {
          if ((o.origin.layer !== 'global' && o.origin.layer !== 'node') || !o.origin.path) continue;
          for (const laterName of names.slice(i + 1).reverse()) {
            const winner = byName(laterName)?.origins?.find((x) => x.section === o.section && x.key === o.key);
            if (!winner) continue;
            // The same finding on each node this render stands for, at that node's own override.
            for (const member of members.get(node.name) ?? [node.name]) {
              const path = o.origin.layer === 'node' && o.origin.path[0] === 'nodes' ? ['nodes', member, ...o.origin.path.slice(2)] : o.origin.path;
              const id = path.join('\u0001');
              const hit = hits.get(id) ?? {
                path,
                section: o.section,
                key: o.key,
                file: name,
                later: laterName,
                daemon,
                by: LAYER_WORDS[winner.origin.layer] ?? winner.origin.layer,
                nodes: new Set<string>(),
              };
              hit.nodes.add(member);
              hits.set(id, hit);
            }
            break;
          }
        }
      });
    }
  }
  return [...hits.values()].map((h) => ({
    code: 'config/shadowed-option',
    severity: 'warning',
    message: t(
      '[{0}] {1} in {2} never reaches {3} on {4}: {3} reads {5} after {2}, and {5} sets {1} ({6}). Set it under `{5}` instead.',
      h.section,
      h.key,
      h.file,
      h.daemon,
      cloud.nodes
        .filter((n) => h.nodes.has(n.name))
        .map((n) => n.name)
        .join(', '),
      h.later,
      t(h.by),
    ),
    range: doc.locate(h.path, 'key'),
    path: h.path,
    suggestions: [h.later],
  }));
}

export const LAYER_WORDS: Record<string, string> = {
  profile: "the profile's default",
  topology: 'derived from the topology',
  global: 'a `config` override',
  node: 'a node override',
};
