import * as vscode from 'vscode';
import { when } from '../core/deploy/events';
import { Ctx } from './ctx';
import { Previews } from './preview';
import { LANGUAGE } from './store';
import { journalOf, TopologyTree } from './tree';
import { t } from '../core/l10n';

/**
 * One status bar item while a topology is the active editor: its cloud and profile, its problems, whether
 * secrets are revealed in its previews, and the last deploy and verify of its nodes. A click opens the
 * Problems view when there are errors, else the ostopo output (each run's summary).
 */
export function registerStatusBar(ctx: Ctx, previews: Previews, tree: TopologyTree): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('ostopo.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'ostopo topology';
  const update = () => {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== LANGUAGE) return item.hide();
    const a = ctx.store.get(doc);
    const errors = a.findings.filter((f) => f.severity === 'error').length;
    const warnings = a.findings.filter((f) => f.severity === 'warning').length;
    const revealed = previews.revealed.has(doc.uri.toString());
    const journal = journalOf(doc, a.cloud.name);
    const runs = a.cloud.nodes.map((n) => ({ name: n.name, j: journal?.peekNode(n.name) }));
    const deployed = runs.filter((r) => r.j?.lastDeploy);
    const failedDeploy = deployed.filter((r) => !r.j!.lastDeploy!.ok);
    const verified = runs.filter((r) => r.j?.lastVerify);
    const failedVerify = verified.filter((r) => (r.j!.lastVerify!.failed ?? 0) > 0);
    const run = failedDeploy.length
      ? `$(error) ${t('deploy failed on {0}', failedDeploy.length)}`
      : failedVerify.length
        ? `$(error) ${t('verify failed on {0}', failedVerify.length)}`
        : verified.length
          ? `$(pass) ${t('verified {0}/{1}', verified.length, runs.length)}`
          : deployed.length
            ? `$(check) ${t('deployed {0}/{1}', deployed.length, runs.length)}`
            : '';
    item.text = [
      `$(server-environment) ${a.cloud.name}`,
      a.cloud.profile?.id ?? `${a.cloud.release}/${a.cloud.os}?`,
      errors ? `$(error) ${errors}` : warnings ? `$(warning) ${warnings}` : '',
      revealed ? `$(eye) ${t('secrets shown')}` : '',
      run,
    ]
      .filter(Boolean)
      .join('  ');
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${a.cloud.name}** — ${a.cloud.profile?.title ?? t('no profile for {0} on {1}', a.cloud.release, a.cloud.os)}\n\n`);
    md.appendMarkdown(`${errors ? t('{0} error(s), {1} warning(s) — click for the Problems view', errors, warnings) : t('{0} error(s), {1} warning(s)', errors, warnings)}\n\n`);
    md.appendMarkdown(`${revealed ? t('Secrets are **shown** in the previews of this topology (ostopo: Mask Secrets in Previews hides them).') : t('Secrets are masked in the previews.')}\n\n`);
    for (const r of runs) {
      const d = r.j?.lastDeploy;
      const v = r.j?.lastVerify;
      const deploy = d ? (d.ok ? t('deploy ok {0}', when(d.at)) : t('deploy failed {0}', when(d.at))) : t('never deployed');
      const verify = v ? `; ${t('verify {0} passed, {1} failed {2}', v.passed, v.failed, when(v.at))}` : '';
      md.appendMarkdown(`- ${r.name}: ${deploy}${verify}\n`);
    }
    item.tooltip = md;
    item.command = errors ? { command: 'workbench.actions.view.problems', title: t('Show Problems') } : { command: 'ostopo.showOutput', title: t('Show the ostopo output') };
    item.show();
  };
  ctx.push(
    item,
    vscode.window.onDidChangeActiveTextEditor(update),
    ctx.store.onDidChange(update),
    tree.onDidChangeTreeData(() => update()),
    previews.onDidChangeRevealed(update),
  );
  // After activation returns (the active topology is analysed then, not during activation).
  const initial = setTimeout(update, 0);
  ctx.push({ dispose: () => clearTimeout(initial) });
  return item;
}
