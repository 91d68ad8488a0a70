import * as vscode from 'vscode';
import { TOPOLOGY_SNIPPET } from '../core/editor/complete';
import { fileChoices, matchesFile } from '../core/editor/files';
import { nodeOccurrences } from '../core/editor/navigate';
import { writeRendered } from '../core/output';
import { generateSecretFor, secretLookup, weakness } from '../core/secrets';
import { keychainEdit } from '../core/editor/fixes';
import { neededSecrets } from '../core/services/registry';
import { toRange } from './convert';
import { CommandId, TRUSTED_ONLY } from './commandIds';
import { Ctx } from './ctx';
import { Comparisons } from './compare';
import { openPreview, parsePreviewUri, Previews, SCHEME } from './preview';
import { registerTasks } from './tasks';
import { TopologyTree, TreeItem } from './tree';
import { t } from '../core/l10n';

/** A node from a command argument: a name (CodeLens), a tree item, or asked for. */
async function nodeArg(ctx: Ctx, arg: unknown): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'node' in arg) return (arg as TreeItem & { node: string }).node;
  const doc = ctx.store.current;
  const nodes = doc ? ctx.store.get(doc).cloud.nodes : [];
  return vscode.window
    .showQuickPick(
      nodes.map((n) => ({ label: n.name, description: n.address })),
      { placeHolder: t('Node') },
    )
    .then((p) => p?.label);
}

/**
 * A quick pick whose items `filter` chooses for each value typed (VS Code's own filter matches the label
 * or the description, each as one piece: `nova.conf controller` matched nothing).
 */
function pickOne<T extends vscode.QuickPickItem>(placeholder: string, filter: (query: string) => T[]): Promise<T | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<T>();
    qp.placeholder = placeholder;
    qp.matchOnDescription = true;
    qp.items = filter('');
    const subs = [
      qp.onDidChangeValue((v) => (qp.items = filter(v))),
      qp.onDidAccept(() => {
        resolve(qp.selectedItems[0]);
        qp.hide();
      }),
      qp.onDidHide(() => {
        resolve(undefined);
        subs.forEach((s) => s.dispose());
        qp.dispose();
      }),
    ];
    qp.show();
  });
}

function currentTopology(ctx: Ctx): vscode.TextDocument {
  const doc = ctx.store.current;
  if (!doc) throw new Error(t('Open a *.ostopo.yaml topology first.'));
  return doc;
}

