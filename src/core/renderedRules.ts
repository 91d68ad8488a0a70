import { Finding } from './findings';
import { ResolvedCloud, ResolvedNode } from './model';
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

/** The scope of the rendered-file rules: which nodes stand for which, and the key of each one's render. */
export type RenderedRulesScope = RenderScope & {
  /** Each rendered node to the nodes it stands for (itself first). */
  members: ReadonlyMap<string, string[]>;
  /** What every node's findings depend on besides its own signature (cloudShape). */
  shape: string;
  /** Each rendered node's services and overrides: with `shape`, what its findings depend on. */
  signatures: ReadonlyMap<string, string>;
};

/**
 * What `checkRendered` needs rendered: the projects of the daemons that read several files, on the nodes
 * where an override of a file another can shadow applies (every node, for a topology-wide one).
 * Undefined when there is nothing to look at. Nodes that would render the same keys are rendered once:
 * the same services and the same overrides of those projects (values included: a value may choose what a
 * file holds, as compute_driver does) differ only in values (addresses, names), never in which options a
 * file sets; `members` maps each rendered node to the nodes it stands for (itself first).
 */
export function renderedRulesScope(cloud: ResolvedCloud): RenderedRulesScope | undefined {
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
  const signatures = new Map<string, string>();
  const bySignature = new Map<string, string[]>();
  for (const n of nodes) {
    const own = [...projects].map((p) => (n.config as Record<string, unknown> | undefined)?.[p] ?? null);
    const signature = n.services.join(',') + (own.some((o) => o !== null) ? JSON.stringify(own) : '');
    const group = bySignature.get(signature);
    if (group) group.push(n.name);
    else {
      const g = [n.name];
      bySignature.set(signature, g);
      members.set(n.name, g);
      signatures.set(n.name, signature);
    }
  }
  return { nodes: new Set(members.keys()), projects, members, shape: cloudShape(cloud), signatures };
}

/**
 * What, besides a node's own services and overrides, may decide which options its files set: the cloud's
 * settings, its global overrides, its secrets' names and how many nodes of each kind it has (a renderer
 * reads the other nodes' services, roles and devices, never their overrides). Names and addresses only
 * fill values; whether an address is IPv6 is kept all the same.
 */
