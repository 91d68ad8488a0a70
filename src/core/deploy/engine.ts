import { Ctx, doCommand, doFile, survey } from './actions';
import { precheck, precheckSummary } from './precheck';
import { CommandArtifact, FileArtifact, RenderedCloud } from '../render/artifacts';
import { SecretLookup } from '../render/template';
import { secretLookup } from '../secrets';
import { seconds, StepStatus } from './events';
import type { Masker } from './mask';
import { buildPlan, PlanNode, PlanStep, unrenderedFiles } from './plan';
import { Remote, RemoteError } from './remote';
import { checkSecrets, connectAll, lockRun, maskerOf, now, renderWithFacts, RunOptions, selectedNodes } from './run';
import * as l10n from '../l10n';

export { targetOf } from './run';
export type { DeployTarget, RunOptions } from './run';
export { verify } from './verify';
export type { VerifyResult } from './verify';

export interface DeployOptions extends RunOptions {
  /** Overwrite files that changed on the node since ostopo wrote them. */
  force?: boolean;
  /** Compare and check only: write no file, run no command. */
  dryRun?: boolean;
  /** Run every check on the nodes, also those the journal vouches for (`trustJournal`). */
  recheck?: boolean;
  /**
   * Ask the nodes the precheck questions first (render/precheck.ts), with the connections of the deploy:
   * one that fails stops the deploy before it changes anything. The CLI and VS Code set it unless skipped.
   */
  precheck?: boolean;
}

export interface DeployResult {
  ok: boolean;
  ms: number;
  changed: number;
  /** `node:path` of files changed on their node since ostopo wrote them. */
  drifted: string[];
  nodes: Record<string, { ok: boolean; ms: number; changed: number; message?: string }>;
  rendered?: RenderedCloud;
}

/** A step of another node this step waits for did not complete. */
class Blocked extends Error {}

/** The actions of a step cut where one waits for other nodes' steps (its `after`): each part, and what it waits for. */
function waitSegments(actions: (FileArtifact | CommandArtifact)[]): { after: string[]; actions: (FileArtifact | CommandArtifact)[] }[] {
  const parts: { after: string[]; actions: (FileArtifact | CommandArtifact)[] }[] = [];
  for (const a of actions) {
    const after = a.kind === 'command' ? (a.after ?? []).map((d) => `${d.node}/${d.step}`) : [];
    if (!parts.length || after.length) parts.push({ after, actions: [] });
    parts[parts.length - 1]!.actions.push(a);
  }
  return parts;
}

/**
 * What leads a step up to its last package command (CommandArtifact.packages): its pre-install commands,
 * the files that go in before the install (a daemon's defaults), the install. A deploy runs the leads of
 * a node's steps ahead, one after another, beside the steps before. Nothing that waits for another node;
 * nothing when no package command leads.
 */
function leadingPackages(s: PlanStep): (FileArtifact | CommandArtifact)[] {
  let end = 0;
  for (const [i, a] of s.actions.entries()) {
    if (a.kind === 'command' && (!a.packages || a.after?.length)) break;
    if (a.kind === 'command') end = i + 1;
  }
  return s.actions.slice(0, end);
}

/** A promise with its resolve at hand; resolving it again does nothing. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Of these steps (keys), those that ended otherwise than done, once each has ended. */
async function unfinished(keys: string[], outcomes: Map<string, Promise<StepStatus>>): Promise<string[]> {
  const ends = await Promise.all(keys.map(async (k) => [k, await outcomes.get(k)] as const));
  return ends.filter(([, st]) => st !== 'done').map(([k]) => k);
}

/**
 * Deploys the topology: every node's steps in order, nodes in parallel, each step after the steps of
 * other nodes it needs. Files are written only when their content differs (atomically, with a backup),
 * a file edited on the node since ostopo wrote it is drift and is not overwritten without `force`,
 * commands are skipped when their check passes or the journal has them done with the same input.
 */
