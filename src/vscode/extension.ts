import * as vscode from 'vscode';
import { registerCodeLens } from './codelens';
import { registerStatusBar } from './statusbar';
import { registerCommands } from './commands';
import { registerComparisons } from './compare';
import { Ctx } from './ctx';
import { registerDiagnostics } from './diagnostics';
import { registerLanguageFeatures } from './language';
import { Previews, registerPreviews } from './preview';
import { registerTree, TopologyTree } from './tree';
import { setLocale } from '../core/l10n';

/** What activate returns: the tree and previews, for integration tests and other extensions. */
export interface OstopoApi {
  tree: TopologyTree;
  previews: Previews;
  /** The terminal transcripts of the tasks run in this window, oldest first. */
  taskTranscripts(): string[];
  /** The status bar item of the active topology. */
  status: vscode.StatusBarItem;
}

/** Composition root: one context owns every disposable; each feature registers itself. */
export function activate(extension: vscode.ExtensionContext): OstopoApi {
  // Everything ostopo says, in VS Code's display language (English or Simplified Chinese).
  setLocale(vscode.env.language);
  const ctx = new Ctx(extension);
  registerDiagnostics(ctx);
  registerLanguageFeatures(ctx);
  const previews = registerPreviews(ctx);
  const tree = registerTree(ctx, previews);
  const taskTranscripts = registerCommands(ctx, previews, tree, registerComparisons(ctx));
  registerCodeLens(ctx);
  const status = registerStatusBar(ctx, previews, tree);
  return { tree, previews, taskTranscripts, status };
}

export function deactivate(): void {
  // Everything registered is disposed through the extension context's subscriptions.
}
