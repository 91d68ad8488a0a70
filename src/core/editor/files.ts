import { RenderedCloud } from '../render/artifacts';
import { t } from '../l10n';

/** A rendered file to pick: its path on the node, which node, and what it is. */
export interface FileChoice {
  node: string;
  path: string;
  description: string;
}

/** Every file a deploy writes, per node (of one node when given), and each node's runbook. */
export function fileChoices(cloud: RenderedCloud, node?: string): FileChoice[] {
  return cloud.nodes
    .filter((n) => !node || n.name === node)
    .flatMap((n) => [
      ...n.artifacts.flatMap((a) => (a.kind === 'file' ? [{ node: n.name, path: a.path, description: n.name }] : [])),
      { node: n.name, path: '/RUNBOOK.sh', description: t('{0}: every command, in order', n.name) },
    ]);
}

/**
 * Whether a choice matches what was typed: every word, in any order, is part of the path or of the node's
 * name (`nova.conf controller`, `controller nova`, `/etc/neutron/plugins`), ignoring case.
 */
export function matchesFile(query: string, choice: FileChoice): boolean {
  const path = choice.path.toLowerCase();
  const node = choice.node.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => path.includes(w) || node.includes(w));
}
