import * as vscode from 'vscode';
import { Finding } from '../core/findings';
import { toRange } from './convert';
import { Ctx } from './ctx';
import { isTopology } from './store';

const SEVERITY: Record<Finding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toDiagnostic(f: Finding): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(f.range), f.message, SEVERITY[f.severity]);
  d.source = 'ostopo';
  d.code = f.code;
  return d;
}

/** Live diagnostics: the core's findings for each topology, on their exact ranges, after each (debounced) change. */
export function registerDiagnostics(ctx: Ctx): void {
  const collection = vscode.languages.createDiagnosticCollection('ostopo');
  const publish = (doc: vscode.TextDocument) => collection.set(doc.uri, ctx.store.get(doc).findings.map(toDiagnostic));
  ctx.push(
    collection,
    ctx.store.onDidChange(publish),
    vscode.workspace.onDidCloseTextDocument((d) => collection.delete(d.uri)),
  );
  // After activation returns: analysing the open topologies (a large one takes a while) must not delay it.
  const initial = setTimeout(() => vscode.workspace.textDocuments.filter(isTopology).forEach(publish), 0);
  ctx.push({ dispose: () => clearTimeout(initial) });
}
