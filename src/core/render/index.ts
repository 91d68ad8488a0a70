import { ResolvedCloud, ResolvedNode } from '../model';
import { PROJECT_IDS, ProjectId, REGISTRY, RENDER_ORDER, usesOpenrc } from '../services/registry';
import { Artifact, NodeFacts, RenderedCloud } from './artifacts';
import { RenderContext } from './context';
import { renderChrony, renderEnvironment } from './environment';
import { renderGlance } from './glance';
import { renderCeph } from './ceph';
import { renderCinder } from './cinder';
import { renderHorizon } from './horizon';
import { createDatabases, renderEtcd, renderMariadb, renderMemcached, renderRabbitmq } from './infra';
import { renderKeystone, renderOpenrc } from './keystone';
import { renderLaunchInstance } from './launch';
import { renderNeutron, renderNeutronAgentsCheck } from './neutron';
import { renderNova, renderNovaDiscovery } from './nova';
import { renderPlacement } from './placement';

export class RenderError extends Error {}

/**
 * The renderer of each project: `render` once per node that runs any of the project's services (in the
 * render order), `finish` on every node after all of them (steps that wait for the other nodes).
 */
export interface ProjectRenderer {
  render(ctx: RenderContext, node: ResolvedNode): void;
  finish?(ctx: RenderContext, node: ResolvedNode): void;
}

const RENDERERS: Record<ProjectId, ProjectRenderer> = {
  chrony: { render: renderChrony },
  mariadb: { render: renderMariadb },
  rabbitmq: { render: renderRabbitmq },
  memcached: { render: renderMemcached },
  etcd: { render: renderEtcd },
  keystone: { render: renderKeystone },
  glance: { render: renderGlance },
  placement: { render: renderPlacement },
  nova: { render: renderNova, finish: renderNovaDiscovery },
  neutron: {
    render: renderNeutron,
    finish: (ctx, node) => {
      renderNeutronAgentsCheck(ctx, node);
      renderLaunchInstance(ctx, node);
    },
  },
  horizon: { render: renderHorizon },
  ceph: { render: renderCeph },
  cinder: { render: renderCinder },
};

/** Projects in the order their first service renders (the registry's render order), each with its services. */
const PROJECT_ORDER: ProjectId[] = [...new Set(RENDER_ORDER.map((s) => REGISTRY[s].project))];
const SERVICES_OF = new Map(PROJECT_ORDER.map((p) => [p, RENDER_ORDER.filter((s) => REGISTRY[s].project === p)]));
// Every project has a renderer and a place in the order (a project without services is a registry mistake).
if (PROJECT_ORDER.length !== PROJECT_IDS.length) throw new Error('internal: a project has no service in the registry');

/**
 * Every file and command of the install guide for every node, in the order the guide runs them on
 * that node: the environment, then each project in the render order derived from the descriptors, with
 * the databases (on the MariaDB node) before the first service that uses one and the openrc files before
 * the first that runs `openstack`, then each project's steps that wait for other nodes. Input must be a
 * topology without validation errors (see compile.ts); output is stable byte for byte and holds secrets
 * only as placeholders. `only`: the nodes to render (the others are left out of the result); each one's
 * artifacts are the same as in the whole render (a preview of one node renders that node).
 */
export function renderCloud(cloud: ResolvedCloud, facts: Record<string, NodeFacts> = {}, only?: ReadonlySet<string>): RenderedCloud {
  const profile = cloud.profile;
  if (!profile) throw new RenderError(`No profile for os ${cloud.os} and release ${cloud.release}.`);
  const ctx = new RenderContext(cloud, profile, facts);
  const nodes = only ? cloud.nodes.filter((n) => only.has(n.name)) : cloud.nodes;
  renderAll(ctx, nodes);
  return {
    name: cloud.name,
    profile: profile.id,
    profileTitle: profile.title,
    nodes: nodes.map((n) => ({ name: n.name, address: n.address, artifacts: ctx.artifactsOf(n.name) })),
  };
}

/**
 * A part of the cloud to render, for rules that read some rendered files (renderedRules.ts): the
 * projects' own steps and files on those nodes, without the environment, databases, openrc files or
 * the steps that wait for other nodes. Each file rendered is the same as in the whole render.
 */
export interface RenderScope {
  nodes: ReadonlySet<string>;
  projects: ReadonlySet<ProjectId>;
}

/**
 * Renders a scope one node at a time: each node's artifacts are dropped when the next node renders, so
 * a rule that reads them node by node never holds the render of thousands of nodes.
 */
export function* renderScope(cloud: ResolvedCloud, scope: RenderScope): Generator<{ node: string; artifacts: Artifact[] }> {
  const profile = cloud.profile;
  if (!profile) throw new RenderError(`No profile for os ${cloud.os} and release ${cloud.release}.`);
  const ctx = new RenderContext(cloud, profile);
  for (const node of cloud.nodes) {
    if (!scope.nodes.has(node.name)) continue;
    for (const project of PROJECT_ORDER) if (scope.projects.has(project) && runsProject(node, project)) RENDERERS[project].render(ctx, node);
    yield { node: node.name, artifacts: ctx.takeArtifacts(node.name) };
  }
}

/** Whether a node runs any of a project's services (its renderer then renders for the node). */
function runsProject(node: ResolvedNode, project: ProjectId): boolean {
  return (SERVICES_OF.get(project) ?? []).some((s) => node.services.includes(s));
}

/** Each node's artifacts, node by node: a renderer adds to the node it renders for, never to another. */
function renderAll(ctx: RenderContext, nodes: readonly ResolvedNode[]): void {
  for (const node of nodes) {
    renderEnvironment(ctx, node);
    let databases = false;
    let openrc = false;
    for (const project of PROJECT_ORDER) {
      const services = SERVICES_OF.get(project) ?? [];
      if (!databases && services.some((s) => REGISTRY[s].database)) {
        databases = true;
        if (ctx.host('mariadb') === node) renderDatabases(ctx);
      }
      if (!openrc && services.some(usesOpenrc)) {
        openrc = true;
        if (node.services.some(usesOpenrc)) renderOpenrc(ctx, node);
      }
      if (runsProject(node, project)) RENDERERS[project].render(ctx, node);
    }
    for (const project of PROJECT_ORDER) RENDERERS[project].finish?.(ctx, node);
  }
}

/** The databases of every placed service that has one, with the guide's grants, in the render order. */
function renderDatabases(ctx: RenderContext): void {
  for (const s of RENDER_ORDER) {
    const db = REGISTRY[s].database;
    if (db && ctx.host(s)) createDatabases(ctx, REGISTRY[s].project, db.user, db.names, db.secret);
  }
}
