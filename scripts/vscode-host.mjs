// The VS Code that the integration and UI tests run in: code-server (VS Code's server and web
// workbench, from npm) shown in Debian's headless Chromium, driven by playwright-core. Its packages are
// pinned by test/host/package-lock.json and installed into a cache outside the repo, one folder per
// lock file: /var/tmp/ostopo-vscode-host-<hash of the lock> (OSTOPO_VSCODE_HOST_DIR to choose another).
// The extension's own `npm ci` never installs it: users who only build the extension don't need it.
//
//   node scripts/vscode-host.mjs      installs what is missing (about a second when all is there) and
//                                     prints the host folder; exit 2 when it cannot.
//   import { vscodeHost, vscodeExecutable } from './vscode-host.mjs'   the same from a script.
//
// Only the npm registry and Debian's packages are reachable from the machines this runs on, so:
//  - Chromium, ripgrep and the build inputs of code-server's native modules come from Debian;
//  - @vscode/ripgrep, which code-server installs for VS Code's search, downloads rg from GitHub in its
//    postinstall unless it finds the release archive in $TMPDIR/vscode-ripgrep-cache-<version>/: we put
//    an archive of Debian's /usr/bin/rg there.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePackages, SetupError } from './debian.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST_PACKAGE = path.join(root, 'test', 'host');
/** The stand-in VS Code executable (test/host/code.mjs) that @vscode/test-electron's runTests() can launch. */
export const CODE_SHIM = path.join(HOST_PACKAGE, 'code.mjs');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Debian packages: the browser (and a CJK font), rg for the seed above, and what code-server's kerberos module builds with. */
// fonts-wqy-microhei: the UI check reads (and screenshots) the extension in Simplified Chinese; without a
// font with Chinese glyphs Chromium draws boxes.
export const DEBIAN_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'pkg-config', 'fonts-wqy-microhei'];
// The @vscode/ripgrep that code-server 4.100.3 installs (its lib/vscode/npm-shrinkwrap.json) and the rg
// release that version downloads. A new code-server may pin another: the check after the install says so.
const RIPGREP_PACKAGE = '1.15.11';
const RIPGREP_RELEASE = 'v13.0.0-10';
const RIPGREP_TARGET = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' }[process.arch];
/** Written last by a complete install; the folder is only used when this file names the current lock. */
const MARKER = '.ostopo-vscode-host.json';

const say = (s) => process.stderr.write(`[vscode-host] ${s}\n`);

export class HostError extends Error {}

function lockHash() {
  return createHash('sha256')
    .update(fs.readFileSync(path.join(HOST_PACKAGE, 'package-lock.json')))
    .digest('hex')
    .slice(0, 12);
}

/** The folder the host is (or will be) installed in. */
export function hostDir() {
  return process.env.OSTOPO_VSCODE_HOST_DIR || `/var/tmp/ostopo-vscode-host-${lockHash()}`;
}

/** What the tests need to know about an installed host. */
function describe(dir) {
  const requireFromHost = createRequire(path.join(dir, 'package.json'));
  return {
    dir,
    codeServer: path.join(dir, 'node_modules', '.bin', 'code-server'),
    chromium: CHROMIUM,
    /** playwright-core, loaded from the host folder (the extension's package does not depend on it). */
    playwright: () => requireFromHost('playwright-core'),
  };
}

