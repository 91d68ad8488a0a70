import * as vscode from 'vscode';
import { toRange } from './convert';
import { CommandId } from './commandIds';
import { Ctx } from './ctx';
import { LANGUAGE } from './store';

/** Preview · Deploy · Verify above each node of a topology. */
export function registerCodeLens(ctx: Ctx): void {
  const changed = new vscode.EventEmitter<void>();
  ctx.push(
    changed,
    ctx.store.onDidChange(() => changed.fire()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => changed.fire()),
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
            const lens = (title: string, command: CommandId, tooltip: string) => new vscode.CodeLens(range, { title, command, arguments: [n.name], tooltip });
            // Deploy and Verify need a trusted workspace (TRUSTED_ONLY).
            return [
              lens('Preview', 'ostopo.previewNode', `Rendered files of ${n.name}`),
              ...(vscode.workspace.isTrusted
                ? [lens('Deploy', 'ostopo.deployNode', `Deploy ${n.name} over SSH`), lens('Verify', 'ostopo.verifyNode', `Run the install guide's checks on ${n.name}`)]
                : []),
            ];
          });
        },
      },
    ),
  );
}
