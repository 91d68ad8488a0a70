// UI check as a user sees it: the packaged VSIX installed into code-server, driven in headless Chromium
// with Playwright. Opens the example topology, types to get completion, makes a mistake and reads the
// Problems panel, opens the Topology tree and a rendered preview, finds a file by words, formats, compares
// a rendered file with the one on a real test node (../shared/testnodes; as root); then the same in Simplified Chinese (code-server --locale zh-cn). Screenshots go to test-artifacts/ui/.
// code-server, Chromium and playwright-core are the project's VS Code test host (scripts/vscode-host.mjs,
// installed on first use; --host or OSTOPO_VSCODE_HOST_DIR to use another folder for it).
//   node test/ui/smoke.mjs [--vsix ostopo.vsix] [--host <folder>] [--shots test-artifacts/ui] [--readme-shots]
// Exit 0 when every check passed. Prints "N passed, N failed".
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { orExit, vscodeHost } from '../../scripts/vscode-host.mjs';
import { VSCodeSession } from '../host/runner.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
if (args.host) process.env.OSTOPO_VSCODE_HOST_DIR = path.resolve(args.host);
const vsix = path.resolve(args.vsix ?? path.join(root, 'ostopo.vsix'));
const shots = path.resolve(args.shots ?? path.join(root, 'test-artifacts', 'ui'));
const host = orExit(vscodeHost);
/** The screenshots the README shows (--readme-shots copies them to media/screenshots/). */
const README_SHOTS = ['02-completion.png', '03-problems.png', '05-preview.png', '06-pick-file.png'];