function readMarker(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Removes the <dir>.partial-<pid> folders of installs whose process is gone (interrupted by a signal). */
function removeAbandonedInstalls(dir) {
  const parent = path.dirname(dir);
  const prefix = `${path.basename(dir)}.partial-`;
  for (const name of fs.existsSync(parent) ? fs.readdirSync(parent) : []) {
    if (!name.startsWith(prefix)) continue;
    try {
      process.kill(Number(name.slice(prefix.length)), 0); // still installing
    } catch (e) {
      if (e.code === 'ESRCH') fs.rmSync(path.join(parent, name), { recursive: true, force: true });
    }
  }
}

/**
 * Makes sure the host is installed and returns where it is. Idempotent: when the folder holds a complete
 * install of the current lock file, this only checks the Debian packages.
 */
export function vscodeHost() {
  try {
    ensurePackages(DEBIAN_PACKAGES, 'the VS Code test host (code-server in Chromium)', say);
  } catch (e) {
    throw e instanceof SetupError ? new HostError(e.message) : e;
  }
  const hash = lockHash();
  const dir = hostDir();
  if (readMarker(dir)?.lock === hash) return describe(dir);

  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) throw new HostError(`code-server 4.100.3 needs Node 20 (this is Node ${process.versions.node})`);
  if (!RIPGREP_TARGET) throw new HostError(`no ripgrep seed for ${process.arch} (x64 and arm64 only)`);

  // Install next to the final folder and move it there when complete: an interrupted install never
  // looks complete, and two installs at once do not mix their files.
  const t0 = Date.now();
  const work = `${dir}.partial-${process.pid}`;
  removeAbandonedInstalls(dir);
  fs.rmSync(work, { recursive: true, force: true });
  const tmp = path.join(work, '.tmp');
  const seed = path.join(tmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE}`);
  fs.mkdirSync(seed, { recursive: true });
  try {
    for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(HOST_PACKAGE, f), path.join(work, f));
    fs.mkdirSync(path.join(tmp, 'rg'));
    fs.copyFileSync('/usr/bin/rg', path.join(tmp, 'rg', 'rg'));
    execFileSync('tar', ['czf', path.join(seed, `ripgrep-${RIPGREP_RELEASE}-${RIPGREP_TARGET}.tar.gz`), '-C', path.join(tmp, 'rg'), 'rg']);

    say(`installing code-server and playwright-core into ${dir} (a few minutes: npm, then native modules built with node-gyp)`);
    const env = {
      ...process.env,
      TMPDIR: tmp, // where @vscode/ripgrep looks for its "download cache"
      // code-server's postinstall refuses to run as root unless npm was asked for unsafe-perm; npm 11 no
      // longer knows that setting (it warns), but the script only reads this variable.
      npm_config_unsafe_perm: 'true',
      // node-pty's postinstall runs `npx node-gyp`: npx must not ask (a user .npmrc may say yes=false).
      npm_config_yes: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    // npm's own output goes to stderr: stdout is the folder, for scripts that read it.
    execFileSync('npm', ['ci'], { cwd: work, env, stdio: ['ignore', 2, 2] });

    const rg = path.join(work, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
    if (!fs.existsSync(rg)) throw new HostError(`code-server installed without ${rg}: does it still use @vscode/ripgrep ${RIPGREP_PACKAGE}?`);
    const version = execFileSync(path.join(work, 'node_modules', '.bin', 'code-server'), ['--version'], {
      encoding: 'utf8',
      // --version would write ~/.config/code-server/config.yaml otherwise
      env: { ...process.env, XDG_CONFIG_HOME: tmp, XDG_DATA_HOME: tmp, XDG_CACHE_HOME: tmp },
    })
      .trim()
      .split('\n')
      .pop();
    createRequire(path.join(work, 'package.json')).resolve('playwright-core');
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.writeFileSync(path.join(work, MARKER), `${JSON.stringify({ lock: hash, codeServer: version, installed: new Date().toISOString() }, null, 2)}\n`);

    if (readMarker(dir)?.lock === hash) {
      fs.rmSync(work, { recursive: true, force: true }); // another install finished first
    } else {
      fs.rmSync(dir, { recursive: true, force: true }); // an incomplete or older install (OSTOPO_VSCODE_HOST_DIR)
      fs.renameSync(work, dir);
    }
    say(`code-server ${version} installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return describe(dir);
  } catch (e) {
    fs.rmSync(work, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The VS Code executable for @vscode/test-electron's runTests(): VSCODE_EXECUTABLE_PATH when set (a VS
 * Code of your own), else our stand-in, with the host installed first.
 */
export function vscodeExecutable() {
  if (process.env.VSCODE_EXECUTABLE_PATH) return process.env.VSCODE_EXECUTABLE_PATH;
  vscodeHost();
  return CODE_SHIM;
}

/** For scripts: `get()` (vscodeHost or vscodeExecutable), or say why not and exit 2 (a host problem, not a test failure). */
export function orExit(get) {
  try {
    return get();
  } catch (e) {
    console.error(e instanceof HostError ? `[vscode-host] ${e.message}` : e);
    process.exit(2);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(vscodeHost().dir);
  } catch (e) {
    console.error(e instanceof HostError ? `[vscode-host] ${e.message}` : e);
    process.exit(2);
  }
}
