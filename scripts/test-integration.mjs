// Runs the integration tests in a real VS Code (out/test/integration/runTest.js, test-electron's
// runTests()): the one VSCODE_EXECUTABLE_PATH names if set, else the project's own VS Code test host
// (test/host/code.mjs: code-server in headless Chromium), installed by scripts/vscode-host.mjs on first use.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { orExit, vscodeExecutable } from './vscode-host.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const executable = orExit(vscodeExecutable);
// In a process group of its own, so that a signal reaches it once, from here: Ctrl+C, kill or hang-up
// all become test-electron's SIGINT, which closes VS Code gracefully (our host: stops code-server and
// the browser, removes its temporary folders); a second one closes it forcefully.
const child = spawn(process.execPath, [path.join(root, 'out', 'test', 'integration', 'runTest.js')], {
  env: { ...process.env, VSCODE_EXECUTABLE_PATH: executable },
  stdio: 'inherit',
  detached: true,
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill('SIGINT'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