/** The command table: every command of package.json, in one place. */
/** Registers every command; returns the task terminals' transcripts (for OstopoApi). */
export function registerCommands(ctx: Ctx, previews: Previews, tree: TopologyTree, comparisons: Comparisons): () => string[] {
  const tasks = registerTasks(ctx, () => tree.refresh());
  /** A rendered file of the current topology, picked by words of its path and node (of one node when given). */
  const pickRendered = async (placeholder: string, opts: { node?: string; withRunbook: boolean }) => {
    const doc = currentTopology(ctx);
    const r = previews.rendered(doc, opts.node);
    if (!r) throw new Error(t('The topology has errors and was not rendered yet: see the Problems view.'));
    const choices = fileChoices(r.rendered, opts.node).filter((c) => opts.withRunbook || c.path !== '/RUNBOOK.sh');
    const pick = await pickOne(placeholder, (query) => choices.filter((c) => matchesFile(query, c)).map((c) => ({ label: c.path, description: c.description, alwaysShow: true, choice: c })));
    return pick && { doc, node: pick.choice.node, file: pick.choice.path };
  };
  const pickFile = async (node?: string) => {
    const pick = await pickRendered(t('Rendered file to preview: type words of its path and node, in any order (nova.conf controller)'), { node, withRunbook: true });
    if (pick) await openPreview(previews, pick.doc, pick.node, pick.file);
  };
  /** The file to compare: a tree item, a preview (its uri, or the active editor's), else asked for. */
  const compareTarget = async (arg: unknown): Promise<{ doc: vscode.TextDocument; node: string; file: string } | undefined> => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (arg && typeof arg === 'object' && 'kind' in arg && (arg as TreeItem).kind === 'file') {
      const { node, file } = arg as TreeItem & { node: string; file: string };
      return { doc: currentTopology(ctx), node, file };
    }
    if (uri?.scheme === SCHEME) {
      const { topology, node, file } = parsePreviewUri(uri);
      return { doc: await vscode.workspace.openTextDocument(topology), node, file };
    }
    return pickRendered(t('Rendered file to compare with its node: type words of its path and node (nova.conf controller)'), { withRunbook: false });
  };
  const table: Record<CommandId, (...args: unknown[]) => unknown> = {
    'ostopo.preview': () => pickFile(),
    'ostopo.previewNode': async (arg) => pickFile(await nodeArg(ctx, arg)),
    'ostopo.openRendered': (node, file) => openPreview(previews, currentTopology(ctx), String(node), String(file)),
    'ostopo.revealSecrets': async () => {
      const doc = currentTopology(ctx);
      const reveal = t('Reveal');
      const ok = await vscode.window.showWarningMessage(
        t('Show the secret values in the previews of this topology?'),
        { modal: true, detail: t('Anyone who sees your screen will see them. Mask them again with "ostopo: Mask Secrets in Previews".') },
        reveal,
      );
      if (ok !== reveal) return;
      previews.reveal(doc.uri, true);
    },
    'ostopo.maskSecrets': () => previews.reveal(currentTopology(ctx).uri, false),
    'ostopo.storeSecret': async (nameArg?: unknown, valueArg?: unknown) => {
      // Arguments (a name, a value) for scripts and tests; asked otherwise.
      const doc = currentTopology(ctx);
      const a = ctx.store.get(doc);
      const needed = [...neededSecrets(a.cloud).keys()];
      const from = (n: string) => {
        const s = a.cloud.secrets.get(n);
        return !s ? t('no value yet') : s.keychain ? t('in the keychain') : s.env ? `\${env:${s.env}}` : s.file ? s.file : t('in the topology');
      };
      const name =
        typeof nameArg === 'string'
          ? nameArg
          : (
              await vscode.window.showQuickPick(
                [...new Set([...needed, ...[...a.cloud.secrets.values()].filter((s) => s.keychain).map((s) => s.name)])].map((n) => ({ label: n, description: from(n) })),
                { placeHolder: t('The secret to keep in the OS keychain') },
              )
            )?.label;
      if (!name) return;
      const value =
        typeof valueArg === 'string'
          ? valueArg
          : await vscode.window.showInputBox({
              password: true,
              value: generateSecretFor(name),
              prompt: t('The value of {0}, kept in the OS keychain for cloud "{1}" (a strong random one is filled in: keep it, or type yours).', name, a.cloud.name),
              validateInput: (v) => (v ? weakness(name, v) : t('it is empty')),
            });
      if (value === undefined) return;
      await ctx.store.storeSecret(a.cloud.name, name, value);
      // The topology says where the value is: `NAME: ${keychain}` (the value itself never enters a file).
      const edit = keychainEdit(ctx.store.get(doc), name);
      if (edit) {
        const we = new vscode.WorkspaceEdit();
        we.replace(doc.uri, toRange(edit.range), edit.newText);
        await vscode.workspace.applyEdit(we);
      }
      void vscode.window.showInformationMessage(t('{0} is kept in the OS keychain for cloud "{1}"; the deploy and verify tasks of VS Code use it.', name, a.cloud.name));
      return name;
    },
    'ostopo.showOutput': () => ctx.output.show(true),
    'ostopo.renderToFolder': async (target?: unknown) => {
      const doc = currentTopology(ctx);
      const r = previews.rendered(doc);
      if (!r || r.stale) throw new Error(t('The topology has errors: fix them before rendering to a folder.'));
      const dir = target instanceof vscode.Uri ? target : (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: t('Render here') }))?.[0];
      if (!dir) return;
      const reveal = previews.revealed.has(doc.uri.toString());
      const files = writeRendered(r.rendered, dir.fsPath, r.rendered.profileTitle, { lookup: reveal ? secretLookup(r.analysis.cloud.secrets) : undefined });
      void vscode.window.showInformationMessage(
        reveal ? t('Rendered {0} files into {1} (secrets revealed).', files.length, dir.fsPath) : t('Rendered {0} files into {1} (secrets masked).', files.length, dir.fsPath),
      );
      return files.length;
    },
    'ostopo.deployNode': async (arg) => {
      const node = await nodeArg(ctx, arg);
      return node ? tasks.run({ action: 'deploy', node }) : undefined;
    },
    'ostopo.verifyNode': async (arg) => {
      const node = await nodeArg(ctx, arg);
      return node ? tasks.run({ action: 'verify', node }) : undefined;
    },
    'ostopo.planNode': async (arg) => {
      const node = await nodeArg(ctx, arg);
      return node ? tasks.run({ action: 'plan', node }) : undefined;
    },
    'ostopo.deployAll': async () => {
      // Every node at once, over SSH: asked first (one click in a tree's title bar is easily made).
      const a = ctx.store.get(currentTopology(ctx));
      const names = a.cloud.nodes.map((n) => n.name);
      const [all, planFirst] = [t('Deploy All'), t('Plan First')];
      const ok = await vscode.window.showWarningMessage(
        t('Deploy all {0} node(s) of cloud "{1}"?', names.length, a.cloud.name),
        { modal: true, detail: `${names.join(', ')}\n\n${t('Files and commands go to each node over SSH, as `ostopo deploy` does. Plan shows what would change first.')}` },
        all,
        planFirst,
      );
      if (ok === planFirst) return tasks.run({ action: 'plan' });
      return ok === all ? tasks.run({ action: 'deploy' }) : undefined;
    },
    'ostopo.verifyAll': () => tasks.run({ action: 'verify' }),
    'ostopo.planAll': () => tasks.run({ action: 'plan' }),
    'ostopo.precheckNode': async (arg) => {
      const node = await nodeArg(ctx, arg);
      return node ? tasks.run({ action: 'precheck', node }) : undefined;
    },
    'ostopo.precheckAll': () => tasks.run({ action: 'precheck' }),
    'ostopo.revealNode': async (arg) => {
      const doc = currentTopology(ctx);
      const node = await nodeArg(ctx, arg);
      const def = node && nodeOccurrences(ctx.store.get(doc), node).definition;
      if (def) await vscode.window.showTextDocument(doc, { selection: toRange(def) });
    },
    'ostopo.newTopology': async () => {
      const doc = await vscode.workspace.openTextDocument({ language: 'ostopo', content: '' });
      const editor = await vscode.window.showTextDocument(doc);
      await editor.insertSnippet(new vscode.SnippetString(TOPOLOGY_SNIPPET));
    },
    'ostopo.newFromExample': async (name?: unknown) => {
      // The examples ship in the extension: this works offline. An untitled copy, to be saved where the user wants.
      const dir = vscode.Uri.joinPath(ctx.extension.extensionUri, 'examples');
      const files = (await vscode.workspace.fs.readDirectory(dir)).map(([f]) => f).filter((f) => f.endsWith('.ostopo.yaml'));
      const described = await Promise.all(
        files.sort().map(async (f) => {
          const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, f)));
          const release = /^release: *(\S+)/m.exec(text)?.[1] ?? '';
          const os = /^os: *(\S+)/m.exec(text)?.[1] ?? '';
          return { label: f, description: t('{0} on {1}', release, os), detail: /^# (.*)/.exec(text)?.[1], text };
        }),
      );
      const pick = typeof name === 'string' ? described.find((d) => d.label === name) : await vscode.window.showQuickPick(described, { placeHolder: t('Example topology to start from') });
      if (!pick) return undefined;
      const doc = await vscode.workspace.openTextDocument({ language: 'ostopo', content: pick.text });
      await vscode.window.showTextDocument(doc);
      return doc;
    },
    'ostopo.refresh': () => tree.refresh(),
    'ostopo.compareWithNode': async (arg) => {
      const t = await compareTarget(arg);
      return t ? comparisons.compare(t.doc, t.node, t.file) : undefined;
    },
  };
  for (const [id, fn] of Object.entries(table)) {
    ctx.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          if ((TRUSTED_ONLY as readonly string[]).includes(id) && !vscode.workspace.isTrusted)
            throw new Error(t('This needs a trusted workspace: it connects to the hosts of the topology and uses its secrets (Workspaces: Manage Workspace Trust).'));
          return await fn(...args);
        } catch (e) {
          // The message for the user; the output channel keeps which command failed, and when.
          const message = (e as Error).message;
          ctx.output.appendLine(`${new Date().toISOString()} ${id}: ${message}`);
          const show = t('Show Output');
          void vscode.window.showErrorMessage(`ostopo: ${message}`, show).then((pick) => pick === show && ctx.output.show(true));
          return undefined;
        }
      }),
    );
  }
  return () => tasks.terminals.map((t) => t.transcript.join('\n'));
}
