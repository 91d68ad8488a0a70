// Runs the integration tests in a real VS Code: VSCODE_EXECUTABLE_PATH if set, else the code-server host
// that scripts/vscode-host.sh installs (set up on first use).
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
if (!env.VSCODE_EXECUTABLE_PATH) {
  env.VSCODE_EXECUTABLE_PATH = execFileSync('bash', [path.join(root, 'scripts', 'vscode-host.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}
const r = spawnSync(process.execPath, [path.join(root, 'out', 'test', 'integration', 'runTest.js')], { env, stdio: 'inherit' });
process.exit(r.status ?? 1);
