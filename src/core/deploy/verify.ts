import { CheckArtifact } from '../render/artifacts';
import { secretLookup } from '../secrets';
import { seconds } from './events';
import { NodeJournal } from './journal';
import { artifactsOfKind } from './plan';
import { lastLines, RemoteError } from './remote';
import { checkSecrets, connectAll, envOf, maskerOf, now, RunOptions, selectedNodes } from './run';

export interface VerifyResult {
  ok: boolean;
  ms: number;
  passed: number;
  failed: number;
  nodes: Record<string, { passed: number; failed: number; message?: string }>;
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
  const remotes = await connectAll(o, names, masker);
  const result: VerifyResult = { ok: true, ms: 0, passed: 0, failed: 0, nodes: {} };
  try {
    await Promise.all(
      names.map(async (name) => {
        const r = remotes.get(name)!;
        const checks: CheckArtifact[] = artifactsOfKind(rendered, name, 'check');
        const nodeResult = (result.nodes[name] = { passed: 0, failed: 0 } as VerifyResult['nodes'][string]);
        const record: NonNullable<NodeJournal['lastVerify']> = { at: now(), passed: 0, failed: 0, checks: {} };
        for (const c of checks) {
          const ct0 = Date.now();
          let ok = false;
          let evidence: string;
          if (r instanceof RemoteError) evidence = `not run: ${r.message}`;
          else if (o.signal?.aborted) evidence = 'not run: cancelled';
          else {
            try {
              const res = await r.exec(c.run, { env: envOf(c.env, lookup), signal: o.signal, timeoutMs: o.commandTimeoutMs ?? 5 * 60_000 });
              const out = `${res.stdout.toString('utf8')}${res.stderr ? `\n${res.stderr}` : ''}`;
              const expectOk = !c.expect || new RegExp(c.expect, 'm').test(out);
              const rejectHit = c.reject ? new RegExp(c.reject, 'm').exec(out) : null;
              ok = res.code === 0 && expectOk && !rejectHit;
              const why = res.code !== 0 ? `exit status ${res.code}` : !expectOk ? `output does not match /${c.expect}/` : rejectHit ? `output has "${rejectHit[0].trim()}"` : '';
              evidence = (why ? `${why}\n` : '') + lastLines(out, ok ? 6 : 15);
            } catch (e) {
              evidence = (e as Error).message;
            }
          }
          evidence = masker.mask(evidence);
          const ms = Date.now() - ct0;
          if (ok) nodeResult.passed++;
          else nodeResult.failed++;
          record.checks[c.id] = { title: c.title, ok, ms, evidence };
          o.onEvent({ type: 'check', node: name, id: c.id, title: c.title, ok, ms, evidence });
        }
        record.passed = nodeResult.passed;
        record.failed = nodeResult.failed;
        if (r instanceof RemoteError) nodeResult.message = masker.mask(r.message);
        o.journal.node(name).lastVerify = record;
        result.passed += nodeResult.passed;
        result.failed += nodeResult.failed;
      }),
    );
  } finally {
    for (const r of remotes.values()) if (!(r instanceof RemoteError)) r.close();
    o.journal.save();
  }
  result.ms = Date.now() - t0;
  result.ok = result.failed === 0 && Object.values(result.nodes).every((n) => !n.message);
  o.onEvent({ type: 'end', ok: result.ok, ms: result.ms, message: `${result.passed} check(s) passed, ${result.failed} failed, in ${seconds(result.ms)}` });
  return result;
}
