import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckArtifact } from '../render/artifacts';
import { SKIP_MARK, withUnitSkip } from '../render/template';
import { secretLookup } from '../secrets';
import { seconds } from './events';
import { NodeJournal } from './journal';
import { artifactsOfKind } from './plan';
import { lastLines, Remote, RemoteError } from './remote';
import { startOscServer, usesOpenstack } from './oscServer';
import { checkSecrets, connectAll, envOf, inOrder, lockRun, maskerOf, now, RunOptions, selectedNodes } from './run';
import * as l10n from '../l10n';

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
 * Checks run at once on a node (one worker shell each, each an SSH channel of the node's one connection;
 * sshd allows 10 sessions per connection by default, the node's lock holds one, and stopping a cancelled
 * command one for a moment). Each is independent: those that create objects name them uniquely. Most
 * wait on a service more than they use the node's CPU (their `openstack` commands go through one client
 * process).
 */
export const PARALLEL_CHECKS = 6;

/**
 * The order in which a node's checks start (they are still reported in their order): first the head of
 * each chain of checks that run one after another (`exclusive`: the dashboard's sign-ins), which would
 * otherwise end the run alone; last the checks with a time limit of their own (launching an instance),
 * which load the whole cloud for tens of seconds and would slow every other check beside them.
 */
export function startRank(checks: CheckArtifact[]): (c: CheckArtifact) => number {
  const heads = new Set<CheckArtifact>();
  const seen = new Set<string>();
  for (const c of checks) {
    if (c.exclusive && !seen.has(c.exclusive)) {
      seen.add(c.exclusive);
      heads.add(c);
    }
  }
  return (c) => (c.timeoutMs !== undefined ? 1 : heads.has(c) ? -1 : 0);
}

/** One reported result: a check, or one stage of a check of several (CheckArtifact.stages). */
interface CheckResult {
  id: string;
  title: string;
  ok: boolean;
  skipped?: string;
  evidence: string;
  ms: number;
}

const STAGE_LINE = /^OSTOPO-STAGE (\d+) (PASS|FAIL|SKIP) ?(.*)$/;

/** A stage's own time at the end of its text: `... (12 s)`. */
const STAGE_SECONDS = / \((\d+) s\)$/;

/**
 * The results of a check of several stages from its output: each stage as the script reported it; the
 * first stage it did not report gets the check's own failure (when it failed), and later ones are not
 * reached. Timing: a stage's own where its text ends with it, `(12 s)` (the launch check's stages do); the
 * rest of the whole check's on the stage that ended it.
 */
export function stageResults(c: Pick<CheckArtifact, 'id'>, stages: string[], out: string, ok: boolean, evidence: string, ms: number): CheckResult[] {
  const said = new Map<number, { status: string; text: string }>();
  for (const line of out.split('\n')) {
    const m = STAGE_LINE.exec(line);
    if (m && !said.has(Number(m[1]))) said.set(Number(m[1]), { status: m[2]!, text: m[3]! });
  }
  const results: CheckResult[] = [];
  let failedAt: string | undefined;
  stages.forEach((title, i) => {
    const id = `${c.id}#${i + 1}`;
    const s = said.get(i + 1);
    if (s) {
      if (s.status === 'FAIL' && !failedAt) failedAt = title;
      const own = STAGE_SECONDS.exec(s.text);
      results.push({ id, title, ok: s.status !== 'FAIL', ...(s.status === 'SKIP' ? { skipped: s.text } : {}), evidence: s.text, ms: own ? Number(own[1]) * 1000 : 0 });
    } else if (failedAt) results.push({ id, title, ok: true, skipped: l10n.t('not reached: "{0}" failed', failedAt), evidence: '', ms: 0 });
    else if (!ok) {
      failedAt = title;
      results.push({ id, title, ok: false, evidence, ms: 0 });
    } else results.push({ id, title, ok: false, evidence: `${l10n.t('the check reported nothing for this stage')}\n${evidence}`, ms: 0 });
  });
  const last = results.findIndex((x) => !x.ok);
  const end = results[last >= 0 ? last : results.length - 1]!;
  if (!end.ms) end.ms = Math.max(0, ms - results.reduce((sum, x) => sum + x.ms, 0));
  return results;
}

/**
 * A check's inputs on the node: a private temporary folder (0700) with each local file (relative paths
 * from the topology's folder), read and sent over the connection. Returns the folder.
 */
