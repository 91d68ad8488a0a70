import * as vscode from 'vscode';
import { toRange } from './convert';
import { CommandId } from './commandIds';
import { Ctx } from './ctx';
import { LANGUAGE } from './store';
import { t } from '../core/l10n';

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
              lens(t('Preview'), 'ostopo.previewNode', t('Rendered files of {0}', n.name)),
              ...(vscode.workspace.isTrusted
                ? [lens(t('Deploy'), 'ostopo.deployNode', t('Deploy {0} over SSH', n.name)), lens(t('Verify'), 'ostopo.verifyNode', t("Run the install guide's checks on {0}", n.name))]
                : []),
            ];
          });
        },
      },
    ),
  );
}
