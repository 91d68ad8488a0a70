import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OstopoApi } from '../../src/vscode/extension';

const WS = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'ws');
const GUIDE = vscode.Uri.file(path.join(WS, 'guide.ostopo.yaml'));

/** Resolves when `pred` holds for the diagnostics of `uri` (waits on events, never on a timer). */
function diagnosticsWhere(uri: vscode.Uri, pred: (d: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const now = vscode.languages.getDiagnostics(uri);
    if (pred(now)) return resolve(now);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`diagnostics never matched; last: ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => `${d.code} ${d.range.start.line}`))}`));
    }, 20000);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const d = vscode.languages.getDiagnostics(uri);
      if (pred(d)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(d);
      }
    });
  });
}

function changeOf(doc: vscode.TextDocument): Promise<void> {
  return new Promise((resolve) => {
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === doc) {
        sub.dispose();
        resolve();
      }
    });
  });
}

async function untitled(content: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument({ language: 'ostopo', content });
  await vscode.window.showTextDocument(doc);
  return doc;
}

const posOf = (doc: vscode.TextDocument, needle: string, offset = 0) => {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `${needle} in the document`);
  return doc.positionAt(i + offset);
};

async function api(): Promise<OstopoApi> {
  const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'ostopo');
  assert.ok(ext, 'the ostopo extension is installed');
  return (await ext.activate()) as OstopoApi;
}

