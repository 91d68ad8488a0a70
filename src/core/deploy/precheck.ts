import * as l10n from '../l10n';
import { CLOCK_MARK, MAX_CLOCK_OFFSET_S, Precheck, prechecksOf, WARN_MARK } from '../render/precheck';
import { seconds, PrecheckStatus } from './events';
import { Masker } from './mask';
import { lastLines, Remote, RemoteError } from './remote';
import { connectAll, inOrder, maskerOf, RunOptions, selectedNodes } from './run';
import { ResolvedCloud } from '../model';

export interface PrecheckOutcome {
  node: string;
  id: string;
  title: string;
  status: PrecheckStatus;
  evidence: string;
}

export interface PrecheckResult {
  ok: boolean;
  ms: number;
  passed: number;
  warned: number;
  failed: number;
  outcomes: PrecheckOutcome[];
}

/** At most this many prechecks of a node at once (one SSH channel each). */
const PARALLEL = 4;

/**
 * Asks each node the precheck questions (render/precheck.ts), read-only, nodes in parallel and several
 * questions of a node at once; reports each as an event in the questions' order. `remotes`: connections a
 * deploy opened already (else this opens and closes its own, without locks: nothing is changed).
 */
export async function precheck(o: RunOptions & { cloud: ResolvedCloud }, remotes?: Map<string, Remote | RemoteError>, masker: Masker = maskerOf(o.target)): Promise<PrecheckResult> {
  const t0 = Date.now();
  const names = selectedNodes(o);
  const own = !remotes;
  const conns = remotes ?? (await connectAll(o, names, masker));
  const result: PrecheckResult = { ok: true, ms: 0, passed: 0, warned: 0, failed: 0, outcomes: [] };
  try {
    await Promise.all(
      names.map(async (name) => {
        const node = o.cloud.nodes.find((n) => n.name === name)!;
        const r = conns.get(name)!;
        const checks = prechecksOf(o.cloud, node);
        await inOrder(
          checks,
          PARALLEL,
          (c) => runOne(c, r, o, masker),
          (d) => {
            result.outcomes.push({ node: name, id: d.id, title: d.title, status: d.status, evidence: d.evidence });
            result[d.status === 'pass' ? 'passed' : d.status === 'warn' ? 'warned' : 'failed']++;
            o.onEvent({ type: 'precheck', node: name, id: d.id, title: d.title, status: d.status, ms: d.ms, evidence: d.evidence });
          },
        );
      }),
    );
  } finally {
    if (own) for (const r of conns.values()) if (!(r instanceof RemoteError)) r.close();
  }
  result.ms = Date.now() - t0;
  result.ok = result.failed === 0;
  return result;
}

async function runOne(c: Precheck, r: Remote | RemoteError, o: RunOptions, masker: Masker): Promise<Omit<PrecheckOutcome, 'node'> & { ms: number }> {
  const t0 = Date.now();
  const base = { id: c.id, title: c.title };
  if (r instanceof RemoteError) return { ...base, status: 'fail', evidence: masker.mask(l10n.t('not run: {0}', r.message)), ms: 0 };
  try {
    const sent = Date.now() / 1000;
    const res = await r.exec(c.run, { signal: o.signal, timeoutMs: 3 * 60_000 });
    const back = Date.now() / 1000;
    const out = `${res.stdout.toString('utf8')}${res.stderr ? `\n${res.stderr}` : ''}`;
    const lines = out.split('\n');
    const marked = (l: string) => l.startsWith(WARN_MARK) || l.startsWith(CLOCK_MARK);
    const rest = lastLines(lines.filter((l) => !marked(l)).join('\n'), 20);
    let warn = lines.find((l) => l.startsWith(WARN_MARK))?.slice(WARN_MARK.length);
    let why = res.code !== 0 ? l10n.t('exit status {0}', res.code) : undefined;
    const clock = lines.find((l) => l.startsWith(CLOCK_MARK));
    if (clock) {
      // The node read its clock between sending and answering: only what lies outside that window is an offset.
      const node = Number(clock.slice(CLOCK_MARK.length));
      const off = Math.round(node < sent ? node - sent : node > back ? node - back : 0);
      const said = l10n.t('{0} s from this machine', off);
      if (Math.abs(off) > MAX_CLOCK_OFFSET_S) why = `${l10n.t('the clock is {0} s off', off)} (${said})`;
      else warn = warn ? `${warn}; ${said}` : undefined;
    }
    const status: PrecheckStatus = why ? 'fail' : warn ? 'warn' : 'pass';
    const evidence = why ? `${why}\n${rest}` : warn ? `${warn}\n${rest}` : rest;
    return { ...base, status, evidence: masker.mask(evidence.trim()), ms: Date.now() - t0 };
  } catch (e) {
    return { ...base, status: 'fail', evidence: masker.mask((e as Error).message), ms: Date.now() - t0 };
  }
}

/** The summary line of a precheck. */
export function precheckSummary(r: PrecheckResult): string {
  return l10n.t('precheck: {0} passed, {1} warning(s), {2} failed, in {3}', r.passed, r.warned, r.failed, seconds(r.ms));
}
