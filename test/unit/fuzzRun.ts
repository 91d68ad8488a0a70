import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Analysis, analyze, render, TopologyError } from '../../src/core/compile';
import { Journal } from '../../src/core/deploy/journal';
import { buildPlan, planText } from '../../src/core/deploy/plan';
import { completeAt } from '../../src/core/editor/complete';
import { fixesFor } from '../../src/core/editor/fixes';
import { hoverAt, nodeNameAt, outline } from '../../src/core/editor/navigate';
import { formatFinding } from '../../src/core/findings';
import { renderedToText } from '../../src/core/output';
import { MissingSecretError } from '../../src/core/render/template';
import { secretLookup } from '../../src/core/secrets';
import { FuzzCase, makeCase, prng } from './fuzzer';
import { ROOT } from './helpers';

export type Outcome = 'invalid' | 'unrenderable' | 'rendered';

/** A state folder with no journal in it: the plan of a first deploy. */
const NO_JOURNAL = path.join(os.tmpdir(), 'ostopo-fuzz-no-journal');

/** Characters a finding must never print: they would move the cursor, recolour or retitle an operator's terminal. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const fail = (what: string): never => {
  throw new Error(what);
};

/**
 * Everything an input goes through, as the CLI and the editor run it: analyze; the editor's outline,
 * hover, completion and fixes (when `editor`); for a topology without errors render, every text with
 * secrets masked and revealed (with each node's RUNBOOK.sh and VERIFY.sh), and the plan against an
 * empty journal. Throws on anything but the expected refusals (TopologyError, MissingSecretError).
 */
export function runCase(c: FuzzCase, known?: Set<string>, editor = false, r: () => number = Math.random, previous?: { index: number; analysis: Analysis }): Outcome {
  const a = analyze(c.text, c.env);
  // The editor passes the analysis of the text before the edit: it may change how, never what, is found.
  if (previous && !isDeepStrictEqual(analyze(c.text, c.env, undefined, undefined, previous.analysis).findings, a.findings))
    fail(`given the analysis of case ${previous.index}, analyze found something else than without it`);
  const lines = c.text.split('\n').length;
  for (const f of a.findings) {
    if (known && !known.has(f.code)) fail(`finding code ${f.code} is not in the README`);
    if (!['error', 'warning', 'info'].includes(f.severity)) fail(`severity ${f.severity}`);
    const { start, end } = f.range;
    if (start.line < 0 || start.character < 0 || end.line < start.line || end.line >= lines + 1 || (end.line === start.line && end.character < start.character))
      fail(`${f.code} has the range ${JSON.stringify(f.range)} in ${lines} lines`);
    if (!f.message || f.message.length > 2000) fail(`${f.code} has a message of ${f.message.length} characters`);
    const printed = formatFinding('t.ostopo.yaml', f);
    if (UNPRINTABLE.test(printed)) fail(`${f.code} prints a control character or half a surrogate pair: ${JSON.stringify(printed)}`);
  }
  if (editor) {
    outline(a);
    const pos = { line: Math.floor(r() * lines), character: Math.floor(r() * 40) };
    hoverAt(a, pos);
    completeAt(a, c.text, pos);
    nodeNameAt(a, pos);
    for (const f of a.findings.slice(0, 5)) fixesFor(a, f, (n) => new Uint8Array(n).fill(7));
  }
  if (a.hasErrors) {
    try {
      render(a);
    } catch (e) {
      if (e instanceof TopologyError) return 'invalid';
      throw e;
    }
    return fail('a topology with errors rendered');
  }
  let rendered;
  try {
    rendered = render(a);
  } catch (e) {
    if (e instanceof TopologyError) return 'unrenderable';
    throw e;
  }
  const title = rendered.profileTitle;
  const lookup = secretLookup(a.cloud.secrets);
  const missingOk = (make: () => unknown) => {
    try {
      make();
    } catch (e) {
      if (!(e instanceof MissingSecretError)) throw e;
    }
  };
  // Every file, and each node's RUNBOOK.sh (runbook.ts) and VERIFY.sh, masked and revealed.
  renderedToText(rendered, title);
  missingOk(() => renderedToText(rendered, title, lookup));
  planText(buildPlan(rendered), Journal.open(NO_JOURNAL, rendered.name), lookup);
  return 'rendered';
}