describe('ostopo in VS Code', () => {
  let guide: vscode.TextDocument;

  before(async () => {
    guide = await vscode.workspace.openTextDocument(GUIDE);
    await vscode.window.showTextDocument(guide);
    assert.equal(guide.languageId, 'ostopo', '*.ostopo.yaml files get the ostopo language');
    await api();
  });

  it('the example has no errors; a mistake shows on its exact line, live', async () => {
    await diagnosticsWhere(guide.uri, (d) => d.every((x) => x.severity !== vscode.DiagnosticSeverity.Error));
    const doc = await untitled(guide.getText().replace('release: train', 'release: trian').replace('address: 10.0.0.31', 'address: 10.0.0.11'));
    const d = await diagnosticsWhere(doc.uri, (x) => x.some((y) => y.code === 'schema/enum'));
    const en = d.find((x) => x.code === 'schema/enum')!;
    assert.equal(en.range.start.line, posOf(doc, 'trian').line);
    assert.equal(en.range.start.character, posOf(doc, 'trian').character);
    assert.match(en.message, /did you mean `train`/);
    const dup = d.find((x) => x.code === 'node/duplicate-address')!;
    assert.equal(dup.range.start.line, doc.positionAt(doc.getText().lastIndexOf('address: 10.0.0.11')).line, 'on the second node, the one that repeats the address');
    assert.equal(dup.source, 'ostopo');
    // Fix the typo by typing: the diagnostic goes away.
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, en.range, 'train');
    await vscode.workspace.applyEdit(edit);
    await diagnosticsWhere(doc.uri, (x) => !x.some((y) => y.code === 'schema/enum'));
  });

  it('completion: keys with docs, enum values, roles, services and node names', async () => {
    const doc = await untitled(guide.getText().replace('  server: controller       (default', '  #server: controller       (default') + '\nntp2: x\n');
    const complete = async (pos: vscode.Position) => (await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos)).items;
    // A value of `os`.
    const os = await complete(posOf(doc, 'os: centos7', 4));
    assert.ok(os.some((i) => i.label === 'debian12'));
    // Keys inside a node.
    const keyLine = posOf(doc, '    roles: [compute]');
    await vscode.window.activeTextEditor!.edit((e) => e.insert(new vscode.Position(keyLine.line + 1, 0), '    \n'));
    const keys = await complete(new vscode.Position(keyLine.line + 1, 4));
    const services = keys.find((i) => i.label === 'services');
    assert.ok(services, `keys: ${keys.map((k) => k.label).join(', ')}`);
    assert.match((services.documentation as vscode.MarkdownString).value, /Services on this node/);
    assert.ok(!keys.some((i) => i.label === 'address'), 'a key that is there is not proposed again');
    // Roles in a flow list.
    const roles = await complete(posOf(doc, 'roles: [compute]', 'roles: ['.length));
    assert.ok(roles.some((i) => i.label === 'controller'));
    // A node reference.
    await vscode.window.activeTextEditor!.edit((e) => e.insert(new vscode.Position(doc.lineCount, 0), 'ntp3:\n'));
    const ntpDoc = await untitled('ostopo: 1\nname: x\nrelease: zed\nos: debian12\nnodes:\n  ctl:\n    address: 10.0.0.11\n  cmp:\n    address: 10.0.0.12\nntp:\n  server: \n');
    const nodes = (await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', ntpDoc.uri, new vscode.Position(10, 10))).items;
    assert.deepEqual(
      nodes
        .map((n) => n.label)
        .filter((l) => l === 'ctl' || l === 'cmp')
        .sort(),
      ['cmp', 'ctl'],
    );
  });

  it('typing a key, its colon and Enter leaves the key alone (no completion takes the Enter)', async () => {
    const doc = await untitled(guide.getText() + '\nconfig:\n  nova');
    const editor = vscode.window.activeTextEditor!;
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    await vscode.commands.executeCommand('type', { text: ':' });
    // Give a suggest widget time to open, then press what Enter presses when one is open.
    await new Promise((r) => setTimeout(r, 1000));
    await vscode.commands.executeCommand('acceptSelectedSuggestion');
    await vscode.commands.executeCommand('type', { text: '\n' });
    assert.equal(doc.lineAt(end.line).text, '  nova:');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('completion inserts multi-line items at the indentation of their line (a key with a mapping, the node snippet)', async () => {
    const doc = await untitled('ostopo: 1\nname: x\nrelease: zed\nos: debian12\nnodes:\n  ctl:\n    address: 10.0.0.11\n    \n  \n');
    const editor = vscode.window.activeTextEditor!;
    const items = async (line: number, character: number) =>
      (await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line, character))).items;
    // Accepting an item inserts its text as a snippet over its range, as the suggest widget does.
    const accept = async (item: vscode.CompletionItem) => {
      const range = item.range instanceof vscode.Range ? item.range : item.range!.replacing;
      assert.ok(await editor.insertSnippet(item.insertText as vscode.SnippetString, range));
    };
    const item = async (line: number, character: number, label: string) => {
      const all = await items(line, character);
      const it = all.find((i) => i.label === label);
      assert.ok(it, `${label} at ${line}:${character} among ${all.map((i) => i.label).join(', ')}`);
      return it;
    };
    await accept(await item(8, 2, 'ostopo-node'));
    await accept(await item(7, 4, 'config'));
    assert.deepEqual(doc.getText().split('\n').slice(5, 12), ['  ctl:', '    address: 10.0.0.11', '    config:', '      ', '  compute2:', '    address: 10.0.0.32', '    roles: [compute]']);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Format Document: indentation, spacing and flow collections, comments kept; format on save', async () => {
    const messy = 'ostopo:   1\nnodes:\n    ctl:\n        roles: [ controller,network ]   # inline\n        # end of ctl\n# about secrets\nsecrets: {A: x}\n';
    const tidy = 'ostopo: 1\nnodes:\n  ctl:\n    roles: [controller, network] # inline\n    # end of ctl\n# about secrets\nsecrets: { A: x }\n';
    const doc = await untitled(messy);
    // VS Code detected 4 from the text; the formatter indents by the editor's tab size.
    vscode.window.activeTextEditor!.options = { tabSize: 2, insertSpaces: true };
    await vscode.commands.executeCommand('editor.action.formatDocument');
    assert.equal(doc.getText(), tidy);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    // Format on save, as a user turns it on for the language.
    const file = vscode.Uri.file(path.join(os.tmpdir(), `ostopo-format-${process.pid}.ostopo.yaml`));
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(messy));
    const config = vscode.workspace.getConfiguration('editor', { languageId: 'ostopo' });
    await config.update('formatOnSave', true, vscode.ConfigurationTarget.Global, true);
    try {
      const saved = await vscode.workspace.openTextDocument(file);
      const editor = await vscode.window.showTextDocument(saved);
      editor.options = { tabSize: 2, insertSpaces: true };
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), '# edited\n'));
      assert.ok(await saved.save());
      assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)), '# edited\n' + tidy);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      await config.update('formatOnSave', undefined, vscode.ConfigurationTarget.Global, true);
      await vscode.workspace.fs.delete(file);
    }
  });

  it('New Topology from Example opens an untitled copy of a bundled example, without errors', async () => {
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>('ostopo.newFromExample', 'zed-debian12.ostopo.yaml');
    assert.ok(doc, 'the command returns the document');
    assert.equal(doc.languageId, 'ostopo');
    assert.equal(doc.isUntitled, true);
    const example = await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(WS, '..', '..', '..', 'examples', 'zed-debian12.ostopo.yaml')));
    assert.equal(doc.getText(), new TextDecoder().decode(example));
    // It renders: the analysis has no error (an error would leave no render).
    const r = (await api()).previews.rendered(doc);
    assert.ok(r && !r.stale && r.rendered.nodes.length === 2, 'the example renders its two nodes');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('status bar: the cloud, its profile, its problems, revealed secrets; a click opens the Problems or the output', async () => {
    const { status } = await api();
    const doc = await untitled(guide.getText());
    const shows = (pred: (t: string) => boolean) =>
      new Promise<string>((resolve, reject) => {
        const t0 = Date.now();
        const poll = () => (pred(status.text) ? resolve(status.text) : Date.now() - t0 > 20000 ? reject(new Error(`status bar: ${status.text}`)) : setTimeout(poll, 50));
        poll();
      });
    await shows((t) => t.includes('guide-train') && t.includes('centos7/train') && !t.includes('$(error)'));
    assert.equal((status.command as vscode.Command).command, 'ostopo.showOutput');
    (await api()).previews.reveal(doc.uri, true);
    await shows((t) => t.includes('$(eye) secrets shown'));
    (await api()).previews.reveal(doc.uri, false);
    await shows((t) => !t.includes('secrets shown'));
    await vscode.window.activeTextEditor!.edit((e) => e.replace(new vscode.Range(posOf(doc, 'os: centos7', 4), posOf(doc, 'os: centos7', 11)), 'centos8'));
    await shows((t) => t.includes('$(error) 1'));
    assert.equal((status.command as vscode.Command).command, 'workbench.actions.view.problems');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('hover: key docs, and a node reference shows the node', async () => {
    const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', guide.uri, posOf(guide, 'release:', 2));
    const text = h.map((x) => x.contents.map((c) => (c as vscode.MarkdownString).value).join('')).join('\n');
    assert.match(text, /OpenStack release/);
    const doc = await untitled('ostopo: 1\nname: x\nrelease: zed\nos: debian12\nnodes:\n  ctl:\n    address: 10.0.0.11\n    roles: [controller]\nntp:\n  server: ctl\n');
    const h2 = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(9, 11));
    assert.match((h2[0].contents[0] as vscode.MarkdownString).value, /node `ctl`.*10\.0\.0\.11/s);
  });

  it('quick fixes: did-you-mean and a generated secret', async () => {
    const doc = await untitled(
      guide
        .getText()
        .replace('roles: [compute]', 'roles: [comptue]')
        .replace(/ {2}GLANCE_PASS: .*\n/, ''),
    );
    const d = await diagnosticsWhere(doc.uri, (x) => x.some((y) => y.code === 'ref/unknown-role') && x.some((y) => y.code === 'secret/missing'));
    const role = d.find((x) => x.code === 'ref/unknown-role')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, role.range);
    const fix = actions.find((a) => a.title === 'Change to `compute`');
    assert.ok(fix, actions.map((a) => a.title).join(', '));
    await vscode.workspace.applyEdit(fix.edit!);
    const missing = d.find((x) => x.code === 'secret/missing')!;
    const acts2 = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, missing.range);
    const add = acts2.find((a) => /Add GLANCE_PASS with a generated strong value/.test(a.title));
    assert.ok(add, acts2.map((a) => a.title).join(', '));
    await vscode.workspace.applyEdit(add.edit!);
    await diagnosticsWhere(doc.uri, (x) => !x.some((y) => y.code === 'ref/unknown-role' || y.code === 'secret/missing'));
    assert.match(doc.getText(), /^ {2}GLANCE_PASS: [A-Za-z0-9]{24}$/m);
  });

  it('a secret kept in the OS keychain (SecretStorage): stored by the command, the topology says ${keychain}, the value reaches validation', async () => {
    const cloud = `keychain-${process.pid}`;
    const doc = await untitled(
      guide
        .getText()
        .replace(/^name: .*$/m, `name: ${cloud}`)
        .replace(/ {2}NOVA_PASS: .*\n/, ''),
    );
    await diagnosticsWhere(doc.uri, (x) => x.some((y) => y.code === 'secret/missing' && y.message.includes('NOVA_PASS')));
    // A weak value first: its warning on the new line shows that the keychain's value reached the analysis.
    assert.equal(await vscode.commands.executeCommand('ostopo.storeSecret', 'NOVA_PASS', 'nova'), 'NOVA_PASS');
    assert.match(doc.getText(), /^ {2}NOVA_PASS: \$\{keychain\}$/m);
    const weak = await diagnosticsWhere(doc.uri, (x) => !x.some((y) => y.code === 'secret/missing') && x.some((y) => y.code === 'secret/weak'));
    assert.equal(weak.find((y) => y.code === 'secret/weak')!.range.start.line, posOf(doc, 'NOVA_PASS: ${keychain}').line);
    assert.ok(!weak.some((y) => y.message.includes('nova ')), 'no message quotes the value');
    await vscode.commands.executeCommand('ostopo.storeSecret', 'NOVA_PASS', 'Kept-1n-The-K3ychain-Only');
    await diagnosticsWhere(doc.uri, (x) => !x.some((y) => String(y.code).startsWith('secret/')));
    assert.ok(!doc.getText().includes('Kept-1n-The-K3ychain-Only'), 'the value never enters the topology');
    // A secret said to be in the keychain that is not there yet: a warning that says what to run.
    const edit = new vscode.WorkspaceEdit();
    const line = posOf(doc, 'GLANCE_PASS:').line;
    edit.replace(doc.uri, doc.lineAt(line).range, '  GLANCE_PASS: ${keychain}');
    await vscode.workspace.applyEdit(edit);
    const unset = await diagnosticsWhere(doc.uri, (x) => x.some((y) => y.code === 'secret/keychain-unset'));
    assert.match(
      unset.find((y) => y.code === 'secret/keychain-unset')!.message,
      /`GLANCE_PASS` is kept in the OS keychain \(VS Code\), which has no value for it yet: run "ostopo: Store Secret in Keychain"/,
    );
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('outline, go to definition, references and rename of a node', async () => {
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', guide.uri);
    const nodes = symbols.find((s) => s.name === 'nodes')!;
    assert.deepEqual(
      nodes.children.map((c) => c.name),
      ['controller', 'compute1', 'block1', 'object1', 'object2'],
    );
    assert.match(nodes.children[0].detail, /10\.0\.0\.11/);
    const doc = await untitled('ostopo: 1\nname: x\nrelease: zed\nos: debian12\nnodes:\n  ctl:\n    address: 10.0.0.11\n    roles: [controller]\nntp:\n  server: ctl\n');
    const defs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', doc.uri, new vscode.Position(9, 11));
    assert.equal(defs[0].range.start.line, 5);
    const refs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', doc.uri, new vscode.Position(5, 3));
    assert.deepEqual(refs.map((r) => r.range.start.line).sort(), [5, 9]);
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', doc.uri, new vscode.Position(5, 3), 'controller');
    await vscode.workspace.applyEdit(edit);
    assert.match(doc.getText(), /^ {2}controller:$/m);
    assert.match(doc.getText(), /^ {2}server: controller$/m);
  });

  it('CodeLens: Preview, Deploy and Verify above each node', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', guide.uri);
    const titles = lenses.filter((l) => l.range.start.line === posOf(guide, '  controller:').line).map((l) => l.command?.title);
    assert.deepEqual(titles, ['Preview', 'Deploy', 'Verify']);
  });

  it('tree: nodes → services → rendered files', async () => {
    await vscode.window.showTextDocument(guide);
    const { tree } = await api();
    const nodes = tree.getChildren();
    assert.deepEqual(
      nodes.map((n) => (n as { node: string }).node),
      ['controller', 'compute1', 'block1', 'object1', 'object2'],
    );
    const ctl = tree.getTreeItem(nodes[0]);
    assert.match(String(ctl.description), /10\.0\.0\.11/);
    const services = tree.getChildren(nodes[0]);
    const labels = services.map((s) => (s.kind === 'service' ? s.service : s.kind === 'file' ? s.file : ''));
    for (const s of ['base', 'keystone', 'nova-api', '/RUNBOOK.sh']) assert.ok(labels.includes(s), `${s} in ${labels.join(', ')}`);
    const keystone = services.find((s) => s.kind === 'service' && s.service === 'keystone')!;
    const files = tree.getChildren(keystone).map((f) => (f as { file: string }).file);
    assert.ok(files.includes('/etc/keystone/keystone.conf'), files.join(', '));
    const item = tree.getTreeItem(tree.getChildren(keystone)[0]);
    assert.equal(item.command?.command, 'ostopo.openRendered');
  });

  it('preview: read-only rendered files, masked, updated live as the topology changes', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'ostopo', content: guide.getText() });
    await vscode.window.showTextDocument(doc);
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('ostopo.openRendered', 'controller', '/etc/nova/nova.conf');
    const preview = editor.document;
    assert.equal(preview.uri.scheme, 'ostopo-preview');
    assert.equal(preview.languageId, 'ini');
    assert.match(preview.getText(), /^connection = mysql\+pymysql:\/\/nova:<secret:NOVA_DBPASS>@controller\/nova_api$/m);
    assert.doesNotMatch(preview.getText(), /N0va-Db-Ex4mple/);
    const changed = changeOf(preview);
    const e = new vscode.WorkspaceEdit();
    const end = doc.positionAt(doc.getText().length);
    e.insert(doc.uri, end, '\nconfig:\n  nova:\n    nova.conf:\n      DEFAULT:\n        debug: true\n');
    await vscode.workspace.applyEdit(e);
    await changed;
    assert.match(preview.getText(), /^debug = true$/m);
    // Provenance: hover on the value line says which layer set it; F12 jumps to the topology.
    const line = preview
      .getText()
      .split('\n')
      .findIndex((l) => l === 'debug = true');
    const hover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', preview.uri, new vscode.Position(line, 2));
    assert.match((hover[0].contents[0] as vscode.MarkdownString).value, /global override.*config\.nova\.nova\.conf\.DEFAULT\.debug/);
    const def = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', preview.uri, new vscode.Position(line, 2));
    assert.equal(def[0].uri.toString(), doc.uri.toString());
    assert.equal(doc.lineAt(def[0].range.start.line).text.trim(), 'debug: true');
    // At a glance: the line an override set ends with a hint; the tab names the node.
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', preview.uri, new vscode.Range(0, 0, preview.lineCount, 0));
    assert.deepEqual(
      hints.map((h) => [h.position.line, h.label]),
      [[line, '← override']],
    );
    assert.match(preview.uri.path, /\/nova\.conf \(controller\)$/);
    // An error in the topology: the last good render stays, with a notice on its first line; hover still finds its line.
    const stale = changeOf(preview);
    const broken = new vscode.WorkspaceEdit();
    broken.replace(doc.uri, new vscode.Range(posOf(doc, 'os: centos7', 4), posOf(doc, 'os: centos7', 11)), 'centos8');
    await vscode.workspace.applyEdit(broken);
    await stale;
    assert.match(preview.lineAt(0).text, /^# \(The topology has errors now: this is its last good render/);
    assert.equal(preview.lineAt(line + 1).text, 'debug = true');
    const hover2 = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', preview.uri, new vscode.Position(line + 1, 2));
    assert.match((hover2[0].contents[0] as vscode.MarkdownString).value, /set by a global override/);
    const fixed = changeOf(preview);
    const fix = new vscode.WorkspaceEdit();
    fix.replace(doc.uri, new vscode.Range(posOf(doc, 'os: centos8', 4), posOf(doc, 'os: centos8', 11)), 'centos7');
    await vscode.workspace.applyEdit(fix);
    await fixed;
    assert.equal(preview.lineAt(line).text, 'debug = true');
    // /etc/hosts is shared with other tools: its preview is ostopo's block, and says so.
    const hosts = (await vscode.commands.executeCommand<vscode.TextEditor>('ostopo.openRendered', 'compute1', '/etc/hosts')).document.getText();
    assert.match(hosts, /^# BEGIN ostopo\n[\s\S]*ostopo manages the lines of this block; the rest of \/etc\/hosts is left as it is\.\n10\.0\.0\.11 +controller\n[\s\S]*# END ostopo\n$/);
  });

  it('render to folder writes every file of every node', async () => {
    await vscode.window.showTextDocument(guide);
    const os = await import('node:os');
    const fs = await import('node:fs');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-int-'));
    try {
      const n = await vscode.commands.executeCommand<number>('ostopo.renderToFolder', vscode.Uri.file(dir));
      assert.ok(n && n > 30, `${n} files`);
      assert.ok(fs.existsSync(path.join(dir, 'controller', 'etc', 'keystone', 'keystone.conf')));
      assert.ok(fs.existsSync(path.join(dir, 'compute1', 'RUNBOOK.sh')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