export async function deploy(o: DeployOptions): Promise<DeployResult> {
  const t0 = Date.now();
  const names = selectedNodes(o);
  const lookup = secretLookup(o.target.secrets);
  const masker = maskerOf(o.target);
  const first = o.target.render({});
  const missing = checkSecrets(o.target, first, names);
  if (missing) throw new Error(missing);

  // A dry run writes nothing (not even the journal): it needs no lock.
  const holder = o.dryRun ? undefined : lockRun(o, 'deploy');
  const result: DeployResult = { ok: true, ms: 0, changed: 0, drifted: [], nodes: {} };
  let remotes = new Map<string, Remote | RemoteError>();
  try {
    remotes = await connectAll(o, names, masker, holder);
    if (o.precheck && o.target.cloud) {
      const pre = await precheck({ ...o, cloud: o.target.cloud }, remotes, masker);
      const failed = [...new Set(pre.outcomes.filter((x) => x.status === 'fail').map((x) => x.node))];
      if (failed.length) {
        result.ok = false;
        for (const n of failed) result.nodes[n] = { ok: false, ms: 0, changed: 0, message: l10n.t('precheck failed') };
        result.ms = Date.now() - t0;
        o.onEvent({
          type: 'end',
          ok: false,
          ms: result.ms,
          message: l10n.t('precheck failed on {0} ({1}): nothing was changed. Fix it, or deploy with --skip-precheck.', failed.join(', '), precheckSummary(pre)),
        });
        return result;
      }
      o.onEvent({ type: 'note', message: precheckSummary(pre) });
    }
    const rendered = await renderWithFacts(o, remotes, first);
    result.rendered = rendered;
    const plan = buildPlan(rendered);
    const outcomes = new Map<string, Promise<StepStatus>>();
    const resolvers = new Map<string, (s: StepStatus) => void>();
    for (const n of plan.nodes) for (const s of n.steps) outcomes.set(s.key, new Promise((res) => resolvers.set(s.key, res)));
    // Steps of nodes outside this run count as done when the journal says so.
    for (const n of plan.nodes) {
      if (names.includes(n.name)) continue;
      for (const s of n.steps) resolvers.get(s.key)!(o.journal.node(n.name).steps[s.step]?.status === 'done' ? 'done' : 'blocked');
    }
    await Promise.all(
      plan.nodes
        .filter((n) => names.includes(n.name))
        .map(async (n) => {
          const r = remotes.get(n.name)!;
          const nt0 = Date.now();
          const res = r instanceof RemoteError ? failAll(o, n, resolvers, r.message) : await deployNode(o, n, r, outcomes, resolvers, lookup, masker, result.drifted);
          const ms = Date.now() - nt0;
          result.nodes[n.name] = { ...res, ms };
          result.changed += res.changed;
          if (!res.ok) result.ok = false;
          if (!o.dryRun) o.journal.node(n.name).lastDeploy = { at: now(), ok: res.ok, ms, changed: res.changed, message: res.message };
          o.onEvent({ type: 'node-end', node: n.name, ok: res.ok, ms, changed: res.changed, message: res.message });
        }),
    );
  } finally {
    for (const r of remotes.values()) if (!(r instanceof RemoteError)) r.close();
    if (!o.dryRun) {
      try {
        o.journal.flush();
      } finally {
        o.journal.release();
      }
    }
  }
  result.ms = Date.now() - t0;
  const failed = Object.entries(result.nodes)
    .filter(([, v]) => !v.ok)
    .map(([k]) => k);
  o.onEvent({
    type: 'end',
    ok: result.ok,
    ms: result.ms,
    message: result.ok
      ? (o.dryRun
          ? l10n.t('dry run: {0} node(s) compared, {1} change(s), in {2}', names.length, result.changed, seconds(result.ms))
          : l10n.t('{0} node(s) deployed, {1} change(s), in {2}', names.length, result.changed, seconds(result.ms))) +
        (result.drifted.length
          ? l10n.t('; {0} file(s) changed on their node since ostopo wrote them ({1}): a deploy stops there unless --force', result.drifted.length, result.drifted.join(', '))
          : '')
      : l10n.t('deploy failed on {0} after {1}; fix the cause and run it again: completed actions are skipped', failed.join(', '), seconds(result.ms)),
  });
  return result;
}

