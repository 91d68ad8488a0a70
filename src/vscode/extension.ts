import * as vscode from 'vscode';
import { registerDiagnostics } from './diagnostics';

/** Composition root: wires the feature adapters; each owns its disposables through the context. */
export function activate(context: vscode.ExtensionContext): void {
  registerDiagnostics(context);
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
