import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Loaded by VS Code's extension host: runs every *.test.js of this folder with mocha. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120000, color: false, reporter: 'spec' });
  const dir = __dirname;
  const only = process.env.OSTOPO_INTEGRATION_GREP;
  if (only) mocha.grep(only);
  // OSTOPO_INTEGRATION_SUITE=cloud runs the suites that need a deployed cloud (test/e2e/run.mjs does).
  const suffix = process.env.OSTOPO_INTEGRATION_SUITE === 'cloud' ? '.cloud.js' : '.test.js';
  for (const f of fs
    .readdirSync(dir)
    .filter((x) => x.endsWith(suffix))
    .sort())
    mocha.addFile(path.join(dir, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats!;
      console.log(`integration: ${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ''}`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
  });
}