function failAll(o: DeployOptions, n: PlanNode, resolvers: Map<string, (s: StepStatus) => void>, message: string): { ok: boolean; changed: number; message: string } {
  for (const s of n.steps) resolvers.get(s.key)!('failed');
  if (!o.dryRun) o.journal.node(n.name).lastDeploy = { at: now(), ok: false, ms: 0, changed: 0, message };
  return { ok: false, changed: 0, message };
}

async function deployNode(
  o: DeployOptions,
  n: PlanNode,
  remote: Remote,
  outcomes: Map<string, Promise<StepStatus>>,
  resolvers: Map<string, (s: StepStatus) => void>,
  lookup: SecretLookup,
  masker: Masker,
  drifted: string[],
): Promise<{ ok: boolean; changed: number; message?: string }> {
  const ctx: Ctx = { o, lookup, masker, remote, nodeJournal: o.journal.node(n.name), node: n.name, changedIds: new Set(), drifted };
  let changed = 0;
  let stopped: { status: StepStatus; message: string } | undefined;
  // Step i's own package commands are behind it (resolved at the latest when the step ends).
  const packagesPassed = n.steps.map(() => deferred<void>());
  // The package lane: every step's lead (leadingPackages) in step order, one action at a time, ahead of
  // the steps, which go on beside it: a step begins its own actions once its lead is done. The package
  // manager is a node's one shared thing: the lane runs a lead only once every earlier step has no package
  // command left, and a step's own package commands past its lead run where they are (never two at once).
  // A dry run keeps to the order (no lane).
  const leads = n.steps.map((s) => (o.dryRun ? [] : leadingPackages(s)));
  const ahead = n.steps.map(() => deferred<{ did: number; count: number } | { error: unknown }>());
  const hasTail = n.steps.map((s, i) => s.actions.slice(leads[i]!.length).some((a) => a.kind === 'command' && a.packages));
  const lane = (async () => {
    for (const [j, s] of n.steps.entries()) {
      if (j > 0 && hasTail[j - 1]) await packagesPassed[j - 1]!.promise;
      const lead = leads[j]!;
      // Once the node has stopped, what is left of the lane is not run.
      if (!lead.length || stopped || o.signal?.aborted) {
        ahead[j]!.resolve({ did: 0, count: 0 });
        continue;
      }
      try {
        let did = 0;
        let count = 0;
        for (const a of lead) {
          if (o.signal?.aborted) throw new RemoteError('cancelled', 'cancelled');
          if (stopped) break;
          if (await (a.kind === 'file' ? doFile(ctx, s, a, null) : doCommand(ctx, s, a))) did++;
          count++;
        }
        ahead[j]!.resolve({ did, count });
      } catch (e) {
        // Its failure is that step's, reported when the step begins; the lane goes no further.
        ahead[j]!.resolve({ error: e });
        for (const d of ahead.slice(j + 1)) d.resolve({ did: 0, count: 0 });
        return;
      }
    }
  })();
  for (const [i, s] of n.steps.entries()) {
    // What the lane ran for this step is done (or failed) before the step is reported in any way.
    const early = await ahead[i]!.promise;
    if (stopped) {
      packagesPassed[i]!.resolve();
      const status = stopped.status === 'cancelled' ? 'cancelled' : 'blocked';
      o.onEvent({
        type: 'step-end',
        node: n.name,
        step: s.step,
        status,
        ms: 0,
        changed: 0,
        total: s.actions.length,
        message: status === 'blocked' ? l10n.t('not run: an earlier step of this node did not complete') : undefined,
      });
      resolvers.get(s.key)!(status);
      continue;
    }
    let t0 = Date.now();
    let started = false;
    let stepChanged = 0;
    try {
      if ('error' in early) {
        o.onEvent({ type: 'step-start', node: n.name, step: s.step });
        started = true;
        throw early.error;
      }
      stepChanged = early.did;
      const rest = s.actions.slice(early.count);
      // Past this action the step has no package command left: from there the lane may go on.
      const lastPackages = rest.reduce((k, a, j) => (a.kind === 'command' && a.packages ? j : k), -1);
      let at = 0;
      // The step waits for other nodes' steps where an action needs them, not before its first action: a
      // compute node installs its packages while the controller is still coming up. Each stretch of actions
      // between two waits is surveyed in one round trip when it is reached.
      for (const part of waitSegments(rest)) {
        if (at > lastPackages) packagesPassed[i]!.resolve();
        const w0 = Date.now();
        const notDone = await unfinished(part.after, outcomes);
        if (part.after.length) o.onEvent({ type: 'wait', node: n.name, step: s.step, on: part.after, ms: Date.now() - w0 });
        if (notDone.length && !o.dryRun)
          throw new Blocked(notDone.length > 1 ? l10n.t('waits for {0}, which are not done', notDone.join(', ')) : l10n.t('waits for {0}, which is not done', notDone.join(', ')));
        if (!started) {
          t0 = Date.now();
          o.onEvent({ type: 'step-start', node: n.name, step: s.step });
          started = true;
        }
        const pre = await survey(ctx, part.actions);
        const before = stepChanged;
        for (const a of part.actions) {
          if (o.signal?.aborted) throw new RemoteError('cancelled', 'cancelled');
          if (at++ > lastPackages) packagesPassed[i]!.resolve();
          // What the survey saw holds until an action of this step changes the node.
          const seen = stepChanged === before ? pre : undefined;
          // A file the survey saw absent is `undefined` (known: absent); without a survey, null (ask the node).
          const did = a.kind === 'file' ? await doFile(ctx, s, a, seen ? seen.files.get(a.path) : null) : await doCommand(ctx, s, a, seen?.checks.get(a.id));
          if (did) stepChanged++;
        }
      }
      changed += stepChanged;
      finishStep(ctx, s, 'done', Date.now() - t0, stepChanged, undefined, resolvers);
    } catch (e) {
      changed += stepChanged;
      if (e instanceof Blocked) {
        stopped = { status: 'blocked', message: e.message };
        finishStep(ctx, s, 'blocked', started ? Date.now() - t0 : 0, stepChanged, e.message, resolvers);
        continue;
      }
      const cancelled = (e instanceof RemoteError && e.kind === 'cancelled') || o.signal?.aborted;
      const message = cancelled ? 'cancelled' : masker.mask((e as Error).message);
      stopped = { status: cancelled ? 'cancelled' : 'failed', message };
      finishStep(ctx, s, stopped.status, Date.now() - t0, stepChanged, message, resolvers);
    } finally {
      packagesPassed[i]!.resolve();
    }
  }
  // The lane may be ahead of a step that stopped the node: nothing is left running on the node.
  await lane;
  if (stopped) return { ok: false, changed, message: stopped.message };
  // Files an earlier deploy wrote that the topology no longer renders: left as they are, said once, forgotten.
  for (const p of unrenderedFiles(n, ctx.nodeJournal)) {
    o.onEvent({
      type: 'note',
      node: n.name,
      message: o.dryRun
        ? l10n.t('{0}: ostopo no longer renders it; a deploy leaves it on the node as it is (remove it by hand where nothing reads it)', p)
        : l10n.t('{0}: ostopo no longer renders it; left it on the node as it is (remove it by hand where nothing reads it), and the journal forgets it', p),
    });
    if (!o.dryRun) delete ctx.nodeJournal.files[p];
  }
  return { ok: true, changed };
}

function finishStep(ctx: Ctx, s: PlanStep, status: StepStatus, ms: number, changed: number, message: string | undefined, resolvers: Map<string, (s: StepStatus) => void>): void {
  if (!ctx.o.dryRun) {
    ctx.nodeJournal.steps[s.step] = { status, at: now(), ms, ...(message ? { message } : {}) };
    ctx.o.journal.save();
  }
  ctx.o.onEvent({ type: 'step-end', node: ctx.node, step: s.step, status, ms, changed, total: s.actions.length, message });
  resolvers.get(s.key)!(status);
}
