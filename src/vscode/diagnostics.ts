import * as vscode from 'vscode';
import { analyze } from '../core/compile';
import { Finding, Range } from '../core/findings';

const SEVERITY: Record<Finding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function toDiagnostic(f: Finding): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(f.range), f.message, SEVERITY[f.severity]);
  d.source = 'ostopo';
  d.code = f.code;
  return d;
}

/** Live diagnostics from the core validator, debounced while typing. */
export function registerDiagnostics(context: vscode.ExtensionContext): void {
  const collection = vscode.languages.createDiagnosticCollection('ostopo');
  const timers = new Map<string, NodeJS.Timeout>();
  const delay = () => vscode.workspace.getConfiguration('ostopo').get<number>('validation.delay', 250);

  const run = (doc: vscode.TextDocument) => {
    if (doc.languageId !== 'ostopo') return;
    const a = analyze(doc.getText());
    collection.set(doc.uri, a.findings.map(toDiagnostic));
  };
  const schedule = (doc: vscode.TextDocument) => {
    if (doc.languageId !== 'ostopo') return;
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        run(doc);
      }, delay()),
    );
  };

  context.subscriptions.push(
    collection,
    vscode.workspace.onDidOpenTextDocument(run),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      clearTimeout(timers.get(doc.uri.toString()));
      collection.delete(doc.uri);
    }),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
  vscode.workspace.textDocuments.forEach(run);
}
