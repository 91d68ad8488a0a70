import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

/**
 * Runs the integration tests inside a real VS Code. VSCODE_EXECUTABLE_PATH picks the VS Code to use:
 * scripts/test-integration.mjs sets it to the project's test host (test/host/code.mjs: code-server in
 * headless Chromium) unless it names one already; unset, test-electron downloads VS Code as usual.
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [process.env.OSTOPO_INTEGRATION_WORKSPACE ?? path.join(root, 'test', 'fixtures', 'ws'), '--disable-extensions'],
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH,
    });
  } catch (e) {
    console.error(`integration tests failed: ${(e as Error).message ?? e}`);
    process.exit(1);
  }
}

void main();
