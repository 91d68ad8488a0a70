import * as vscode from 'vscode';
import { toRange } from './convert';
import { Ctx } from './ctx';
import { LANGUAGE } from './store';

/** Preview · Deploy · Verify above each node of a topology. */
export function registerCodeLens(ctx: Ctx): void {
  const changed = new vscode.EventEmitter<void>();
  ctx.push(
    changed,
    ctx.store.onDidChange(() => changed.fire()),
    vscode.languages.registerCodeLensProvider(
      { language: LANGUAGE },
      {
        onDidChangeCodeLenses: changed.event,
        provideCodeLenses(doc) {
          const a = ctx.store.get(doc);
          return a.cloud.nodes.flatMap((n) => {
            const r = a.doc.keyRange(['nodes', n.name]);
            if (!r) return [];
            const range = toRange(r);
            return [
              new vscode.CodeLens(range, { title: 'Preview', command: 'ostopo.previewNode', arguments: [n.name], tooltip: `Rendered files of ${n.name}` }),
              new vscode.CodeLens(range, { title: 'Deploy', command: 'ostopo.deployNode', arguments: [n.name], tooltip: `Deploy ${n.name} over SSH` }),
              new vscode.CodeLens(range, { title: 'Verify', command: 'ostopo.verifyNode', arguments: [n.name], tooltip: `Run the install guide's checks on ${n.name}` }),
            ];
          });
        },
      },
    ),
  );
}
