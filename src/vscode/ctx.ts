import * as vscode from 'vscode';
import { TopologyStore } from './store';

/** What every feature gets: the extension context, the shared analysis store, and a place for disposables. */
export class Ctx {
  readonly store: TopologyStore;
  readonly output = vscode.window.createOutputChannel('ostopo');
  /** What the last precheck (or deploy) found on each node, on the node's line of the topology. */
  readonly precheck = vscode.languages.createDiagnosticCollection('ostopo-precheck');

  constructor(readonly extension: vscode.ExtensionContext) {
    this.store = new TopologyStore(extension.secrets);
    this.push(this.store, this.output, this.precheck);
  }

  push(...d: vscode.Disposable[]): void {
    this.extension.subscriptions.push(...d);
  }
}
