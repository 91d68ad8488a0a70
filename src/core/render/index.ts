import { ResolvedCloud } from '../model';
import { NodeFacts, RenderedCloud } from './artifacts';
import { RenderContext } from './context';
import { renderEnvironment } from './environment';
import { renderGlance, renderGlanceDatabase } from './glance';
import { renderInfrastructure } from './infra';
import { needsOpenrc, renderKeystone, renderKeystoneDatabase, renderOpenrc } from './keystone';
import { hasNova, renderNova, renderNovaDatabases, renderNovaDiscovery } from './nova';
import { renderNeutron, renderNeutronDatabase } from './neutron';
import { renderPlacement, renderPlacementDatabase } from './placement';

export class RenderError extends Error {}

/**
 * Every file and command of the install guide for every node, in the order the guide runs them on
 * that node. Input must be a topology without validation errors (see compile.ts); output is stable
 * byte for byte and holds secrets only as placeholders.
 */
export function renderCloud(cloud: ResolvedCloud, facts: Record<string, NodeFacts> = {}): RenderedCloud {
  const profile = cloud.profile;
  if (!profile) throw new RenderError(`No profile for os ${cloud.os} and release ${cloud.release}.`);
  const ctx = new RenderContext(cloud, profile, facts);
  for (const node of cloud.nodes) {
    renderEnvironment(ctx, node);
    renderInfrastructure(ctx, node);
    if (ctx.host('mariadb') === node) {
      renderKeystoneDatabase(ctx);
      renderGlanceDatabase(ctx);
      renderPlacementDatabase(ctx);
      renderNovaDatabases(ctx);
      renderNeutronDatabase(ctx);
    }
    if (needsOpenrc(node)) renderOpenrc(ctx, node);
    if (node.services.includes('keystone')) renderKeystone(ctx, node);
    if (node.services.includes('glance')) renderGlance(ctx, node);
    if (node.services.includes('placement')) renderPlacement(ctx, node);
    if (hasNova(node)) renderNova(ctx, node);
    if (node.services.includes('neutron-server')) renderNeutron(ctx, node);
    renderNovaDiscovery(ctx, node);
  }
  return {
    name: cloud.name,
    profile: profile.id,
    nodes: cloud.nodes.map((n) => ({ name: n.name, address: n.address, artifacts: ctx.artifactsOf(n.name) })),
  };
}
