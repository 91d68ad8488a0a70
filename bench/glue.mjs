// The extension's glue under load: the bundle (dist/extension.js) activated with a stub `vscode` module and
// a topology of 1,000 nodes open, then the paths a user's typing takes. Prints, median of 7:
//   activate      activate() returns (the open topology must not be analysed inside it)
//   change        a one-character edit, from the change event to every listener done (debounce 0 here)
//   complete      completion right after an edit, while the debounce is still running
// Only what ostopo does is timed: the stub does nothing. Compare two builds with --bundle A --bundle B
// (e.g. the previous commit's dist/extension.js): each bundle runs in its own process.
//   Usage: npm run build && node bench/glue.mjs [--nodes 1000] [--bundle dist/extension.js ...]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name) => argv.flatMap((a, i) => (a === `--${name}` ? [argv[i + 1]] : []));
const nodes = Number(opt('nodes')[0] ?? 1000);
const bundles = opt('bundle').length ? opt('bundle').map((b) => path.resolve(b)) : [path.join(root, 'dist', 'extension.js')];

// The stub: every API ostopo calls exists; the few whose results matter are real (events, the document).
const STUB = String.raw`
const handlers = {};
const auto = () => new Proxy(function () {}, { get: (t, p) => (p === 'then' ? undefined : p in t ? t[p] : (t[p] = auto())), apply: () => auto(), construct: () => auto() });
class EventEmitter { constructor() { this.l = []; this.event = (fn) => { this.l.push(fn); return { dispose() {} }; }; } fire(x) { for (const f of this.l) f(x); } dispose() {} }
const on = (name) => (fn) => { (handlers[name] ??= []).push(fn); return { dispose() {} }; };
const providers = {};
const register = (name) => (_sel, p) => { providers[name] = p; return { dispose() {} }; };
const languages = new Proxy({ registerCompletionItemProvider: register('completion'), createDiagnosticCollection: () => ({ set() {}, delete() {}, dispose() {} }) }, { get: (t, p) => t[p] ?? (() => ({ dispose() {} })) });
const state = { docs: [], active: undefined };
const workspace = new Proxy(
  {
    get textDocuments() { return state.docs; },
    onDidChangeTextDocument: on('change'),
    onDidOpenTextDocument: on('open'),
    onDidCloseTextDocument: on('close'),
    onDidGrantWorkspaceTrust: on('trust'),
    getConfiguration: () => ({ get: (k, d) => (k === 'validation.delay' ? 0 : d) }),
    isTrusted: true,
  },
  { get: (t, p) => (p in t ? t[p] : auto()) },
);
const window = new Proxy(
  {
    get activeTextEditor() { return state.active && { document: state.active }; },
    onDidChangeActiveTextEditor: on('active'),
    createOutputChannel: () => ({ appendLine() {}, show() {}, dispose() {} }),
    createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
  },
  { get: (t, p) => (p in t ? t[p] : auto()) },
);
const api = { EventEmitter, languages, workspace, window, __state: state, __handlers: handlers, __providers: providers };
// The bundle copies the module's own properties (esbuild's interop): every name it uses must exist up front.
for (const name of JSON.parse(process.env.VSCODE_NAMES)) api[name] ??= auto();
module.exports = api;
`;

