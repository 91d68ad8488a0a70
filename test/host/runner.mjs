// A real VS Code without a display: code-server (VS Code's server and web workbench) on a free loopback
// port, its workbench opened in Debian's headless Chromium through playwright-core. The extensions run
// in code-server's Node extension host with the real `vscode` API, as in desktop VS Code.
//
//   VSCodeSession   one code-server + one browser, with throw-away state; test/ui/smoke.mjs drives it
//   runTests()      runs an extension's tests in it, like @vscode/test-electron's runTests(); code.mjs
//                   (the stand-in VS Code executable) calls it
//
// How a test run works (VS Code's own browser integration tests do the same):
//  - the workbench URL carries a `payload` with extensionDevelopmentPath and extensionTestsPath as
//    vscode-remote:// URIs: the window becomes an Extension Development Host in test mode, and the
//    extension host loads the extension, then require()s extensionTestsPath and awaits its run();
//  - in test mode every console.* call of the extension host goes to window.codeAutomationLog(type, args),
//    and when run() settles the workbench calls window.codeAutomationExit(code): 0 resolved, 1 rejected.
//    Both are functions of this process, exposed to the page by Playwright.
// (VS Code releases after 1.100 also want developmentOptions.enableSmokeTestDriver in the page's workbench
// configuration before they honour that payload; code-server 4.100.3 does not.)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';

/** User settings of every session: no welcome page, tips, telemetry, update checks or trust prompts. */
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
};

const CHROMIUM_ARGS = [
  '--no-sandbox', // root in a container has no user namespaces for Chromium's sandbox
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking', // nothing but loopback is reachable anyway
  '--disable-component-update',
  '--disable-sync',
];

/** Workbench chatter that the extension host's log relay also carries; shown with verbose only. */
const NOISE = [
  /^Resolving connection token/,
  /^Resolved connection token/,
  /^Creating a socket/,
  /^\[Service Worker\]/,
  /builtin extensions/,
  /^ChatSessionStore:/,
  /^Creation of workbench contribution/,
  /ENOTFOUND|ERR_NAME_NOT_RESOLVED/,
];

