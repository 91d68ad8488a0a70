// UI check as a user sees it: the packaged VSIX installed into code-server, driven in headless Chromium
// with Playwright. Opens the example topology, types to get completion, makes a mistake and reads the
// Problems panel, opens the Topology tree and a rendered preview. Screenshots go to test-artifacts/ui/.
//   node test/ui/smoke.mjs [--vsix ostopo.vsix] [--host /var/tmp/ostopo-vscode-host] [--shots test-artifacts/ui]
// Exit 0 when every check passed. Prints "N passed, N failed".
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const host = args.host ?? process.env.OSTOPO_VSCODE_HOST_DIR ?? '/var/tmp/ostopo-vscode-host';
const vsix = path.resolve(args.vsix ?? path.join(root, 'ostopo.vsix'));
const shots = path.resolve(args.shots ?? path.join(root, 'test-artifacts', 'ui'));
const codeServer = path.join(host, 'node_modules', '.bin', 'code-server');
const { chromium } = createRequire(path.join(host, 'package.json'))('playwright-core');

const t0 = Date.now();
const log = (...x) => console.log(`[ui ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...x);
const results = [];
const check = (name, ok, extra = '') => {
  results.push(ok);
  log(`${ok ? 'PASS' : 'FAIL'} ${name}${extra ? ` ${extra}` : ''}`);
};

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

fs.rmSync(shots, { recursive: true, force: true });
fs.mkdirSync(shots, { recursive: true });
const run = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-ui-'));
const ws = path.join(run, 'workspace');
fs.mkdirSync(ws);
fs.copyFileSync(path.join(root, 'examples', 'train-centos7.ostopo.yaml'), path.join(ws, 'guide.ostopo.yaml'));
const exampleLines = fs.readFileSync(path.join(ws, 'guide.ostopo.yaml'), 'utf8').split('\n');
/** One-based line of the example that starts with `text` (the test follows the example as it changes). */
const lineOf = (text) => {
  const i = exampleLines.findIndex((l) => l.startsWith(text));
  if (i < 0) throw new Error(`${text} is not in the example`);
  return i + 1;
};
const env = { ...process.env, XDG_CONFIG_HOME: path.join(run, 'xdg'), XDG_DATA_HOME: path.join(run, 'xdg'), XDG_CACHE_HOME: path.join(run, 'xdg'), EXTENSIONS_GALLERY: '{}' };
const dirs = ['--user-data-dir', path.join(run, 'user'), '--extensions-dir', path.join(run, 'extensions')];
fs.mkdirSync(path.join(run, 'user', 'User'), { recursive: true });
fs.writeFileSync(
  path.join(run, 'user', 'User', 'settings.json'),
  JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'workbench.tips.enabled': false, 'security.workspace.trust.enabled': false, 'git.enabled': false, 'extensions.autoCheckUpdates': false }),
);

log('install', path.basename(vsix));
execFileSync(codeServer, [...dirs, '--install-extension', vsix], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const port = await freePort();
const server = spawn(codeServer, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', ...dirs], {
  env,
  detached: true,
  stdio: ['ignore', 'ignore', 'ignore'],
});

let browser;
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 300) throw new Error('code-server did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'guide.ostopo.yaml' }).waitFor({ timeout: 90000 });

  // Open the topology through Quick Open, as a user would.
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill('guide.ostopo.yaml');
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
  await page.keyboard.press('Enter');
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.waitFor();
  await page.waitForFunction(() => document.querySelector('#status\\.editor\\.mode')?.textContent?.includes('OpenStack Topology'), null, { timeout: 30000 }).catch(() => undefined);
  const mode = (await page.locator('#status\\.editor\\.mode').textContent()) ?? '';
  check('*.ostopo.yaml opens in the OpenStack Topology language', mode.includes('OpenStack Topology'), `(status bar: ${mode.trim()})`);
  await page.screenshot({ path: path.join(shots, '01-topology.png') });

  const goto = async (line) => {
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(`:${line}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  };
  const column = async () => Number(/Col (\d+)/.exec((await page.locator('#status\\.editor\\.selection').textContent()) ?? '')?.[1]);

  // Enter after `compute1:` indents the new line by two (language configuration).
  await goto(lineOf('  compute1:'));
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
  check('Enter after a key indents the next line', (await column()) === 5, `(column ${await column()})`);
  await page.keyboard.press('Control+Z');

  // Completion: a new line under compute1's roles; Ctrl+Space proposes the keys a node may still have.
  const rolesLine = lineOf('    roles: [compute]');
  await goto(rolesLine);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+Space');
  await page.locator('.suggest-widget.visible .monaco-list-row').first().waitFor({ timeout: 20000 }).catch(() => undefined);
  await page.waitForTimeout(500);
  const labels = await page.locator('.suggest-widget.visible .monaco-list-row .label-name').allTextContents();
  check('completion proposes the keys a node may still have', labels.includes('services') && labels.includes('ssh') && !labels.includes('address'), `(${labels.join(', ')})`);
  await page.screenshot({ path: path.join(shots, '02-completion.png') });
  await page.keyboard.press('Escape');

  // A typo in a service: the Problems panel shows the finding with its code and did-you-mean.
  await page.keyboard.type('services: [glanse');
  await page.keyboard.press('Control+Shift+M');
  const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'glanse' });
  await problem.first().waitFor({ timeout: 20000 }).catch(() => undefined);
  const problemText = (await problem.first().textContent().catch(() => '')) ?? '';
  check('a typo shows in Problems with its code and did-you-mean', /did you mean `glance`/.test(problemText) && /ref\/unknown-service/.test(problemText), `(${problemText.slice(0, 160)})`);
  await page.screenshot({ path: path.join(shots, '03-problems.png') });
  // Remove the line again: the Problems panel is clear.
  await page.keyboard.press('Control+1');
  await goto(rolesLine + 1);
  await page.keyboard.press('Control+Shift+K');
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'glanse' }).first().waitFor({ state: 'detached', timeout: 20000 }).catch(() => undefined);
  const left = await page.locator('.markers-panel .monaco-list-row').count();
  check('removing the line clears the problem', left === 0, `(${left} row(s) left in Problems)`);

  // The Topology view: nodes, then a node's services.
  await page.locator('.activitybar .action-item a[aria-label*="OpenStack Topology"]').click();
  const row = (text) => page.locator('.part.sidebar .monaco-list-row', { hasText: text });
  await row('controller').first().waitFor({ timeout: 20000 });
  await row('controller').first().click();
  await row('keystone').first().waitFor({ timeout: 20000 }).catch(() => undefined);
  const rows = (await page.locator('.part.sidebar .monaco-list-row').allTextContents()).map((s) => s.trim());
  check('the Topology tree lists nodes and services', rows.some((r) => r.startsWith('compute1')) && rows.some((r) => r.startsWith('keystone')), `(${rows.slice(0, 8).join(' | ')})`);
  await page.screenshot({ path: path.join(shots, '04-tree.png') });

  // A rendered file: keystone → keystone.conf opens a read-only preview.
  await row('keystone').first().click();
  await row('keystone.conf').first().waitFor({ timeout: 20000 });
  await row('keystone.conf').first().click();
  const tab = page.locator('.tab', { hasText: 'keystone.conf' });
  await tab.first().waitFor({ timeout: 20000 }).catch(() => undefined);
  await page.waitForTimeout(800);
  const text = (await page.locator('.editor-instance .view-lines').last().textContent()) ?? '';
  check('the preview shows keystone.conf with masked secrets', /connection\s*=\s*mysql\+pymysql:\/\/keystone:<secret:KEYSTONE_DBPASS>@controller\/keystone/.test(text.replace(/\u00a0/g, ' ')), `(${text.slice(0, 100)})`);
  await page.screenshot({ path: path.join(shots, '05-preview.png') });
} catch (e) {
  check('the UI flow ran to its end', false, String(e));
  const p = browser?.contexts()[0]?.pages()[0];
  if (p) await p.screenshot({ path: path.join(shots, 'error.png') }).catch(() => undefined);
} finally {
  await browser?.close().catch(() => undefined);
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  await new Promise((r) => setTimeout(r, 500));
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  fs.rmSync(run, { recursive: true, force: true });
}
const failed = results.filter((ok) => !ok).length;
console.log(`ui: ${results.length - failed} passed, ${failed} failed (screenshots in ${path.relative(root, shots)})`);
process.exit(failed ? 1 : 0);