async function uploadInputs(r: Remote, c: CheckArtifact, o: RunOptions): Promise<string> {
  const files = c.inputs!.map((i) => {
    const local = path.resolve(o.baseDir ?? '.', i.path);
    try {
      return { name: i.name, content: fs.readFileSync(local) };
    } catch (e) {
      throw new Error(l10n.t('cannot read {0} ({1}) for this check: {2}', i.path, local, (e as NodeJS.ErrnoException).code ?? (e as Error).message), { cause: e });
    }
  });
  const made = await r.exec('umask 077 && mktemp -d /var/tmp/ostopo-verify.XXXXXX', { timeoutMs: 60_000 });
  const dir = made.stdout.toString('utf8').trim();
  if (made.code !== 0 || !dir.startsWith('/var/tmp/ostopo-verify.')) throw new Error(l10n.t('cannot make a temporary folder on the node: {0}', made.stderr.trim()));
  for (const f of files) {
    const w = await r.exec('cat > "$1"', { args: [`${dir}/${f.name}`], stdin: f.content, signal: o.signal, timeoutMs: 10 * 60_000 });
    if (w.code !== 0) throw new Error(l10n.t('cannot upload {0} to {1}: {2}', f.name, dir, w.stderr.trim()));
  }
  return dir;
}

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
        // Checks that share an `exclusive` key wait for each other (each key a chain of promises).
        const exclusive = new Map<string, Promise<unknown>>();
        // The node's `openstack` commands go through one client process (oscServer.ts) while its checks run.
        const osc = !(r instanceof RemoteError) && !o.signal?.aborted && checks.some((c) => usesOpenstack(c.run)) ? await startOscServer(r, { signal: o.signal }) : undefined;
        const runCheck = (c: CheckArtifact): Promise<CheckResult[]> => {
          if (!c.exclusive) return runOne(c);
          const run = (exclusive.get(c.exclusive) ?? Promise.resolve()).then(() => runOne(c));
          exclusive.set(
            c.exclusive,
            run.catch(() => undefined),
          );
          return run;
        };
        const runOne = async (c: CheckArtifact): Promise<CheckResult[]> => {
          const ct0 = Date.now();
          let ok = false;
          let skipped: string | undefined;
          let evidence: string;
          let out = '';
          if (r instanceof RemoteError) evidence = l10n.t('not run: {0}', r.message);
          else if (o.signal?.aborted) evidence = l10n.t('not run: cancelled');
          else {
            let inputs: string | undefined;
            try {
              inputs = c.inputs?.length ? await uploadInputs(r, c, o) : undefined;
              const env = { ...envOf(c.env, lookup), ...(inputs ? { OSTOPO_INPUTS: inputs } : {}) };
              const run = osc?.prelude && usesOpenstack(c.run) ? osc.prelude + c.run : c.run;
              const res = await r.exec(withUnitSkip(run, c.units), { env, signal: o.signal, timeoutMs: c.timeoutMs ?? o.commandTimeoutMs ?? 5 * 60_000 });
              out = `${res.stdout.toString('utf8')}${res.stderr ? `\n${res.stderr}` : ''}`;
              if (res.code === 0 && out.startsWith(SKIP_MARK)) {
                // The check does not apply on this node: systemd skipped a unit it needs, and says why.
                skipped = (out.slice(SKIP_MARK.length).split('\n')[0] ?? '').trim();
              }
              const expectOk = !c.expect || new RegExp(c.expect, 'm').test(out);
              const rejectHit = c.reject ? new RegExp(c.reject, 'm').exec(out) : null;
              ok = skipped !== undefined || (res.code === 0 && expectOk && !rejectHit);
              const why =
                res.code !== 0
                  ? l10n.t('exit status {0}', res.code)
                  : !expectOk
                    ? l10n.t('output does not match /{0}/', c.expect ?? '')
                    : rejectHit
                      ? l10n.t('output has "{0}"', rejectHit[0].trim())
                      : '';
              evidence = skipped ?? (why ? `${why}\n` : '') + lastLines(out, ok ? 6 : 15);
            } catch (e) {
              evidence = (e as Error).message;
            } finally {
              if (inputs) await r.exec('rm -rf -- "$1"', { args: [inputs], timeoutMs: 60_000 }).catch(() => undefined);
            }
          }
          const ms = Date.now() - ct0;
          if (!c.stages) return [{ id: c.id, title: c.title, ok, skipped, evidence: masker.mask(evidence), ms }];
          return stageResults(c, c.stages, out, ok, evidence, ms).map((x) => ({ ...x, evidence: masker.mask(x.evidence) }));
        };
        try {
          await inOrder(
            checks,
            o.parallelChecks ?? PARALLEL_CHECKS,
            runCheck,
            (results) => {
              for (const { id, title, ok, skipped, evidence, ms } of results) {
                if (skipped !== undefined) nodeResult.skipped++;
                else if (ok) nodeResult.passed++;
                else nodeResult.failed++;
                record.checks[id] = { title, ok, ms, evidence, ...(skipped !== undefined ? { skipped: true } : {}) };
                o.onEvent({ type: 'check', node: name, id, title, ok, ms, evidence, ...(skipped !== undefined ? { skipped } : {}) });
              }
            },
            startRank(checks),
          );
        } finally {
          await osc?.stop();
        }
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
    try {
      o.journal.flush();
    } finally {
      o.journal.release();
    }
  }
  result.ms = Date.now() - t0;
  result.ok = result.failed === 0 && Object.values(result.nodes).every((n) => !n.message);
  o.onEvent({
    type: 'end',
    ok: result.ok,
    ms: result.ms,
    message: result.skipped
      ? l10n.t('{0} check(s) passed, {1} failed, {2} skipped (they do not apply on their node), in {3}', result.passed, result.failed, result.skipped, seconds(result.ms))
      : l10n.t('{0} check(s) passed, {1} failed, in {2}', result.passed, result.failed, seconds(result.ms)),
  });
  return result;
}
