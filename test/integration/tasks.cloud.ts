import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FileComparison } from '../../src/core/deploy/compare';
import type { OstopoApi } from '../../src/vscode/extension';

/**
 * Runs in a real VS Code against the cloud that test/e2e/run.mjs deployed: the extension's verify task
 * for all nodes and its deploy task for one node, read from the task terminal, and the tree's badges.
 */
const WS = process.env.OSTOPO_INTEGRATION_WORKSPACE!;
/** The cloud's controller and compute node (test/e2e/run.mjs names each target's nodes). */
const [CTL = 'controller', CMP = 'compute1'] = (process.env.OSTOPO_INTEGRATION_NODES ?? '').split(',').filter(Boolean);

function ended(exec: vscode.TaskExecution): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution === exec) {
        sub.dispose();
        resolve(e.exitCode);
      }
    });
  });
}

describe('ostopo tasks against a deployed cloud', function () {
  this.timeout(600000);
  let api: OstopoApi;

  before(async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(WS, 'cloud.ostopo.yaml')));
    await vscode.window.showTextDocument(doc);
    const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'ostopo')!;
    api = (await ext.activate()) as OstopoApi;
  });

  it('Verify All runs every check in a task terminal, and the tree shows the result', async () => {
    const exec = await vscode.commands.executeCommand<vscode.TaskExecution>('ostopo.verifyAll');
    assert.ok(exec, 'a task started');
    const code = await ended(exec);
    const transcripts = api.taskTranscripts();
    const out = transcripts[transcripts.length - 1];
    assert.equal(code, 0, out);
    assert.ok(out.includes(`[${CTL}] ✔ PASS openstack token issue (admin)`), out);
    assert.ok(out.includes(`[${CTL}] ✔ PASS launch a test server`), out);
    assert.ok(out.includes(`[${CMP}] ✔ PASS nova-compute running on ${CMP}`), out);
    assert.match(out, new RegExp(`\\[${CMP}\\] ⊘ SKIP chrony running on ${CMP} — .*CAP_SYS_TIME was not met`));
    assert.match(out, /check\(s\) passed, 0 failed, \d+ skipped/);
    const nodes = api.tree.getChildren();
    const ctl = api.tree.getTreeItem(nodes.find((n) => (n as { node: string }).node === CTL)!);
    assert.match(String(ctl.description), /✔ \d+ checks, \d+ skipped/);
  });

  it("Compare with Node: the node's nova.conf beside the rendered one in the diff editor, the same and masked", async () => {
    const c = await vscode.commands.executeCommand<FileComparison>('ostopo.compareWithNode', { kind: 'file', node: CTL, file: '/etc/nova/nova.conf' });
    assert.ok(c, 'the command returns the comparison');
    assert.equal(c.live, c.rendered, 'a converged node has the rendered file');
    assert.match(c.live!, /connection = mysql\+pymysql:\/\/nova:<secret:NOVA_DBPASS>@/);
    // The run's secrets are E2E_* variables (test/e2e/run.mjs generates them).
    const secrets = Object.entries(process.env).flatMap(([k, v]) => (k.startsWith('E2E_') && k.endsWith('PASS') && v ? [v] : []));
    assert.ok(secrets.length > 5, 'the run passed its secrets');
    for (const v of secrets) assert.ok(!c.live!.includes(v) && !c.rendered.includes(v), 'no secret value shown');
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputTextDiff, `a diff editor is open (${tab?.label})`);
    assert.equal(tab.label, `nova.conf (${CTL}): on the node ↔ rendered`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it("Deploy of one node from the tree changes nothing on a converged cloud; its precheck warnings are on the node's line", async () => {
    const exec = await vscode.commands.executeCommand<vscode.TaskExecution>('ostopo.deployNode', { kind: 'node', node: CMP });
    const code = await ended(exec);
    const transcripts = api.taskTranscripts();
    const out = transcripts[transcripts.length - 1];
    assert.equal(code, 0, out);
    assert.match(out, /1 node\(s\) deployed, 0 change\(s\)/);
    const item = api.tree.getTreeItem(api.tree.getChildren().find((n) => (n as { node: string }).node === CMP)!);
    assert.match(String(item.description), /✔ deployed/);
    // The deploy asked the precheck first: its warnings sit on the node's line (no KVM here: virt_type qemu).
    assert.match(out, /\[[^\]]+\] ✔ PASS the OS is debian/);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === path.join(WS, 'cloud.ostopo.yaml'))!;
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l) => l === `  ${CMP}:`);
    const pre = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'ostopo precheck');
    assert.ok(
      pre.some((d) => d.range.start.line === line && d.severity === vscode.DiagnosticSeverity.Warning && d.message.startsWith(`precheck on ${CMP}: hardware virtualization`)),
      JSON.stringify(pre.map((d) => `${d.range.start.line} ${d.message}`)),
    );
  });
});
