import * as assert from 'node:assert/strict';
import { analyze } from '../../src/core/compile';
import { documentedCodes, fuzz, summary } from './fuzzRun';
import { minimal, read, TRAIN, ZED } from './helpers';

describe('fuzz: structure-aware mutations through analyze → editor → render → plan → runbook', function () {
  this.timeout(600000);
  const seed = Number(process.env.OSTOPO_FUZZ_SEED ?? 20240611);
  const cases = Number(process.env.OSTOPO_FUZZ_CASES ?? 20000);
  const from = Number(process.env.OSTOPO_FUZZ_FROM ?? 0);

  it(`${cases} cases: no exception but the expected refusals, no case over one second`, () => {
    const seeds = [read(TRAIN), read(ZED), minimal()];
    const report = fuzz({ seed, cases, from, seeds, values: seeds.map((s) => analyze(s, {}).doc.value), known: documentedCodes() });
    console.log(`      ${summary(report)}`);
    const failures = report.failures.map((f) => `case ${f.index} (${f.kind}; OSTOPO_FUZZ_SEED=${seed} OSTOPO_FUZZ_FROM=${f.index} OSTOPO_FUZZ_CASES=1):\n${f.error}\n--- input ---\n${f.text}`);
    assert.deepEqual(failures, []);
    assert.deepEqual(report.slow, [], 'cases that took over one second, twice');
  });
});
