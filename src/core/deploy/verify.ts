import { CheckArtifact } from '../render/artifacts';
import { SKIP_MARK, withUnitSkip } from '../render/template';
import { secretLookup } from '../secrets';
import { seconds } from './events';
import { NodeJournal } from './journal';
import { artifactsOfKind } from './plan';
import { lastLines, Remote, RemoteError } from './remote';
import { checkSecrets, connectAll, envOf, lockRun, maskerOf, now, RunOptions, selectedNodes } from './run';

export interface VerifyResult {
  ok: boolean;
  ms: number;
  passed: number;
  failed: number;
  /** Checks that do not apply on their node (a unit systemd skipped there), with the reason in the event. */
  skipped: number;
  nodes: Record<string, { passed: number; failed: number; skipped: number; message?: string }>;
}

/**
 * Checks run at once on a node (one SSH channel each; sshd allows 10 sessions per connection by default,
 * and the node's lock holds one). Each is independent: those that create objects name them uniquely.
 */
export const PARALLEL_CHECKS = 4;

/** Runs the install guide's checks on each node and reports pass/fail with the evidence. */
export async function verify(o: RunOptions): Promise<VerifyResult> {
  const t0 = Date.now();
  const names = selectedNodes(o);
  const lookup = secretLookup(o.target.secrets);
  const masker = maskerOf(o.target);
  const rendered = o.target.render({});
  const missing = checkSecrets(o.target, rendered, names);
  if (missing) throw new Error(missing);
  // Verify writes its results into the journal: one run at a time, like deploy.
  const holder = lockRun(o, 'verify');
  const result: VerifyResult = { ok: true, ms: 0, passed: 0, failed: 0, skipped: 0, nodes: {} };
  let remotes = new Map<string, Remote | RemoteError>();
  try {
    remotes = await connectAll(o, names, masker, holder);
    await Promise.all(
      names.map(async (name) => {
        const r = remotes.get(name)!;
        const checks: CheckArtifact[] = artifactsOfKind(rendered, name, 'check');
        const nodeResult = (result.nodes[name] = { passed: 0, failed: 0, skipped: 0 } as VerifyResult['nodes'][string]);
        const record: NonNullable<NodeJournal['lastVerify']> = { at: now(), passed: 0, failed: 0, skipped: 0, checks: {} };
        // Independent checks run side by side (each its own SSH channel), at most PARALLEL_CHECKS at a time;
        // results are reported in the checks' order, each as soon as every check before it has ended.
        const runCheck = async (c: CheckArtifact) => {
          const ct0 = Date.now();
          let ok = false;
          let skipped: string | undefined;
          let evidence: string;
          if (r instanceof RemoteError) evidence = `not run: ${r.message}`;
          else if (o.signal?.aborted) evidence = 'not run: cancelled';
          else {
            try {
              const res = await r.exec(withUnitSkip(c.run, c.units), { env: envOf(c.env, lookup), signal: o.signal, timeoutMs: o.commandTimeoutMs ?? 5 * 60_000 });
              const out = `${res.stdout.toString('utf8')}${res.stderr ? `\n${res.stderr}` : ''}`;
              if (res.code === 0 && out.startsWith(SKIP_MARK)) {
                // The check does not apply on this node: systemd skipped a unit it needs, and says why.
                skipped = (out.slice(SKIP_MARK.length).split('\n')[0] ?? '').trim();
              }
              const expectOk = !c.expect || new RegExp(c.expect, 'm').test(out);
              const rejectHit = c.reject ? new RegExp(c.reject, 'm').exec(out) : null;
              ok = skipped !== undefined || (res.code === 0 && expectOk && !rejectHit);
              const why = res.code !== 0 ? `exit status ${res.code}` : !expectOk ? `output does not match /${c.expect}/` : rejectHit ? `output has "${rejectHit[0].trim()}"` : '';
              evidence = skipped ?? (why ? `${why}\n` : '') + lastLines(out, ok ? 6 : 15);
            } catch (e) {
              evidence = (e as Error).message;
            }
          }
          return { c, ok, skipped, evidence: masker.mask(evidence), ms: Date.now() - ct0 };
        };
        const done: (Awaited<ReturnType<typeof runCheck>> | undefined)[] = checks.map(() => undefined);
        let reported = 0;
        const report = () => {
          for (let d = done[reported]; d; d = done[++reported]) {
            const { c, ok, skipped, evidence, ms } = d;
            if (skipped !== undefined) nodeResult.skipped++;
            else if (ok) nodeResult.passed++;
            else nodeResult.failed++;
            record.checks[c.id] = { title: c.title, ok, ms, evidence, ...(skipped !== undefined ? { skipped: true } : {}) };
            o.onEvent({ type: 'check', node: name, id: c.id, title: c.title, ok, ms, evidence, ...(skipped !== undefined ? { skipped } : {}) });
          }
        };
        let next = 0;
        const worker = async () => {
          while (next < checks.length) {
            const i = next++;
            done[i] = await runCheck(checks[i]!);
            report();
          }
        };
        await Promise.all(Array.from({ length: Math.min(o.parallelChecks ?? PARALLEL_CHECKS, checks.length) }, worker));
        record.passed = nodeResult.passed;
        record.failed = nodeResult.failed;
        record.skipped = nodeResult.skipped;
        if (r instanceof RemoteError) nodeResult.message = masker.mask(r.message);
        o.journal.node(name).lastVerify = record;
        result.passed += nodeResult.passed;
        result.failed += nodeResult.failed;
        result.skipped += nodeResult.skipped;
      }),
    );
  } finally {
    for (const r of remotes.values()) if (!(r instanceof RemoteError)) r.close();
    o.journal.save();
    o.journal.release();
  }
  result.ms = Date.now() - t0;
  result.ok = result.failed === 0 && Object.values(result.nodes).every((n) => !n.message);
  o.onEvent({
    type: 'end',
    ok: result.ok,
    ms: result.ms,
    message: `${result.passed} check(s) passed, ${result.failed} failed${result.skipped ? `, ${result.skipped} skipped (they do not apply on their node)` : ''}, in ${seconds(result.ms)}`,
  });
  return result;
}
