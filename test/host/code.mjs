#!/usr/bin/env node
// Stands in for the VS Code executable in @vscode/test-electron's
//   runTests({ vscodeExecutablePath: 'test/host/code.mjs', extensionDevelopmentPath, extensionTestsPath, launchArgs })
// (test/integration/runTest.ts). test-electron launches it with VS Code's command line; we take the
// extension, the tests and the folder from it and run them in our VS Code host (runner.mjs), installed
// first if needed. Exit code: 0 the tests passed, 1 they failed, 2 the host failed.
//   OSTOPO_VSCODE_VERBOSE=1        code-server's output and the browser console as well
//   OSTOPO_VSCODE_TIMEOUT=<s>      for the whole run (default 900)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { orExit, vscodeHost } from '../../scripts/vscode-host.mjs';
import { runTests } from './runner.mjs';

const extensionDevelopmentPath = [];
let extensionTestsPath;
let workspace;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(argv[i]);
  if (!m) {
    workspace ??= argv[i]; // the folder to open (launchArgs)
    continue;
  }
  const [, name, inline] = m;
  const value = () => inline ?? argv[++i];
  if (name === 'extensionDevelopmentPath') extensionDevelopmentPath.push(value());
  else if (name === 'extensionTestsPath') extensionTestsPath = value();
  else if (name === 'folder-uri') workspace = fileURLToPath(value());
  else if (['user-data-dir', 'extensions-dir', 'locale'].includes(name) && inline === undefined) i++;
  // Everything else is for desktop VS Code (--no-sandbox, --disable-updates, --skip-welcome,
  // --disable-extensions...). The host starts with empty user data and extension folders of its own
  // each run, which is what test-electron's --user-data-dir/--extensions-dir and --disable-extensions are for.
}
if (!extensionTestsPath || extensionDevelopmentPath.length === 0) {
  console.error('test/host/code.mjs runs extension tests only: it needs --extensionDevelopmentPath and --extensionTestsPath');
  process.exit(2);
}

// When whoever started us is gone (test-electron killed, say), nobody waits for the result: stop, which
// cleans up like Ctrl+C does.
const parent = process.ppid;
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    process.kill(process.pid, 'SIGTERM');
  }
}, 1000).unref();

const host = orExit(vscodeHost);
const root = path.resolve(extensionDevelopmentPath[0]);
const code = await runTests({
  host,
  extensionDevelopmentPath,
  extensionTestsPath,
  workspace,
  timeoutMs: Number(process.env.OSTOPO_VSCODE_TIMEOUT || 900) * 1000,
  screenshotOnFailure: path.join(root, 'test-artifacts', 'integration', 'failure.png'),
  verbose: !!process.env.OSTOPO_VSCODE_VERBOSE,
});
process.exit(code);
