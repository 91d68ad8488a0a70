import { CommandArtifact, FileArtifact } from '../render/artifacts';
import { materialize, maskByTemplate, SecretLookup } from '../render/template';
import { unifiedDiff } from './diff';
import type { DeployOptions } from './engine';
import { ActionStatus } from './events';
import { NodeJournal, sha256 } from './journal';
import type { Masker } from './mask';
import { commandHash, decideCommand, decideFile, PlanStep } from './plan';
import { blockOf, FileState, lastLines, Remote } from './remote';
import { envOf, now } from './run';
import * as l10n from '../l10n';

/**
 * The actions of a deploy on one node: the survey of a stretch of a step, a file compared and written, a
 * command checked and run, each reported as an event and kept in the node's journal. engine.ts decides
 * when each runs.
 */

/** An action that failed its step (the message says why). */
class StepFailure extends Error {}

/** What the actions of one node's deploy share. */
export interface Ctx {
  o: DeployOptions;
  lookup: SecretLookup;
  masker: Masker;
  remote: Remote;
  nodeJournal: NodeJournal;
  node: string;
  changedIds: Set<string>;
  /** `node:path` of every drifted file of the run (shared by the nodes). */
  drifted: string[];
}

function emit(ctx: Ctx, s: PlanStep, id: string, title: string, status: ActionStatus, ms: number, detail?: string): void {
  ctx.o.onEvent({ type: 'action', node: ctx.node, step: s.step, id, title, status, ms, detail: detail === undefined ? undefined : ctx.masker.mask(detail) });
}

export interface Survey {
  files: Map<string, FileState | undefined>;
  /** Results of the checks of the step's commands, asked all at once. */
  checks: Map<string, boolean>;
}

/**
 * One round trip per step instead of one per action: the state of every file of the step, and every
 * check the step's commands would ask. On a converged node that is all a re-deploy does.
 */
export async function survey(ctx: Ctx, actions: (FileArtifact | CommandArtifact)[]): Promise<Survey> {
  const files = actions.filter((a): a is FileArtifact => a.kind === 'file');
  // API checks (trustJournal) are left out: before the service is up (a first deploy) each would take
  // seconds to fail; they are asked when their command is reached, or vouched for by the journal.
  const asked = actions.filter((a): a is CommandArtifact => a.kind === 'command' && !!a.check && !a.trustJournal);
  const env = Object.assign({}, ...asked.map((c) => envOf(c.env, ctx.lookup))) as Record<string, string>;
  const r = await ctx.remote.survey(
    files.map((f) => ({ path: f.path, block: f.block })),
    asked.map((c) => c.check!),
    { env, signal: ctx.o.signal, timeoutMs: 5 * 60_000 },
  );
  return { files: new Map(files.map((f, i) => [f.path, r.files[i]])), checks: new Map(asked.map((c, i) => [c.id, r.checks[i] ?? false])) };
}

export async function doFile(ctx: Ctx, s: PlanStep, f: FileArtifact, seen: FileState | undefined | null): Promise<boolean> {
  const t0 = Date.now();
  const desired = Buffer.from(materialize(f.content, ctx.lookup));
  const want = sha256(desired);
  const title = l10n.t('write {0}', f.path);
  // `seen` comes from the step's survey; null: ask the node now.
  const state = seen === null ? (await ctx.remote.survey([{ path: f.path, block: f.block }], [], { signal: ctx.o.signal })).files[0] : seen;
  const known = ctx.nodeJournal.files[f.path];
  const mode = f.mode.padStart(4, '0');
  const d = decideFile(f, want, known, state, !!ctx.o.force);
  if (d.action === 'keep') {
    if (!ctx.o.dryRun) ctx.nodeJournal.files[f.path] = { sha256: want, at: known?.at ?? now() };
    emit(ctx, s, f.id, title, 'unchanged', Date.now() - t0, 'unchanged');
    return false;
  }
  if (d.action === 'drift') {
    const text = (await ctx.remote.readFile(f.path, { signal: ctx.o.signal }))?.content.toString('utf8') ?? '';
    // Of a managed block, only the block is ostopo's: the diff shows it alone.
    // Where the rendered file has a secret, the node's value is masked even when it is another one (maskByTemplate).
    const remote = maskByTemplate(f.content, f.block ? (blockOf(text, f.block) ?? '') : text, ctx.lookup);
    const where = f.block ? `${f.path}, ostopo's block` : f.path;
    const diff = unifiedDiff(remote, desired.toString('utf8'), `${where} (on ${ctx.node})`, `${where} (rendered)`);
    emit(ctx, s, f.id, f.path, 'drift', Date.now() - t0, diff);
    ctx.drifted.push(`${ctx.node}:${f.path}`);
    // A dry run (plan --check) goes on comparing: it reports every drifted file, not the first one.
    if (ctx.o.dryRun) {
      ctx.changedIds.add(f.id);
      return true;
    }
    throw new StepFailure(l10n.t('{0} was changed on the node since ostopo wrote it (drift); review the diff, then deploy with --force to overwrite it (a backup is kept)', f.path));
  }
  if (ctx.o.dryRun) {
    emit(ctx, s, f.id, title, 'would-change', Date.now() - t0, d.why);
    ctx.changedIds.add(f.id);
    return true;
  }
  await ctx.remote.writeFile(f.path, desired, f.owner, f.group, mode, { signal: ctx.o.signal, block: f.block });
  ctx.nodeJournal.files[f.path] = { sha256: want, at: now() };
  ctx.o.journal.save();
  ctx.changedIds.add(f.id);
  emit(ctx, s, f.id, title, 'changed', Date.now() - t0);
  return true;
}

