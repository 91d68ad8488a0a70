import * as path from 'node:path';
import * as vscode from 'vscode';
import { compareWithNode, FileComparison } from '../core/deploy/compare';
import { targetOf } from '../core/deploy/run';
import { openSession } from '../core/deploy/session';
import { Ctx } from './ctx';
import { askHostKey } from './tasks';
import { t } from '../core/l10n';

export const COMPARE_SCHEME = 'ostopo-compare';

/**
 * Compare with the node: reads a rendered file from its node over SSH (the deploy's connection rules:
 * known hosts asked about, ssh config, agent) and opens VS Code's diff editor, the node's file on the
 * left and what a deploy would write on the right, both with secrets masked (core's compareWithNode).
 * Read-only: nothing on the node changes.
 */
export class Comparisons implements vscode.TextDocumentContentProvider {
  /** Both sides of each comparison open in this window (one config file each), until their editors close. */
  private readonly texts = new Map<string, string>();
  private seq = 0;

  constructor(private readonly ctx: Ctx) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  forget(uri: vscode.Uri): void {
    this.texts.delete(uri.toString());
  }

  async compare(doc: vscode.TextDocument, node: string, file: string): Promise<FileComparison | undefined> {
    if (doc.uri.scheme !== 'file') throw new Error(t('Save the topology first: the known hosts of its nodes live in .ostopo/ beside the file.'));
    const analysis = this.ctx.store.get(doc);
    if (analysis.hasErrors) throw new Error(t('The topology has errors: fix them before comparing with a node.'));
    const session = openSession(doc.uri.fsPath, analysis, { onUnknownHostKey: askHostKey, env: process.env });
    const c = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: t('ostopo: reading {0} from {1}…', file, node), cancellable: true }, (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return compareWithNode({ target: targetOf(analysis), connect: session.connect, signal: abort.signal }, node, file);
    });
    const id = ++this.seq;
    const side = (which: string) => vscode.Uri.from({ scheme: COMPARE_SCHEME, path: `/${node}${file}`, query: `${which}-${id}` });
    const left = side('node');
    const right = side('rendered');
    this.texts.set(left.toString(), c.live ?? '');
    this.texts.set(right.toString(), c.rendered);
    const name = path.posix.basename(file);
    const title =
      c.live === undefined
        ? t('{0} ({1}): not on the node ↔ rendered', name, node)
        : c.block
          ? t("{0} ({1}): on the node ↔ rendered, ostopo's block", name, node)
          : t('{0} ({1}): on the node ↔ rendered', name, node);
    await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
    const summary =
      c.live === undefined
        ? t('{0} is not on {1} yet: a deploy creates it.', file, node)
        : c.live === c.rendered
          ? c.metadata
            ? t('{0} on {1} is as rendered, but its owner or mode differ: {2}.', file, node, c.metadata)
            : t('{0} on {1} is as rendered.', file, node)
          : c.metadata
            ? t('{0} on {1} differs from the rendered file (and {2}): a deploy would replace it (as drift, if it was changed since ostopo wrote it).', file, node, c.metadata)
            : t('{0} on {1} differs from the rendered file: a deploy would replace it (as drift, if it was changed since ostopo wrote it).', file, node);
    this.ctx.output.appendLine(`[${new Date().toLocaleTimeString()}] compare ${node}:${file}: ${summary}`);
    void vscode.window.showInformationMessage(summary);
    return c;
  }
}

export function registerComparisons(ctx: Ctx): Comparisons {
  const c = new Comparisons(ctx);
  ctx.push(
    vscode.workspace.registerTextDocumentContentProvider(COMPARE_SCHEME, c),
    // A side whose editor is gone is not asked for again: its text goes.
    vscode.workspace.onDidCloseTextDocument((d) => d.uri.scheme === COMPARE_SCHEME && c.forget(d.uri)),
  );
  return c;
}