function cloudShape(cloud: ResolvedCloud): string {
  const kinds = new Map<string, number>();
  for (const n of cloud.nodes) {
    const kind = nodeKind(n);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const { nodes: _nodes, secrets, profile, ...settings } = cloud;
  return JSON.stringify([profile?.id, settings, [...secrets.keys()].sort(), [...kinds].sort()]);
}

/**
 * Which of a node's fields may decide which options a file sets (true), and which only fill values (its
 * name, addresses, SSH settings; its overrides are part of its own signature). A new field must be put here.
 */
const DECIDES: Record<keyof ResolvedNode, boolean> = {
  name: false,
  hostname: false,
  address: false,
  overlayAddress: false,
  ssh: false,
  config: false,
  roles: true,
  services: true,
  providerInterface: true,
  lvmDevices: true,
  cephOsds: true,
};
const NODE_KIND = (Object.keys(DECIDES) as (keyof ResolvedNode)[]).filter((f) => DECIDES[f]);

/** What of a node besides its name, addresses and overrides, as a short string (one per node and analysis). */
function nodeKind(n: ResolvedNode): string {
  let k = n.address.includes(':') ? '6' : '4';
  for (const f of NODE_KIND) {
    const v = n[f];
    k += '\u0001' + (v === undefined ? '' : typeof v === 'string' ? v : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join('\u0002') : JSON.stringify(v));
  }
  return k;
}

/** One shadowed override found in one rendered node's files, before it is told of the nodes it stands for. */
export interface Shadow {
  layer: 'global' | 'node';
  /** The override's path: the whole path for a global one, the part after `nodes.NAME` for a node's own. */
  path: YamlPath;
  section: string;
  key: string;
  file: string;
  later: string;
  daemon: string;
  by: string;
}

/** The findings of `checkRendered` kept for the next analysis: per rendered node's signature, for a cloud's shape. */
export interface ShadowMemo {
  shape: string;
  bySignature: ReadonlyMap<string, Shadow[]>;
}

/**
 * config/shadowed-option over a scope, rendering only the nodes whose key the previous analysis's memo
 * does not hold (an edit re-renders the node it touched, not the cloud). Returns the findings and the memo
 * for the next analysis (this scope's signatures only, so it never grows past the cloud).
 */
export function checkRenderedScope(
  doc: ParsedDocument,
  cloud: ResolvedCloud,
  scope: RenderedRulesScope,
  render: (scope: RenderScope) => Iterable<{ node: string; artifacts: Artifact[] }>,
  previous?: ShadowMemo,
): { findings: Finding[]; memo: ShadowMemo } {
  const known = previous?.shape === scope.shape ? previous.bySignature : new Map<string, Shadow[]>();
  const bySignature = new Map<string, Shadow[]>();
  const missing = new Set([...scope.nodes].filter((n) => !known.has(scope.signatures.get(n)!)));
  const fresh = new Map<string, Shadow[]>();
  if (missing.size) {
    const shadowsOf = shadowFinder(cloud);
    for (const r of render({ nodes: missing, projects: scope.projects })) fresh.set(r.node, shadowsOf(r));
  }
  const perNode = [...scope.nodes].map((node): [string, Shadow[]] => {
    const signature = scope.signatures.get(node)!;
    const shadows = fresh.get(node) ?? known.get(signature) ?? [];
    bySignature.set(signature, shadows);
    return [node, shadows];
  });
  return { findings: shadowFindings(doc, cloud, perNode, scope.members), memo: { shape: scope.shape, bySignature } };
}

/**
 * config/shadowed-option: an override in a file that a daemon reads before another file which sets the
 * same option (Debian's nova-compute reads nova-compute.conf after nova.conf): the daemon never sees it.
 * Reported on the override's line, once per line, naming the nodes and the file that wins.
 */
export function checkRendered(doc: ParsedDocument, cloud: ResolvedCloud, rendered: Iterable<{ node: string; artifacts: Artifact[] }>, members: ReadonlyMap<string, string[]> = new Map()): Finding[] {
  const perNode: [string, Shadow[]][] = [];
  const shadowsOf = shadowFinder(cloud);
  for (const r of rendered) perNode.push([r.node, shadowsOf(r)]);
  return shadowFindings(doc, cloud, perNode, members);
}

/** The overrides one rendered node's daemons never see (`shadowsOf`), with what every node shares made once. */
function shadowFinder(cloud: ResolvedCloud): (r: { node: string; artifacts: Artifact[] }) => Shadow[] {
  // Once per check, not per rendered node: the profile's read orders and the nodes by name.
  const order = cloud.profile ? configReadOrders(cloud.profile) : {};
  const nodes = new Map(cloud.nodes.map((n) => [n.name, n]));
  return (r) => shadowsOf(order, nodes.get(r.node)!, r.artifacts);
}

function shadowsOf(order: ReturnType<typeof configReadOrders>, node: ResolvedNode, artifacts: Artifact[]): Shadow[] {
  const files = artifacts.filter((a): a is FileArtifact => a.kind === 'file' && !!a.origins);
  const byName = (name: string) => files.find((f) => f.id.endsWith(`/${name}`));
  const out: Shadow[] = [];
  for (const [daemon, names] of Object.entries(order)) {
    if (!names || !node.services.includes(daemon as never)) continue;
    names.forEach((name, i) => {
      const earlier = byName(name);
      for (const o of earlier?.origins ?? []) {
        const layer = o.origin.layer;
        if ((layer !== 'global' && layer !== 'node') || !o.origin.path) continue;
        for (const laterName of names.slice(i + 1).reverse()) {
          const winner = byName(laterName)?.origins?.find((x) => x.section === o.section && x.key === o.key);
          if (!winner) continue;
          const path = layer === 'node' && o.origin.path[0] === 'nodes' ? o.origin.path.slice(2) : o.origin.path;
          out.push({ layer, path, section: o.section, key: o.key, file: name, later: laterName, daemon, by: LAYER_WORDS[winner.origin.layer] ?? winner.origin.layer });
          break;
        }
      }
    });
  }
  return out;
}

/** The same finding on each node a render stands for, at that node's own override; once per line. */
function shadowFindings(doc: ParsedDocument, cloud: ResolvedCloud, perNode: Iterable<[string, Shadow[]]>, members: ReadonlyMap<string, string[]>): Finding[] {
  const hits = new Map<string, Shadow & { nodes: Set<string> }>();
  for (const [node, shadows] of perNode) {
    for (const s of shadows) {
      for (const member of members.get(node) ?? [node]) {
        const path = s.layer === 'node' ? ['nodes', member, ...s.path] : s.path;
        const id = path.join('\u0001');
        const hit = hits.get(id) ?? { ...s, path, nodes: new Set<string>() };
        hit.nodes.add(member);
        hits.set(id, hit);
      }
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