const RUN = String.raw`
const vscode = require('vscode');
const ext = require(process.env.BUNDLE);
const text = require('node:fs').readFileSync(process.env.TOPOLOGY, 'utf8');
const doc = { version: 1, text, languageId: 'ostopo', fileName: '/bench/cloud.ostopo.yaml', isUntitled: false,
  uri: { scheme: 'file', fsPath: '/bench/cloud.ostopo.yaml', toString: () => 'file:///bench/cloud.ostopo.yaml' },
  getText() { return this.text; } };
vscode.__state.docs.push(doc);
vscode.__state.active = doc;
const tick = () => new Promise((r) => setTimeout(r, 0));
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
(async () => {
  const context = { subscriptions: [], extensionUri: vscode.Uri, extensionPath: '/bench' };
  let t0 = process.hrtime.bigint();
  ext.activate(context);
  const activate = ms(t0);
  await tick(); await tick();
  const line = text.split('\n').findIndex((l) => l.startsWith('  server: '));
  const edit = () => { doc.version++; doc.text = doc.text.endsWith('\n\n') ? doc.text.slice(0, -1) : doc.text + '\n'; };
  // A change: the event, then the debounced analysis and every listener (tree, status bar, previews, diagnostics).
  edit();
  t0 = process.hrtime.bigint();
  for (const h of vscode.__handlers.change ?? []) h({ document: doc, contentChanges: [] });
  await tick(); await tick();
  const change = ms(t0);
  // Completion right after an edit, before the debounce fires.
  edit();
  for (const h of vscode.__handlers.change ?? []) h({ document: doc, contentChanges: [] });
  t0 = process.hrtime.bigint();
  vscode.__providers.completion.provideCompletionItems(doc, { line, character: '  server: '.length });
  const complete = ms(t0);
  await tick(); await tick();
  console.log(JSON.stringify({ activate, change, complete }));
  for (const d of context.subscriptions) try { d.dispose(); } catch {}
  process.exit(0);
})();
`;

function topology(n) {
  const secrets = fs.readFileSync(path.join(root, 'examples', 'zed-debian12.ostopo.yaml'), 'utf8').match(/^secrets:\n(?: {2}.*\n)+/m)[0];
  const lines = ['ostopo: 1', 'name: bench', 'release: zed', 'os: debian12', 'networks:', '  management:', '    cidr: 10.0.0.0/16', secrets.trimEnd()];
  lines.push('nodes:', '  controller:', '    address: 10.0.0.11', '    roles: [controller]');
  for (let i = 1; i < n; i++) lines.push(`  compute${i}:`, `    address: 10.0.${Math.floor((i + 20) / 250)}.${((i + 20) % 250) + 1}`, '    roles: [compute]');
  lines.push('ntp:', '  server: controller', '');
  return lines.join('\n');
}

/** The names of the vscode API a bundle uses (`vscode12.languages`...). */
const namesOf = (bundle) => JSON.stringify([...new Set([...fs.readFileSync(bundle, 'utf8').matchAll(/\bvscode\d*\.([A-Za-z_]\w*)/g)].map((m) => m[1]))]);

const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'ostopo-glue-'));
try {
  fs.mkdirSync(path.join(dir, 'node_modules', 'vscode'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules', 'vscode', 'index.js'), STUB);
  fs.writeFileSync(path.join(dir, 'run.js'), RUN);
  fs.writeFileSync(path.join(dir, 'cloud.ostopo.yaml'), topology(nodes));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [];
  for (const bundle of bundles) {
    const runs = [];
    for (let i = 0; i < 7; i++) {
      const out = execFileSync(process.execPath, [path.join(dir, 'run.js')], {
        env: { ...process.env, NODE_PATH: path.join(dir, 'node_modules'), BUNDLE: bundle, TOPOLOGY: path.join(dir, 'cloud.ostopo.yaml'), VSCODE_NAMES: namesOf(bundle) },
        encoding: 'utf8',
      });
      runs.push(JSON.parse(out.trim().split('\n').pop()));
    }
    const m = Object.fromEntries(['activate', 'change', 'complete'].map((k) => [k, median(runs.map((r) => r[k]))]));
    rows.push({ bundle: path.relative(process.cwd(), bundle) || bundle, ...m });
  }
  console.log(`glue with ${nodes} nodes open (median of 7 processes, ms)`);
  console.log('bundle'.padEnd(40), 'activate'.padStart(9), 'change'.padStart(9), 'complete'.padStart(9));
  for (const r of rows) console.log(r.bundle.padEnd(40), ...['activate', 'change', 'complete'].map((k) => r[k].toFixed(1).padStart(9)));
  if (rows.length > 1) {
    const [a, b] = rows;
    console.log('ratio (2nd / 1st)'.padEnd(40), ...['activate', 'change', 'complete'].map((k) => (b[k] / a[k]).toFixed(2).padStart(9)));
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
