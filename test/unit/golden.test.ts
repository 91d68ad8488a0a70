import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { render } from '../../src/core/compile';
import { writeRendered } from '../../src/core/output';
import { analyzeFile, EPOXY, listFiles, ROOT, TRAIN, ZED } from './helpers';

/**
 * Golden files: the masked render of each example, committed under test/golden/<example>/. A change to
 * any rendered byte shows up here as a diff to review; `npm run test:update-golden` rewrites them.
 */
describe('golden render of the examples', () => {
  for (const [name, file] of [
    ['train-centos7', TRAIN],
    ['zed-debian12', ZED],
    ['epoxy-debian13', EPOXY],
  ]) {
    it(`${name} renders exactly the committed files`, () => {
      const a = analyzeFile(file);
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-golden-'));
      try {
        const r = render(a);
        writeRendered(r, tmp, r.profileTitle);
        const golden = path.join(ROOT, 'test', 'golden', name);
        if (process.env.OSTOPO_UPDATE_GOLDEN) {
          fs.rmSync(golden, { recursive: true, force: true });
          fs.cpSync(tmp, golden, { recursive: true });
        }
        assert.deepEqual(listFiles(tmp), listFiles(golden), 'the same files');
        for (const rel of listFiles(tmp)) {
          assert.equal(
            fs.readFileSync(path.join(tmp, rel), 'utf8'),
            fs.readFileSync(path.join(golden, rel), 'utf8'),
            `${rel} differs from test/golden/${name}/${rel} (npm run test:update-golden after review)`,
          );
        }
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});