export interface FuzzFailure {
  index: number;
  kind: string;
  error: string;
  text: string;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  ms: number;
  outcomes: Record<Outcome, number>;
  slowest: { index: number; ms: number; kind: string; bytes: number };
  /** Cases over `maxMs`, measured twice (a pause of the machine is not the input's fault). */
  slow: { index: number; ms: number; kind: string }[];
  failures: FuzzFailure[];
}

/** Runs cases `from`..`from + cases - 1` of the run seeded `seed`. */
export function fuzz(o: {
  seed: number;
  cases: number;
  from?: number;
  seeds: string[];
  values: unknown[];
  known?: Set<string>;
  maxMs?: number;
  maxFailures?: number;
  onProgress?: (done: number) => void;
}): FuzzReport {
  const seeds = o.seeds.map((text, i) => ({ text, value: o.values[i] }));
  const report: FuzzReport = { seed: o.seed, cases: 0, ms: 0, outcomes: { invalid: 0, unrenderable: 0, rendered: 0 }, slowest: { index: -1, ms: 0, kind: '', bytes: 0 }, slow: [], failures: [] };
  const maxMs = o.maxMs ?? 1000;
  const start = Date.now();
  let previous: { index: number; analysis: Analysis } | undefined;
  for (let i = o.from ?? 0; i < (o.from ?? 0) + o.cases; i++) {
    const c = makeCase(seeds, o.seed, i);
    const r = prng(i);
    const editor = i % 8 === 0;
    const t0 = process.hrtime.bigint();
    try {
      // An editor case is analysed once more given the analysis of the case before (one edit away: both from the same seeds).
      report.outcomes[runCase(c, o.known, editor, r, editor ? previous : undefined)]++;
      if (editor) previous = { index: i, analysis: analyze(c.text, c.env) };
    } catch (e) {
      report.failures.push({ index: i, kind: c.kind, error: (e as Error).stack ?? String(e), text: c.text.length > 4000 ? c.text.slice(0, 4000) + '…' : c.text });
      if (report.failures.length >= (o.maxFailures ?? 20)) break;
    }
    let ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms > maxMs) {
      const again = process.hrtime.bigint();
      try {
        runCase(c, o.known, editor, prng(i));
      } catch {
        // reported above
      }
      ms = Math.min(ms, Number(process.hrtime.bigint() - again) / 1e6);
      if (ms > maxMs) report.slow.push({ index: i, ms, kind: c.kind });
    }
    if (ms > report.slowest.ms) report.slowest = { index: i, ms, kind: c.kind, bytes: c.text.length };
    report.cases++;
    if (o.onProgress && report.cases % 10000 === 0) o.onProgress(report.cases);
  }
  report.ms = Date.now() - start;
  return report;
}

/** The finding codes the README documents: a finding with another code is a failure too. */
export function documentedCodes(): Set<string> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return new Set([...readme.matchAll(/^\| `([a-z]+\/[a-z-]+)` \|/gm)].map((m) => m[1]));
}

export function summary(r: FuzzReport): string {
  const s = r.slowest;
  return (
    `fuzz: seed ${r.seed} (OSTOPO_FUZZ_SEED), ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s: ${r.outcomes.invalid} with errors, ${r.outcomes.unrenderable} unrenderable, ${r.outcomes.rendered} rendered, planned and run-booked; ` +
    `slowest: case ${s.index} (${s.kind}, ${s.bytes} characters) ${s.ms.toFixed(0)} ms`
  );
}
