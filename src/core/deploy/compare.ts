import { ResolvedNode } from '../model';
import { FileArtifact } from '../render/artifacts';
import { materialize, maskByTemplate } from '../render/template';
import { secretLookup } from '../secrets';
import { blockOf, Remote, RemoteError } from './remote';
import { DeployTarget, maskerOf, renderWithFacts } from './run';
import * as l10n from '../l10n';

/** A rendered file beside the same file read from its node, both masked. */
export interface FileComparison {
  node: string;
  path: string;
  /** Of a file ostopo shares with other tools (/etc/hosts), only its block is compared. */
  block: boolean;
  /** What a deploy would write, secrets masked. */
  rendered: string;
  /** What the node has (its block), secrets masked; undefined: no such file there yet. */
  live?: string;
  /** Owner, group and mode where the node's differ from the rendered file's ("root:root 0644 on the node, root:nova 0640 rendered"). */
  metadata?: string;
}

/**
 * Reads one rendered file from its node over the deploy's connection (same SSH rules: known hosts,
 * agent, config) and returns both sides masked: the current secret values everywhere, and on the node's
 * side whatever value stands where the rendered file has a secret (maskByTemplate). The render uses the
 * node's facts as a deploy does (virt_type), so the comparison is what a deploy would change. Read-only.
 */
export async function compareWithNode(
  o: { target: DeployTarget; connect: (node: ResolvedNode, signal?: AbortSignal) => Promise<Remote>; signal?: AbortSignal },
  node: string,
  path: string,
): Promise<FileComparison> {
  const n = o.target.nodes.find((x) => x.name === node);
  if (!n) throw new Error(l10n.t("no node '{0}'", node));
  const first = o.target.render({});
  const has = (r: typeof first) => r.nodes.find((x) => x.name === node)?.artifacts.find((a): a is FileArtifact => a.kind === 'file' && a.path === path);
  if (!has(first))
    throw new Error(path === '/RUNBOOK.sh' ? l10n.t('{0} has no rendered file {1} (the runbook is not written to the node)', node, path) : l10n.t('{0} has no rendered file {1}', node, path));
  const masker = maskerOf(o.target);
  let remote: Remote;
  try {
    remote = await o.connect(n, o.signal);
  } catch (e) {
    throw new Error(l10n.t('cannot reach {0}: {1}', node, masker.mask(e instanceof RemoteError || e instanceof Error ? e.message : String(e))), { cause: e });
  }
  try {
    const rendered = await renderWithFacts(o, new Map([[node, remote]]), first);
    const f = has(rendered) ?? has(first)!;
    const lookup = secretLookup(o.target.secrets);
    const file = await remote.readFile(path, { signal: o.signal });
    const out: FileComparison = { node, path, block: !!f.block, rendered: masker.mask(materialize(f.content)) };
    if (!file) return out;
    const text = file.content.toString('utf8');
    const live = f.block ? (blockOf(text, f.block) ?? '') : text;
    out.live = masker.mask(maskByTemplate(f.content, live, lookup));
    const want = `${f.owner}:${f.group} ${f.mode.padStart(4, '0')}`;
    const have = `${file.owner}:${file.group} ${file.mode}`;
    if (!f.block && want !== have) out.metadata = l10n.t('{0} on the node, {1} rendered', have, want);
    return out;
  } finally {
    remote.close();
  }
}
