import * as vscode from 'vscode';
import { REGISTRY } from '../core/services/registry';
import { Journal, NodeJournal } from '../core/deploy/journal';
import { when } from '../core/deploy/events';
import { stateDirOf } from '../core/deploy/session';
import { FileArtifact } from '../core/render/artifacts';
import { CommandId } from './commandIds';
import { Ctx } from './ctx';
import { Previews } from './preview';
import * as l10n from '../core/l10n';

export type TreeItem =
  { kind: 'node'; node: string } | { kind: 'service'; node: string; service: string } | { kind: 'file'; node: string; file: string; description: string } | { kind: 'message'; text: string };

/** The deploy journal beside the topology (when there is one), read only: also the status bar's. */
export function journalOf(doc: vscode.TextDocument, cloud: string): Journal | undefined {
  if (doc.uri.scheme !== 'file') return undefined;
  return Journal.peek(stateDirOf(doc.uri.fsPath), cloud);
}

/** Topology tree: nodes → services → rendered files; a node shows its errors and its last deploy/verify. */
export class TopologyTree implements vscode.TreeDataProvider<TreeItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly ctx: Ctx,
    private readonly previews: Previews,
  ) {}

  /** The journal as read for the current tree: once per refresh, not once per node. */
  private journal?: { key: string; journal: Journal | undefined };

  refresh(): void {
    this.journal = undefined;
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  /** The node's last deploy and verify, from the journal read once per refresh. */
  private lastResults(doc: vscode.TextDocument, cloud: string, node: string): NodeJournal | undefined {
    const key = `${doc.uri.toString()}\0${cloud}`;
    if (this.journal?.key !== key) this.journal = { key, journal: journalOf(doc, cloud) };
    return this.journal.journal?.peekNode(node);
  }

  private files(node: string): FileArtifact[] {
    const doc = this.ctx.store.current;
    const r = doc && this.previews.rendered(doc, node);
    return r?.rendered.nodes.find((n) => n.name === node)?.artifacts.filter((a): a is FileArtifact => a.kind === 'file') ?? [];
  }

  getChildren(item?: TreeItem): TreeItem[] {
    const doc = this.ctx.store.current;
    if (!doc) return [{ kind: 'message', text: l10n.t('Open a *.ostopo.yaml topology') }];
    const a = this.ctx.store.get(doc);
    if (!item) {
      if (!a.cloud.nodes.length) return [{ kind: 'message', text: a.hasErrors ? 'The topology has errors: see Problems' : 'No nodes yet' }];
      return a.cloud.nodes.map((n) => ({ kind: 'node', node: n.name }));
    }
    if (item.kind === 'node') {
      const node = a.cloud.nodes.find((n) => n.name === item.node);
      const files = this.files(item.node);
      const services: TreeItem[] = (node?.services ?? []).map((s) => ({ kind: 'service', node: item.node, service: s }));
      const base = files.some((f) => f.service === 'base') ? [{ kind: 'service' as const, node: item.node, service: 'base' }] : [];
      const scripts: TreeItem[] = [
        { kind: 'file', node: item.node, file: '/RUNBOOK.sh', description: l10n.t('every command of the deploy, in order') },
        { kind: 'file', node: item.node, file: '/VERIFY.sh', description: l10n.t('the checks of ostopo verify') },
      ];
      return [...base, ...services, ...(files.length ? scripts : [])];
    }
    if (item.kind === 'service') {
      return this.files(item.node)
        .filter((f) => f.service === item.service)
        .map((f) => ({ kind: 'file', node: item.node, file: f.path, description: l10n.tData(f.description) }));
    }
    return [];
  }

  getTreeItem(item: TreeItem): vscode.TreeItem {
    const doc = this.ctx.store.current;
    switch (item.kind) {
      case 'message':
        return new vscode.TreeItem(item.text);
      case 'node': {
        const a = doc && this.ctx.store.get(doc);
        const node = a?.cloud.nodes.find((n) => n.name === item.node);
        const errors = a?.findings.filter((f) => f.severity === 'error' && f.path?.[0] === 'nodes' && f.path[1] === item.node).length ?? 0;
        const j = doc && a ? this.lastResults(doc, a.cloud.name, item.node) : undefined;
        const t = new vscode.TreeItem(item.node, vscode.TreeItemCollapsibleState.Collapsed);
        const deploy = j?.lastDeploy ? (j.lastDeploy.ok ? `✔ ${l10n.t('deployed')}` : `✖ ${l10n.t('deploy failed')}`) : '';
        const skipped = j?.lastVerify?.skipped ? l10n.t(', {0} skipped', j.lastVerify.skipped) : '';
        const verify = j?.lastVerify ? (j.lastVerify.failed ? `✖ ${l10n.t('{0} check(s) failed', j.lastVerify.failed)}` : `✔ ${l10n.t('{0} checks', j.lastVerify.passed)}${skipped}`) : '';
        t.description = [node?.address, errors ? l10n.t('{0} error(s)', errors) : '', deploy, verify].filter(Boolean).join(' · ');
        t.tooltip = new vscode.MarkdownString(
          [
            `**${item.node}** ${node?.address ?? ''}`,
            l10n.t('Services: {0}', node?.services.join(', ') || l10n.t('none')),
            j?.lastDeploy
              ? `${j.lastDeploy.ok ? l10n.t('Last deploy: ok, {0}', when(j.lastDeploy.at)) : l10n.t('Last deploy: failed, {0}', when(j.lastDeploy.at))}${j.lastDeploy.message ? ` — ${j.lastDeploy.message}` : ''}`
              : '',
            j?.lastVerify ? l10n.t('Last verify: {0} passed, {1} failed{2}, {3}', j.lastVerify.passed, j.lastVerify.failed, skipped, when(j.lastVerify.at)) : '',
          ]
            .filter(Boolean)
            .join('\n\n'),
        );
        t.iconPath = new vscode.ThemeIcon(errors || j?.lastDeploy?.ok === false || (j?.lastVerify?.failed ?? 0) > 0 ? 'error' : 'server');
        t.contextValue = 'ostopoNode';
        t.id = `node:${item.node}`;
        return t;
      }
      case 'service': {
        const t = new vscode.TreeItem(item.service === 'base' ? l10n.t('system') : item.service, vscode.TreeItemCollapsibleState.Collapsed);
        t.description = item.service === 'base' ? l10n.t('hosts, packages, network') : REGISTRY[item.service as keyof typeof REGISTRY]?.title;
        t.iconPath = new vscode.ThemeIcon(item.service === 'base' ? 'settings-gear' : 'symbol-method');
        t.contextValue = 'ostopoService';
        t.id = `service:${item.node}:${item.service}`;
        return t;
      }
      case 'file': {
        const t = new vscode.TreeItem(item.file.split('/').pop()!, vscode.TreeItemCollapsibleState.None);
        t.description = item.file.startsWith('/RUNBOOK') || item.file.startsWith('/VERIFY') ? item.description : item.file;
        t.tooltip = item.description;
        t.iconPath = new vscode.ThemeIcon('file-code');
        // The runbook and the verify script are not files on the node: nothing to compare them with.
        t.contextValue = item.file === '/RUNBOOK.sh' || item.file === '/VERIFY.sh' ? 'ostopoScript' : 'ostopoFile';
        t.id = `file:${item.node}:${item.file}`;
        const open: CommandId = 'ostopo.openRendered';
        t.command = { command: open, title: l10n.t('Open Preview'), arguments: [item.node, item.file] };
        return t;
      }
    }
  }

  getParent(): undefined {
    return undefined;
  }
}

export function registerTree(ctx: Ctx, previews: Previews): TopologyTree {
  const tree = new TopologyTree(ctx, previews);
  const view = vscode.window.createTreeView('ostopo.topology', { treeDataProvider: tree, showCollapseAll: true });
  ctx.push(
    tree,
    view,
    ctx.store.onDidChange(() => tree.refresh()),
  );
  return tree;
}