const t0 = Date.now();
const log = (...x) => console.log(`[ui ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...x);
const results = [];
const check = (name, ok, extra = '') => {
  results.push(ok);
  log(`${ok ? 'PASS' : 'FAIL'} ${name}${extra ? ` ${extra}` : ''}`);
};

/** Opens a file through Quick Open (Ctrl+P), as a user would. */
async function quickOpen(page, name) {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill(name);
  // The file's own row (the recently opened files show first, before the search has found it).
  await page
    .locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: name }) })
    .first()
    .click();
  await page.locator('.editor-instance .monaco-editor').first().waitFor();
}

/** Runs a command from the palette by its title; false when the palette does not list it. */
async function palette(page, title) {
  await page.keyboard.press('Control+Shift+P');
  await page.locator('.quick-input-widget input').fill(`>${title}`);
  // The row whose label is the title itself (not "Format Document With...", which also contains it).
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
  const listed = await row.waitFor({ timeout: 30000 }).then(
    () => true,
    () => false,
  );
  if (listed) await row.click();
  return listed;
}

fs.rmSync(shots, { recursive: true, force: true });
fs.mkdirSync(shots, { recursive: true });
// code-server's state and the workspace live in the session's folder, removed by close() (and on Ctrl+C).
const session = new VSCodeSession(host, { log });
const ws = path.join(session.runDir, 'workspace');
fs.mkdirSync(ws);
fs.copyFileSync(path.join(root, 'examples', 'train-centos7.ostopo.yaml'), path.join(ws, 'guide.ostopo.yaml'));
const exampleLines = fs.readFileSync(path.join(ws, 'guide.ostopo.yaml'), 'utf8').split('\n');
/** One-based line of the example that starts with `text` (the test follows the example as it changes). */
const lineOf = (text) => {
  const i = exampleLines.findIndex((l) => l.startsWith(text));
  if (i < 0) throw new Error(`${text} is not in the example`);
  return i + 1;
};

/**
 * A test node (../shared/testnodes, as root) that plays the example's controller for Compare with Node:
 * node.ostopo.yaml is the example with the controller reached at the node's loopback address (ssh.host)
 * with its key and host key; /etc/chrony.conf on it is the rendered one with a line edited by hand.
 */
const TESTNODE = { name: 'ostopo-ui', ip: '127.0.0.61' };
const tnTool = path.join(process.env.OSTOPO_SHARED ?? path.join(root, '..', 'shared'), 'testnodes', 'testnodes');
const tn = (...a) => execFileSync(tnTool, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
let testNode;
if (!fs.existsSync(tnTool) || process.getuid?.() !== 0) {
  check('Compare with Node needs a test node: run as root with ../shared/testnodes (or OSTOPO_SHARED)', false);
} else {
  try {
    const destroy = () => tn('destroy', TESTNODE.name);
    destroy();
    for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => (destroy(), process.exit(130)));
    tn('create', TESTNODE.name, TESTNODE.ip);
    tn('start', TESTNODE.name);
    const topology = fs
      .readFileSync(path.join(ws, 'guide.ostopo.yaml'), 'utf8')
      .replace(/^ssh:\n/m, 'ssh:\n  identityFile: id_ed25519\n  knownHostsFile: known_hosts\n')
      .replace(/^( {2}controller:\n {4}address: .*\n)/m, `$1    ssh: { host: ${TESTNODE.ip} }\n`);
    fs.writeFileSync(path.join(ws, 'node.ostopo.yaml'), topology);
    fs.copyFileSync(tn('key'), path.join(ws, 'id_ed25519'));
    fs.chmodSync(path.join(ws, 'id_ed25519'), 0o600);
    fs.writeFileSync(path.join(ws, 'known_hosts'), tn('known-hosts', TESTNODE.name) + '\n');
    const out = path.join(session.runDir, 'rendered');
    execFileSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'render', path.join(ws, 'node.ostopo.yaml'), '--out', out, '--node', 'controller'], { stdio: 'ignore' });
    const rendered = fs.readFileSync(path.join(out, 'controller', 'etc', 'chrony.conf'), 'utf8');
    const replaced = rendered.match(/^server \S+ iburst$/m)?.[0];
    if (!replaced) throw new Error('the rendered chrony.conf has no server line');
    const edited = 'server ntp.edited-by-hand.example iburst';
    execFileSync(tnTool, ['ssh', TESTNODE.name, 'cat > /etc/chrony.conf'], { input: rendered.replace(replaced, edited) });
    testNode = { destroy, edited, replaced };
    log(`test node ${TESTNODE.name} on ${TESTNODE.ip}: /etc/chrony.conf has "${edited}" instead of "${replaced}"`);
  } catch (e) {
    check('a test node for Compare with Node', false, String(e.stderr ?? e));
  }
}

let page;
try {
  log('install', path.basename(vsix));
  session.cli(['--install-extension', vsix]);
  await session.start();
  page = await session.page({ width: 1500, height: 950 });
  await page.goto(session.url({ folder: ws }));
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'guide.ostopo.yaml' }).waitFor({ timeout: 90000 });

  // Open the topology through Quick Open, as a user would.
  await quickOpen(page, 'guide.ostopo.yaml');
  await page.waitForFunction(() => document.querySelector('#status\\.editor\\.mode')?.textContent?.includes('OpenStack Topology'), null, { timeout: 30000 }).catch(() => undefined);
  const mode = (await page.locator('#status\\.editor\\.mode').textContent()) ?? '';
  check('*.ostopo.yaml opens in the OpenStack Topology language', mode.includes('OpenStack Topology'), `(status bar: ${mode.trim()})`);
  await page.screenshot({ path: path.join(shots, '01-topology.png') });
  // The status bar names the cloud and its profile while the topology is the active editor.
  const status = page.locator('.statusbar-item', { hasText: 'guide-train' }).first();
  await status.waitFor({ timeout: 30000 }).catch(() => undefined);
  const statusText = ((await status.textContent().catch(() => '')) ?? '').trim();
  check('the status bar shows the cloud and its profile', statusText.includes('guide-train') && statusText.includes('centos7/train'), `(${statusText})`);

  const goto = async (line) => {
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(`:${line}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    // The cursor is on the line before anything is typed (the status bar says so).
    await page.waitForFunction((l) => document.querySelector('#status\\.editor\\.selection')?.textContent?.includes(`Ln ${l},`), line, { timeout: 10000 }).catch(() => undefined);
  };
  const column = async () => Number(/Col (\d+)/.exec((await page.locator('#status\\.editor\\.selection').textContent()) ?? '')?.[1]);

  // Enter after `compute1:` indents the new line by two (language configuration).
  await goto(lineOf('  compute1:'));
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  // The status bar follows the cursor a moment later (more on a loaded machine): wait for it, up to 5 s.
  await page.waitForFunction(() => /Col 5$/.test(document.querySelector('#status\\.editor\\.selection')?.textContent?.trim() ?? ''), null, { timeout: 5000 }).catch(() => undefined);
  check('Enter after a key indents the next line', (await column()) === 5, `(column ${await column()})`);
  await page.keyboard.press('Control+Z');

  // Completion: a new line under compute1's roles; Ctrl+Space proposes the keys a node may still have.
  const rolesLine = lineOf('    roles: [compute]');
  await goto(rolesLine);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+Space');
  await page
    .locator('.suggest-widget.visible .monaco-list-row')
    .first()
    .waitFor({ timeout: 20000 })
    .catch(() => undefined);
  await page.waitForTimeout(500);
  const labels = await page.locator('.suggest-widget.visible .monaco-list-row .label-name').allTextContents();
  check('completion proposes the keys a node may still have', labels.includes('services') && labels.includes('ssh') && !labels.includes('address'), `(${labels.join(', ')})`);
  await page.screenshot({ path: path.join(shots, '02-completion.png') });
  await page.keyboard.press('Escape');

  // A typo in a service: the Problems panel shows the finding with its code and did-you-mean.
  await page.keyboard.type('services: [glanse');
  await page.keyboard.press('Control+Shift+M');
  const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'glanse' });
  await problem
    .first()
    .waitFor({ timeout: 20000 })
    .catch(() => undefined);
  const problemText =
    (await problem
      .first()
      .textContent()
      .catch(() => '')) ?? '';
  check('a typo shows in Problems with its code and did-you-mean', /did you mean `glance`/.test(problemText) && /ref\/unknown-service/.test(problemText), `(${problemText.slice(0, 160)})`);
  await page.screenshot({ path: path.join(shots, '03-problems.png') });
  // Remove the line again: the Problems panel is clear.
  await page.keyboard.press('Control+1');
  await goto(rolesLine + 1);
  await page.keyboard.press('Control+Shift+K');
  await page
    .locator('.markers-panel .monaco-list-row', { hasText: 'glanse' })
    .first()
    .waitFor({ state: 'detached', timeout: 20000 })
    .catch(() => undefined);
  const left = await page.locator('.markers-panel .monaco-list-row').count();
  check('removing the line clears the problem', left === 0, `(${left} row(s) left in Problems)`);

  // The Topology view: nodes, then a node's services.
  await page.locator('.activitybar .action-item a[aria-label*="OpenStack Topology"]').click();
  const row = (text) => page.locator('.part.sidebar .monaco-list-row', { hasText: text });
  // The edits above are analysed again (the CodeLens come back when that is done): the tree refreshes then,
  // and a click on a row it is replacing is lost (seen once in CI, on a loaded machine).
  await page
    .locator('.codelens-decoration', { hasText: 'Preview' })
    .first()
    .waitFor({ timeout: 20000 })
    .catch(() => undefined);
  await row('controller').first().waitFor({ timeout: 20000 });
  await row('controller').first().click();
  await row('keystone')
    .first()
    .waitFor({ timeout: 20000 })
    .catch(() => undefined);
  const rows = (await page.locator('.part.sidebar .monaco-list-row').allTextContents()).map((s) => s.trim());
  check('the Topology tree lists nodes and services', rows.some((r) => r.startsWith('compute1')) && rows.some((r) => r.startsWith('keystone')), `(${rows.slice(0, 8).join(' | ')})`);
  await page.screenshot({ path: path.join(shots, '04-tree.png') });

  // A rendered file: keystone → keystone.conf opens a read-only preview.
  await row('keystone').first().click();
  await row('keystone.conf').first().waitFor({ timeout: 20000 });
  await row('keystone.conf').first().click();
  const tab = page.locator('.tab', { hasText: 'keystone.conf' });
  // Once more if a refresh of the tree took the first click (the row stays selected, nothing opens).
  if (
    !(await tab
      .first()
      .waitFor({ timeout: 10000 })
      .then(
        () => true,
        () => false,
      ))
  ) {
    log('the preview did not open within 10 s of the click: clicking keystone.conf again');
    await row('keystone.conf').first().click();
  }
  await tab
    .first()
    .waitFor({ timeout: 20000 })
    .catch(() => undefined);
  await page.waitForTimeout(800);
  const text = (await page.locator('.editor-instance .view-lines').last().textContent()) ?? '';
  check(
    'the preview shows keystone.conf with masked secrets',
    /connection\s*=\s*mysql\+pymysql:\/\/keystone:<secret:KEYSTONE_DBPASS>@controller\/keystone/.test(text.replace(/\u00a0/g, ' ')),
    `(${text.slice(0, 100)})`,
  );
  await page.screenshot({ path: path.join(shots, '05-preview.png') });

  // Preview Rendered Configs: the words of a file and its node, typed in any order, find it.
  await palette(page, 'ostopo: Preview Rendered Configs');
  await page.locator('.quick-input-widget input[placeholder*="Rendered file"]').waitFor({ timeout: 20000 });
  await page.keyboard.type('nova.conf controller');
  await page.waitForTimeout(500);
  const picks = (await page.locator('.quick-input-list .monaco-list-row').allTextContents()).map((s) => s.trim());
  check('the file pick matches "nova.conf controller"', picks.length === 1 && picks[0].includes('/etc/nova/nova.conf') && picks[0].includes('controller'), `(${picks.join(' | ')})`);
  await page.screenshot({ path: path.join(shots, '06-pick-file.png') });
  await page.keyboard.press('Enter');
  const novaTab = page.locator('.tab', { hasText: 'nova.conf (controller)' });
  await novaTab
    .first()
    .waitFor({ timeout: 20000 })
    .catch(() => undefined);
  check('it opens the preview of that node’s file', (await novaTab.count()) > 0);

  // Typing a key, its colon and Enter, as one always does, leaves the key as typed (no completion takes the Enter).
  await page.locator('.tab', { hasText: 'guide.ostopo.yaml' }).first().click();
  await goto(rolesLine);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('config:', { delay: 60 });
  await page.waitForTimeout(700);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
  const typed = ((await page.locator('.editor-instance .view-line', { hasText: 'config' }).last().textContent()) ?? '').replace(/\u00a0/g, ' ');
  check('typing "config:" and Enter leaves "config:" (no completion took the Enter)', typed.trimEnd() === '    config:', `(${typed})`);
  await page.keyboard.press('Control+Z');
  await page.keyboard.press('Control+Z');

  // Format Document tidies a messy line and keeps the comment on it.
  await page.locator('.tab', { hasText: 'guide.ostopo.yaml' }).first().click();
  await goto(rolesLine);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type('    services:    [ nova-compute,neutron-linuxbridge-agent ]   # typed in a hurry');
  // Through the palette: in the browser, Shift+Alt+F opens the menu bar's File menu.
  await page.keyboard.press('Escape');
  await palette(page, 'Format Document');
  // The edit lands a moment later on a loaded machine: wait for the line to change, up to 10 s.
  await page
    .waitForFunction(
      () => [...document.querySelectorAll('.editor-instance .view-line')].some((l) => /^\s*services: \[nova-compute, neutron-linuxbridge-agent\]/.test((l.textContent ?? '').replace(/\u00a0/g, ' '))),
      null,
      { timeout: 10000 },
    )
    .catch(() => undefined);
  const formatted = ((await page.locator('.editor-instance .view-line', { hasText: 'typed in a hurry' }).first().textContent()) ?? '').replace(/\u00a0/g, ' ');
  check('Format Document tidies the line and keeps its comment', formatted.trimEnd() === '    services: [nova-compute, neutron-linuxbridge-agent] # typed in a hurry', `(${formatted})`);
  await page.screenshot({ path: path.join(shots, '07-formatted.png') });
  await page.keyboard.press('Control+Z');

  // Compare with Node against a real test node: the example's controller reached over SSH (a test node
  // on a loopback address, its host key known), whose chrony.conf was edited by hand.
  if (testNode) {
    // One editor group, so that the diff editor has the width to show both sides.
    await palette(page, 'View: Close All Editor Groups');
    await page.keyboard.press('Control+J');
    await quickOpen(page, 'node.ostopo.yaml');
    check('the palette has ostopo: Compare with Node', await palette(page, 'ostopo: Compare with Node'));
    await page.locator('.quick-input-widget input').fill('chrony.conf controller');
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
    const diff = page.locator('.monaco-diff-editor').first();
    await diff.waitFor({ timeout: 60000 }).catch(() => undefined);
    await page.waitForTimeout(1000);
    const side = async (which) =>
      (
        (await page
          .locator(`.monaco-diff-editor .editor.${which} .view-lines`)
          .first()
          .textContent()
          .catch(() => '')) ?? ''
      ).replace(/\u00a0/g, ' ');
    const [left, right] = [await side('original'), await side('modified')];
    const tab =
      (await page
        .locator('.tab.active')
        .first()
        .textContent()
        .catch(() => '')) ?? '';
    check(
      "Compare with Node: the node's chrony.conf (edited by hand) beside the rendered one in the diff editor",
      left.includes(testNode.edited) && !left.includes(testNode.replaced) && right.includes(testNode.replaced) && tab.includes('controller'),
      `(tab: ${tab.trim()}; node side: ${left.slice(0, 200)}; rendered side: ${right.slice(0, 200)})`,
    );
    await page.screenshot({ path: path.join(shots, '10-compare-with-node.png') });
  }
} catch (e) {
  check('the UI flow ran to its end', false, String(e));
  if (page) await page.screenshot({ path: path.join(shots, 'error.png') }).catch(() => undefined);
} finally {
  await session.close();
  try {
    testNode?.destroy();
  } catch (e) {
    console.error(`could not destroy the test node ${TESTNODE.name}: ${e.message}`);
  }
}
// The same VSIX in Simplified Chinese: VS Code's display language zh-cn (code-server --locale). VS Code
// only takes a display language it has a language pack for, and the real one cannot be fetched here: a
// pack that translates nothing of VS Code itself (test/ui/zh-cn-pack) makes zh-cn available, so the
// workbench's own strings stay English and ostopo's are Chinese.
const zh = new VSCodeSession(host, { log });
try {
  const zhWs = path.join(zh.runDir, 'workspace');
  fs.mkdirSync(zhWs);
  fs.copyFileSync(path.join(root, 'examples', 'train-centos7.ostopo.yaml'), path.join(zhWs, 'guide.ostopo.yaml'));
  const pack = path.join(zh.runDir, 'zh-cn-pack.vsix');
  const packSrc = path.join(zh.runDir, 'zh-cn-pack');
  fs.cpSync(path.join(root, 'test', 'ui', 'zh-cn-pack'), packSrc, { recursive: true });
  fs.copyFileSync(path.join(root, 'LICENSE'), path.join(packSrc, 'LICENSE'));
  execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--allow-missing-repository', '--out', pack], { cwd: packSrc, stdio: 'ignore' });
  zh.cli(['--install-extension', vsix]);
  zh.cli(['--install-extension', pack]);
  // What installing a language pack from the marketplace writes: where its translations are (VS Code reads it at start).
  const packDir = fs.readdirSync(path.join(zh.runDir, 'extensions')).find((d) => d.startsWith('ostopo-test.'));
  fs.writeFileSync(
    path.join(zh.runDir, 'user-data', 'languagepacks.json'),
    JSON.stringify({
      'zh-cn': {
        hash: 'ostopo-test-1',
        label: '中文(简体)',
        extensions: [{ extensionIdentifier: { id: 'ostopo-test.ostopo-test-locale-zh-cn' }, version: '0.0.1' }],
        translations: { vscode: path.join(zh.runDir, 'extensions', packDir, 'translations', 'main.i18n.json') },
      },
    }),
  );
  await zh.start({ locale: 'zh-cn' });
  page = await zh.page({ width: 1500, height: 950 });
  await page.goto(zh.url({ folder: zhWs }));
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'guide.ostopo.yaml' }).waitFor({ timeout: 90000 });
  const bar = page.locator('.activitybar .action-item a[aria-label="OpenStack 拓扑"]');
  await bar.waitFor({ timeout: 60000 }).catch(() => undefined);
  check('zh-cn: the activity bar says OpenStack 拓扑 (package.nls.zh-cn.json)', (await bar.count()) > 0);
  await quickOpen(page, 'guide.ostopo.yaml');
  // A finding in Chinese: an unknown top-level key as the file's first line, read in the Problems panel.
  await page.keyboard.press('Control+Home');
  await page.keyboard.type('ntpx: 1');
  await page.keyboard.press('Enter');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Control+Shift+M');
  const zhProblem = page.locator('.markers-panel .monaco-list-row', { hasText: 'ntpx' }).first();
  await zhProblem.waitFor({ timeout: 20000 }).catch(() => undefined);
  const zhProblemText = (await zhProblem.textContent().catch(() => '')) ?? '';
  check('zh-cn: a finding in Problems is in Chinese (未知键 … 你是想写 `ntp` 吗？)', /未知键 `ntpx` — 你是想写 `ntp` 吗？/.test(zhProblemText), `(${zhProblemText.slice(0, 120)})`);
  await page.screenshot({ path: path.join(shots, '08-zh-cn-problems.png') });
  await page.keyboard.press('Control+1');
  await page.keyboard.press('Control+Shift+K');
  check('zh-cn: the command palette has ostopo: 预览渲染的配置', await palette(page, 'ostopo: 预览渲染的配置'));
  const zhPick = page.locator('.quick-input-widget input[placeholder*="要预览的渲染文件"]');
  await zhPick.waitFor({ timeout: 30000 }).catch(() => undefined);
  check('zh-cn: the extension speaks Chinese at run time (the file pick: 要预览的渲染文件…)', (await zhPick.count()) > 0);
  await page.keyboard.type('nova.conf controller');
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(shots, '09-zh-cn-pick.png') });
  await page.keyboard.press('Escape');
} catch (e) {
  check('the zh-cn flow ran to its end', false, String(e));
  if (page) await page.screenshot({ path: path.join(shots, 'error-zh-cn.png') }).catch(() => undefined);
} finally {
  await zh.close();
}

const failed = results.filter((ok) => !ok).length;
console.log(`ui: ${results.length - failed} passed, ${failed} failed (screenshots in ${path.relative(root, shots)})`);
// --readme-shots: the README's screenshots (media/screenshots/, shipped in the VSIX) are these, from a run where everything passed.
if (process.argv.includes('--readme-shots') && !failed) {
  const dir = path.join(root, 'media', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of README_SHOTS) fs.copyFileSync(path.join(shots, f), path.join(dir, f));
  console.log(`ui: ${README_SHOTS.length} screenshots copied to ${path.relative(root, dir)}`);
}
process.exit(failed ? 1 : 0);
