import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './helpers';

/**
 * test/e2e/run.mjs destroys its test nodes when it is interrupted, not only at its end: run against a
 * stand-in for the test-node tool that only records what it is asked, and stopped by a signal.
 */
describe('the end-to-end test cleans up on signals', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-e2e-sig-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: the nodes are destroyed and it exits 130`, async () => {
      const log = path.join(dir, 'calls.log');
      const tool = path.join(dir, 'testnodes', 'testnodes');
      fs.mkdirSync(path.dirname(tool));
      // Records each call; prints what the e2e reads (a key path, a known_hosts line).
      fs.writeFileSync(
        tool,
        `#!/bin/bash\necho "$*" >> ${JSON.stringify(log)}\ncase "$1" in key) echo ${JSON.stringify(path.join(dir, 'key'))};; known-hosts) echo "$2 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFake";; esac\n`,
        { mode: 0o755 },
      );
      fs.writeFileSync(path.join(dir, 'key'), 'not a key\n');
      // The two-node cloud (the data-plane cloud would make interfaces in its lab namespace, which the stand-in does not make).
      const child = spawn(process.execPath, [path.join(ROOT, 'test', 'e2e', 'run.mjs')], {
        // Its workspace goes into this test's folder (an interrupted run keeps its workspace).
        env: { ...process.env, OSTOPO_SHARED: dir, OSTOPO_E2E_KEEP: '', OSTOPO_E2E_CLOUDS: '2025.1', TMPDIR: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      // Once the nodes exist (the tool was asked for their host keys), interrupt.
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (fs.existsSync(log) && /^known-hosts epoxy-compute1$/m.test(fs.readFileSync(log, 'utf8'))) {
            clearInterval(t);
            resolve();
          }
        }, 50);
      });
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 130, out);
      const calls = fs.readFileSync(log, 'utf8').split('\n');
      const after = calls.slice(calls.indexOf('known-hosts epoxy-compute1') + 1);
      assert.ok(after.includes('destroy epoxy-controller') && after.includes('destroy epoxy-compute1'), `destroyed after the signal: ${after.join('; ')}`);
      assert.match(out, new RegExp(`${signal}: stopping; destroying the test nodes`));
    });
  }
});
