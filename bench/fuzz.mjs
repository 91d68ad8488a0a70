// The structure-aware fuzzer of test/unit/fuzz.test.ts, at length: 200,000 cases through analyze, the
// editor features, render, plan and runbook. Prints the seed, the outcomes, the slowest case and any
// failure (with the variables that reproduce it in the unit test); exit 1 on a failure or a case over 1 s.
// Usage: npm run pretest && node bench/fuzz.mjs    (OSTOPO_FUZZ_SEED, OSTOPO_FUZZ_CASES, OSTOPO_FUZZ_FROM)
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { documentedCodes, fuzz, summary } = require(path.join(root, 'out/test/unit/fuzzRun.js'));
const { minimal, read, TRAIN, ZED } = require(path.join(root, 'out/test/unit/helpers.js'));
const { analyze } = require(path.join(root, 'out/src/core/compile.js'));

const seed = Number(process.env.OSTOPO_FUZZ_SEED ?? 20240611);
const cases = Number(process.env.OSTOPO_FUZZ_CASES ?? 200000);
const from = Number(process.env.OSTOPO_FUZZ_FROM ?? 0);
const seeds = [read(TRAIN), read(ZED), minimal()];
console.log(`fuzz: seed ${seed}, cases ${from}..${from + cases - 1}`);
const started = Date.now();
const report = fuzz({
  seed,
  cases,
  from,
  seeds,
  values: seeds.map((s) => analyze(s, {}).doc.value),
  known: documentedCodes(),
  maxFailures: 50,
  onProgress: (n) => console.log(`  ${n} cases, ${((Date.now() - started) / 1000).toFixed(0)} s`),
});
console.log(summary(report));
for (const s of report.slow) console.log(`SLOW case ${s.index} (${s.kind}): ${s.ms.toFixed(0)} ms twice`);
for (const f of report.failures) {
  console.log(`\nFAILED case ${f.index} (${f.kind}); reproduce: OSTOPO_FUZZ_SEED=${seed} OSTOPO_FUZZ_FROM=${f.index} OSTOPO_FUZZ_CASES=1 npx mocha out/test/unit/fuzz.test.js`);
  console.log(f.error.split('\n').slice(0, 8).join('\n'));
  console.log('--- input ---');
  console.log(f.text.length > 1500 ? `${f.text.slice(0, 1500)}…` : f.text);
}
process.exitCode = report.failures.length || report.slow.length ? 1 : 0;