const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export class VSCodeSession {
  /**
   * @param {{ dir: string, codeServer: string, chromium: string, playwright: () => any }} host  from scripts/vscode-host.mjs
   * @param {{ settings?: object, env?: object, verbose?: boolean, log?: (s: string) => void }} [options]
   */
  constructor(host, options = {}) {
    this.host = host;
    this.verbose = !!options.verbose;
    this.log = options.log ?? ((s) => console.log(`[vscode] ${s}`));
    this.extraEnv = options.env ?? {};
    // Everything a session writes lives here and goes with close(): code-server's user data, extensions,
    // config and logs; the browser profile; and Chromium's crash reports (it puts those under
    // $XDG_CONFIG_HOME whatever the profile folder).
    this.runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-vscode-'));
    this.dirs = ['--user-data-dir', path.join(this.runDir, 'user-data'), '--extensions-dir', path.join(this.runDir, 'extensions')];
    fs.mkdirSync(path.join(this.runDir, 'user-data', 'User'), { recursive: true });
    fs.writeFileSync(path.join(this.runDir, 'user-data', 'User', 'settings.json'), JSON.stringify({ ...SETTINGS, ...options.settings }, null, 2));
    const xdg = path.join(this.runDir, 'xdg');
    // EXTENSIONS_GALLERY={} keeps code-server's marketplace off: nothing to look up outside.
    this.env = { ...process.env, XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: xdg, XDG_CACHE_HOME: xdg, EXTENSIONS_GALLERY: '{}' };
    this.serverOutput = [];
    this.closed = false;
    // Clean up on Ctrl+C, kill and hang-up too, then exit as the signal would have.
    this.onSignal = (signal) => {
      this.log(`${signal}: stopping code-server and the browser`);
      void this.close().finally(() => process.exit(SIGNALS[signal]));
    };
    // Last resort when the process exits without close() (an uncaught error): nothing async runs then.
    this.onExit = () => {
      this.#killGroup('SIGKILL');
      if (!process.env.OSTOPO_VSCODE_KEEP) fs.rmSync(this.runDir, { recursive: true, force: true });
    };
    for (const s of Object.keys(SIGNALS)) process.on(s, this.onSignal);
    process.on('exit', this.onExit);
  }

  /** Runs code-server's command line (e.g. --install-extension) against this session's folders. */
  cli(args) {
    return execFileSync(this.host.codeServer, [...this.dirs, ...args], { env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Starts code-server on a port the system picks (port 0) and waits until it listens; `locale` sets its display language. */
  async start({ timeoutMs = 60000, locale } = {}) {
    const args = ['--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', ...this.dirs];
    // The display language (`zh-cn`): what extensions see as vscode.env.language, and their package.nls.<locale>.json.
    if (locale) args.push('--locale', locale);
    // Its own process group (detached): close() ends exactly code-server and what it started (extension
    // host, pty host, file watcher).
    this.server = spawn(this.host.codeServer, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...this.env, ...this.extraEnv } });
    this.serverExit = new Promise((resolve) => this.server.once('exit', (code, signal) => resolve(`code-server exited (${code ?? signal})`)));
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not listen within ${timeoutMs / 1000} s`)), timeoutMs);
      const onData = (chunk) => {
        const text = chunk.toString();
        this.serverOutput.push(text);
        if (this.verbose) process.stdout.write(text.replace(/^/gm, '[code-server] '));
        const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(this.serverOutput.join(''));
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      this.server.stdout.on('data', onData);
      this.server.stderr.on('data', onData);
      void this.serverExit.then((why) => {
        clearTimeout(timer);
        reject(new Error(`${why} before listening:\n${this.serverOutput.join('')}`));
      });
    });
    this.authority = `127.0.0.1:${port}`;
    return port;
  }

  /** The workbench URL; `query` adds folder=, payload= and so on. */
  url(query = {}) {
    return `http://${this.authority}/?${new URLSearchParams(query)}`;
  }

  /** A vscode-remote:// URI of a local path, as the workbench's payload wants it. */
  remote(p) {
    return `vscode-remote://${this.authority}${path.resolve(p).split(path.sep).join('/')}`;
  }

  /** A new page in headless Chromium (one browser per session, with its profile in the session folder). */
  async page({ width = 1400, height = 900 } = {}) {
    if (!this.context) {
      const { chromium } = this.host.playwright();
      this.context = await chromium.launchPersistentContext(path.join(this.runDir, 'chromium'), {
        executablePath: this.host.chromium,
        headless: true,
        viewport: { width, height },
        args: CHROMIUM_ARGS,
        env: this.env,
        // Our own signal handlers close the browser; Playwright's would exit before code-server is stopped.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
      return this.context.pages()[0] ?? this.context.newPage();
    }
    return this.context.newPage();
  }

  /** Sends `signal` to code-server's process group (it, the extension host, pty host, file watcher). */
  #killGroup(signal) {
    if (!this.server?.pid) return;
    try {
      process.kill(-this.server.pid, signal);
    } catch {
      /* no process left in the group */
    }
  }

  /** Stops the browser and code-server's process group and removes the session folder; once, whoever asks. */
  close() {
    this.closing ??= this.#stop();
    return this.closing;
  }

  async #stop() {
    this.closed = true;
    await this.context?.close().catch(() => undefined);
    if (this.server && this.server.exitCode === null && this.server.signalCode === null) {
      this.#killGroup('SIGTERM');
      await Promise.race([this.serverExit, new Promise((r) => setTimeout(r, 3000).unref())]);
    }
    // Whatever is left of the group (a child that outlived code-server, or one that ignored SIGTERM).
    this.#killGroup('SIGKILL');
    if (process.env.OSTOPO_VSCODE_KEEP) this.log(`kept ${this.runDir}`);
    else fs.rmSync(this.runDir, { recursive: true, force: true });
    for (const s of Object.keys(SIGNALS)) process.off(s, this.onSignal);
    process.off('exit', this.onExit);
  }
}

/**
 * Runs an extension's tests in a real VS Code, like @vscode/test-electron's runTests().
 * @param {object} o
 * @param {object} o.host                      from scripts/vscode-host.mjs's vscodeHost()
 * @param {string[]} o.extensionDevelopmentPath  folders of the extensions under test
 * @param {string} o.extensionTestsPath        module whose run(): Promise<void> the extension host awaits
 * @param {string} [o.workspace]               folder or .code-workspace to open (default: an empty window)
 * @param {number} [o.timeoutMs]               for the whole run (default 15 minutes)
 * @param {string} [o.screenshotOnFailure]     PNG of the window when the run fails
 * @param {boolean} [o.verbose]                code-server's output, browser console, workbench chatter
 * @returns {Promise<number>} 0 the tests passed, 1 they failed, 2 the host failed (no test result)
 */
export async function runTests(o) {
  const t0 = Date.now();
  const log = (s) => console.log(`[vscode ${((Date.now() - t0) / 1000).toFixed(1)} s] ${s}`);
  // like require(): "out/test/index" stands for out/test/index.js, a folder for its index.js
  const tests = [o.extensionTestsPath, `${o.extensionTestsPath}.js`, path.join(o.extensionTestsPath, 'index.js')].map((p) => path.resolve(p)).find((p) => fs.statSync(p, { throwIfNoEntry: false })?.isFile());
  const missing = [...o.extensionDevelopmentPath.map((p) => [p, 'extensionDevelopmentPath']), [tests ?? o.extensionTestsPath, 'extensionTestsPath'], ...(o.workspace ? [[o.workspace, 'workspace']] : [])].filter(([p]) => !p || !fs.existsSync(p));
  if (!tests || missing.length) {
    for (const [p, what] of missing) console.error(`[vscode] ${what} not found: ${p}`);
    return 2;
  }
  const timeoutMs = o.timeoutMs ?? 15 * 60 * 1000;
  const session = new VSCodeSession(o.host, { verbose: o.verbose, log });
  let page;
  let timer;
  let code = 2;
  try {
    const port = await session.start();
    log(`code-server ${o.host.codeServer} on 127.0.0.1:${port}`);
    page = await session.page();
    let exited;
    const exit = new Promise((resolve) => {
      exited = resolve;
    });
    await page.exposeFunction('codeAutomationExit', (c) => exited(c));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = util.format(...(Array.isArray(args) ? args : [args]));
      if (!o.verbose && NOISE.some((r) => r.test(line))) return;
      (type === 'error' ? console.error : console.log)(line);
    });
    if (o.verbose) {
      page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => console.log(`[browser error] ${e.message}`));
    }

    const workspace = o.workspace && path.resolve(o.workspace);
    const query = workspace ? { [workspace.endsWith('.code-workspace') ? 'workspace' : 'folder']: workspace } : { ew: 'true' };
    query.payload = JSON.stringify([
      ...o.extensionDevelopmentPath.map((p) => ['extensionDevelopmentPath', session.remote(p)]),
      ['extensionTestsPath', session.remote(tests)],
      ['skipWelcome', 'true'],
    ]);
    log(`workbench: Extension Development Host${workspace ? ` on ${workspace}` : ''}`);
    await page.goto(session.url(query));

    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve(`no result after ${timeoutMs / 1000} s`), timeoutMs);
    });
    const r = await Promise.race([exit, session.serverExit, timeout]);
    if (typeof r === 'number') {
      log(`extension host exited with code ${r}`);
      code = r === 0 ? 0 : 1;
    } else {
      console.error(`[vscode] ${r}`);
      if (/exited/.test(r)) console.error(session.serverOutput.join(''));
    }
  } catch (e) {
    if (!session.closed) console.error('[vscode] host failure:', e);
  } finally {
    clearTimeout(timer);
    if (code !== 0 && page && o.screenshotOnFailure && !session.closed) {
      fs.mkdirSync(path.dirname(o.screenshotOnFailure), { recursive: true });
      if (await page.screenshot({ path: o.screenshotOnFailure }).then(() => true, () => false)) log(`screenshot of the window: ${o.screenshotOnFailure}`);
    }
    await session.close();
  }
  return code;
}