/** What a folded check prints first on stderr when it passes (the command is then not run). */
const CHECK_PASSED = 'OSTOPO-CHECK-PASSED';
/**
 * Before a command's own lines: its check ($1, with the command's environment, no input, its output
 * dropped, in a subshell); when it passes, say so and stop, else run the command (as RUNBOOK.sh does:
 * `check || run`).
 */
// A statement of its own, not an `if` condition: there bash would ignore a `set -e` of the check's own.
export const FOLDED_CHECK = `(eval "$1") </dev/null >/dev/null 2>&1\nif [ $? = 0 ]; then printf '%s\\n' ${CHECK_PASSED} >&2; exit 0; fi\nshift\n`;

export async function doCommand(ctx: Ctx, s: PlanStep, c: CommandArtifact, checked?: boolean): Promise<boolean> {
  const t0 = Date.now();
  const hash = commandHash(c, ctx.lookup);
  const env = envOf(c.env, ctx.lookup);
  const timeoutMs = ctx.o.commandTimeoutMs ?? 30 * 60_000;
  const journal = ctx.nodeJournal.commands[c.id];
  const recheck = !!ctx.o.recheck;
  let d = decideCommand(c, hash, journal, ctx.changedIds, 'unknown', recheck);
  // The step's survey asked the check already, unless the step changed the node since. Then a deploy asks
  // it and runs the command in one round trip (a dry run only asks).
  const folded = d.action === 'ask' && checked === undefined && !ctx.o.dryRun;
  if (d.action === 'ask' && !folded) {
    const passed = checked ?? (await ctx.remote.exec(c.check!, { env, signal: ctx.o.signal, timeoutMs: Math.min(timeoutMs, 5 * 60_000) })).code === 0;
    d = decideCommand(c, hash, journal, ctx.changedIds, passed, recheck);
  }
  if (d.action === 'skip') {
    if (d.record && !ctx.o.dryRun) ctx.nodeJournal.commands[c.id] = { hash, at: now() };
    emit(ctx, s, c.id, c.title, 'skipped', Date.now() - t0, d.why);
    return false;
  }
  if (ctx.o.dryRun) {
    emit(ctx, s, c.id, c.title, 'would-run', Date.now() - t0, d.trigger ? `${d.trigger} changes` : undefined);
    return true;
  }
  const stdin = c.stdin === undefined ? undefined : materialize(c.stdin, ctx.lookup);
  // Output is masked as a stream, stdout and stderr each: a secret split across two chunks of SSH data
  // is masked whole. What a stream holds back (the end of a chunk that may begin a secret) is printed
  // when the command ends.
  const streams = { stdout: ctx.masker.stream(), stderr: ctx.masker.stream() };
  const print = (text: string) => {
    if (text) ctx.o.onEvent({ type: 'output', node: ctx.node, text });
  };
  // Folded: the check's first line on stderr says it passed (the command did not run); held back until known.
  let head: string | undefined = folded ? '' : undefined;
  const releaseHead = (text: string) => {
    head! += text;
    const nl = head!.indexOf('\n');
    if (nl < 0 && head!.length <= CHECK_PASSED.length) return '';
    const out = head!.slice(0, nl) === CHECK_PASSED ? head!.slice(nl + 1) : head!;
    head = undefined;
    return out;
  };
  let res: Awaited<ReturnType<Remote['exec']>>;
  try {
    // `set -e`: a command of several lines fails at its first failing line, as in RUNBOOK.sh.
    res = await ctx.remote.exec(folded ? `${FOLDED_CHECK}set -e\n${c.run}` : `set -e\n${c.run}`, {
      env,
      stdin,
      args: folded ? [c.check!] : undefined,
      signal: ctx.o.signal,
      timeoutMs,
      onOutput: (text, stream) => print(streams[stream].write(stream === 'stderr' && head !== undefined ? releaseHead(text) : text)),
    });
  } finally {
    if (head) print(streams.stderr.write(head));
    print(streams.stdout.end());
    print(streams.stderr.end());
  }
  if (folded) {
    d = decideCommand(c, hash, journal, ctx.changedIds, res.code === 0 && res.stderr.startsWith(`${CHECK_PASSED}\n`), recheck);
    if (d.action === 'skip') {
      if (d.record) ctx.nodeJournal.commands[c.id] = { hash, at: now() };
      emit(ctx, s, c.id, c.title, 'skipped', Date.now() - t0, d.why);
      return false;
    }
  }
  if (res.code !== 0) {
    delete ctx.nodeJournal.commands[c.id];
    const output = lastLines(`${res.stdout.toString('utf8')}\n${res.stderr}`, 15);
    emit(ctx, s, c.id, c.title, 'failed', Date.now() - t0, `${l10n.t('exit status {0}; last lines:', res.code)}\n${output}`);
    throw new StepFailure(l10n.t('{0} failed with exit status {1}', l10n.tData(c.title), res.code));
  }
  ctx.nodeJournal.commands[c.id] = { hash, at: now() };
  ctx.o.journal.save();
  emit(ctx, s, c.id, c.title, 'ran', Date.now() - t0);
  return true;
}
