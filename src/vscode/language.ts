import * as vscode from 'vscode';
import { CompletionKind, completeAt } from '../core/editor/complete';
import { fixesFor } from '../core/editor/fixes';
import { formatTopology } from '../core/editor/format';
import { hoverAt, nodeNameAt, nodeOccurrences, outline, renameNode, SymbolInfo } from '../core/editor/navigate';
import { toPosition, toRange } from './convert';
import { Ctx } from './ctx';
import { LANGUAGE } from './store';
import { t } from '../core/l10n';

const KIND: Record<CompletionKind, vscode.CompletionItemKind> = {
  property: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.Value,
  enum: vscode.CompletionItemKind.EnumMember,
  node: vscode.CompletionItemKind.Reference,
  secret: vscode.CompletionItemKind.Constant,
  section: vscode.CompletionItemKind.Module,
  option: vscode.CompletionItemKind.Field,
  snippet: vscode.CompletionItemKind.Snippet,
};

const SYMBOL: Record<SymbolInfo['kind'], vscode.SymbolKind> = {
  file: vscode.SymbolKind.File,
  object: vscode.SymbolKind.Object,
  node: vscode.SymbolKind.Class,
  key: vscode.SymbolKind.Property,
  array: vscode.SymbolKind.Array,
  secret: vscode.SymbolKind.Key,
};

const selector: vscode.DocumentSelector = { language: LANGUAGE };

/** Completion, hover, outline, go-to-definition, references, rename, quick fixes and formatting: adapters over src/core/editor. */
export function registerLanguageFeatures(ctx: Ctx): void {
  const { store } = ctx;
  ctx.push(
    vscode.languages.registerCompletionItemProvider(
      selector,
      {
        provideCompletionItems(doc, pos) {
          return completeAt(store.latest(doc), doc.getText(), toPosition(pos)).map((e) => {
            const item = new vscode.CompletionItem(e.label, KIND[e.kind]);
            item.detail = e.detail;
            if (e.documentation) item.documentation = new vscode.MarkdownString(e.documentation);
            item.insertText = e.snippet ? new vscode.SnippetString(e.insertText) : e.insertText;
            item.range = toRange(e.range);
            item.sortText = e.sortText;
            return item;
          });
        },
      },
      // Not ':': right after a key's colon nothing completes (a value needs a space), and a list opened
      // there would take the Enter that ends the line (core's completeAt returns nothing there too).
      ' ',
      '[',
      ',',
      '-',
    ),
    vscode.languages.registerHoverProvider(selector, {
      provideHover(doc, pos) {
        const h = hoverAt(store.get(doc), toPosition(pos));
        return h && h.markdown ? new vscode.Hover(new vscode.MarkdownString(h.markdown), toRange(h.range)) : undefined;
      },
    }),
    vscode.languages.registerDocumentSymbolProvider(selector, {
      provideDocumentSymbols(doc) {
        const conv = (s: SymbolInfo): vscode.DocumentSymbol => {
          const d = new vscode.DocumentSymbol(s.name, s.detail, SYMBOL[s.kind], toRange(s.range), toRange(s.selectionRange));
          d.children = s.children.map(conv);
          return d;
        };
        return outline(store.get(doc)).map(conv);
      },
    }),
    vscode.languages.registerDefinitionProvider(selector, {
      provideDefinition(doc, pos) {
        const a = store.get(doc);
        const at = nodeNameAt(a, toPosition(pos));
        const def = at && nodeOccurrences(a, at.name).definition;
        return def ? new vscode.Location(doc.uri, toRange(def)) : undefined;
      },
    }),
    vscode.languages.registerReferenceProvider(selector, {
      provideReferences(doc, pos, context) {
        const a = store.get(doc);
        const at = nodeNameAt(a, toPosition(pos));
        if (!at) return [];
        const occ = nodeOccurrences(a, at.name);
        const ranges = [...(context.includeDeclaration && occ.definition ? [occ.definition] : []), ...occ.references];
        return ranges.map((r) => new vscode.Location(doc.uri, toRange(r)));
      },
    }),
    vscode.languages.registerRenameProvider(selector, {
      prepareRename(doc, pos) {
        const at = nodeNameAt(store.get(doc), toPosition(pos));
        if (!at) throw new Error(t('Only node names can be renamed.'));
        return { range: toRange(at.range), placeholder: at.name };
      },
      provideRenameEdits(doc, pos, newName) {
        const r = renameNode(store.get(doc), toPosition(pos), newName);
        if ('error' in r) throw new Error(r.error);
        const edit = new vscode.WorkspaceEdit();
        for (const e of r.edits) edit.replace(doc.uri, toRange(e.range), e.newText);
        return edit;
      },
    }),
    vscode.languages.registerCodeActionsProvider(
      selector,
      {
        provideCodeActions(doc, range, context) {
          const a = store.get(doc);
          const actions: vscode.CodeAction[] = [];
          for (const diag of context.diagnostics) {
            if (diag.source !== 'ostopo') continue;
            const f = a.findings.find((x) => x.code === diag.code && toRange(x.range).isEqual(diag.range) && x.message === diag.message);
            if (!f) continue;
            for (const fix of fixesFor(a, f)) {
              const act = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
              act.diagnostics = [diag];
              act.edit = new vscode.WorkspaceEdit();
              for (const e of fix.edits) act.edit.replace(doc.uri, toRange(e.range), e.newText);
              if (actions.length === 0) act.isPreferred = true;
              actions.push(act);
            }
          }
          void range;
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
    vscode.languages.registerDocumentFormattingEditProvider(selector, {
      provideDocumentFormattingEdits(doc, options) {
        const r = formatTopology(doc.getText(), { indent: options.tabSize });
        if ('error' in r) {
          // Not a modal or a toast: format on save would raise one at every save of a half-typed file.
          vscode.window.setStatusBarMessage(`$(warning) ostopo: ${r.error}`, 6000);
          return [];
        }
        return r.edits.map((e) => vscode.TextEdit.replace(toRange(e.range), e.newText));
      },
    }),
  );
}
