import { readerBeside } from '../core/localFiles';
import { parseArgs } from 'node:util';
import { analyze } from '../core/compile';
import { deploy, targetOf, verify } from '../core/deploy/engine';
import { precheck, precheckSummary } from '../core/deploy/precheck';
import { DeployEvent, formatEvent } from '../core/deploy/events';
import { JournalError } from '../core/deploy/journal';
import { buildPlan, planText } from '../core/deploy/plan';
import { DeploySession, openSession } from '../core/deploy/session';
import { formatFinding } from '../core/findings';
import { render } from '../core/compile';
import { secretLookup } from '../core/secrets';
import { Io, readTopology, UsageError } from './io';
import * as l10n from '../core/l10n';

const COMMON = {
  node: { type: 'string' },
  'state-dir': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  color: { type: 'boolean' },
} as const;

function load(cmd: string, file: string | undefined, io: Io, node: string | undefined) {
  const { text, display, full } = readTopology(file, cmd, io);
  const a = analyze(text, io.env, readerBeside(full));
  if (node && !a.cloud.nodes.some((n) => n.name === node)) {
    throw new UsageError(l10n.t("no node '{0}' in {1}; nodes: {2}.", node, display, a.cloud.nodes.map((n) => n.name).join(', ')));
  }
  return { a, display, full };
}

function refuseErrors(a: ReturnType<typeof analyze>, display: string, io: Io): boolean {
  if (!a.hasErrors) return false;
  io.err(
    a.findings
      .filter((x) => x.severity === 'error')
      .map((f) => formatFinding(display, f) + '\n')
      .join(''),
  );
  io.err(`${display}: ${l10n.t('fix the errors above first')}\n`);
  return true;
}

export function planCmd(argv: string[], io: Io): number | Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...COMMON, check: { type: 'boolean' }, 'accept-new-host-keys': { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) throw new UsageError(l10n.t('{0} takes one FILE, got {1}.', 'plan', positionals.length));
  // --check compares with the nodes themselves: that is a dry-run deploy (read-only), the same engine.
  if (values.check) return deployCmd([...argv.filter((x) => x !== '--check'), '--dry-run'], io, 'plan');
  const { a, display, full } = load('plan', positionals[0], io, values.node);
  if (refuseErrors(a, display, io)) return 1;
  let session;
  try {
    session = openSession(full, a, { stateDir: values['state-dir'] });
  } catch (e) {
    if (!(e instanceof JournalError)) throw e;
    io.err(`ostopo plan: ${e.message}\n`);
    return 1;
  }
  io.out(planText(buildPlan(render(a)), session.journal, secretLookup(a.cloud.secrets), values.node));
  return 0;
}

/** Ctrl+C stops cleanly (the remote command is killed, the journal saved); a second one quits at once. */
function cancellable(io: Io): AbortController {
  const ac = new AbortController();
  io.onInterrupt?.(() => {
    if (ac.signal.aborted) return false;
    io.err(`\n${l10n.t('stopping: closing the remote commands (Ctrl+C again to quit at once)')}\n`);
    ac.abort();
    return true;
  });
  return ac;
}

function printer(io: Io, verbose: boolean, color: boolean) {
  return (e: DeployEvent) => {
    const line = formatEvent(e, { verbose, color });
    if (line !== undefined) io.out(line + '\n');
  };
}

export async function deployCmd(argv: string[], io: Io, cmd = 'deploy'): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...COMMON,
      'dry-run': { type: 'boolean' },
      force: { type: 'boolean' },
      recheck: { type: 'boolean' },
      'accept-new-host-keys': { type: 'boolean' },
      'command-timeout': { type: 'string' },
      'break-lock': { type: 'boolean' },
      'skip-precheck': { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) throw new UsageError(l10n.t('{0} takes one FILE, got {1}.', cmd, positionals.length));
  const timeout = values['command-timeout'] === undefined ? undefined : Number(values['command-timeout']);
  if (timeout !== undefined && !(timeout > 0)) throw new UsageError(l10n.t('--command-timeout takes a number of seconds.'));
  const { a, display, full } = load(cmd, positionals[0], io, values.node);
  if (refuseErrors(a, display, io)) return 1;
  return overSsh(cmd, io, full, a, values, (session, signal) =>
    deploy({
      breakLock: values['break-lock'],
      target: targetOf(a),
      journal: session.journal,
      connect: session.connect,
      node: values.node,
      force: values.force,
      recheck: values.recheck,
      dryRun: values['dry-run'],
      precheck: values['skip-precheck'] !== true,
      signal,
      commandTimeoutMs: timeout ? timeout * 1000 : undefined,
      onEvent: printer(io, values.verbose === true, values.color ?? io.isTty === true),
    }),
  );
}

/** `ostopo precheck FILE [--node N]`: the nodes asked, read-only; exit 1 when a question fails. */
export async function precheckCmd(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...COMMON, 'accept-new-host-keys': { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) throw new UsageError(l10n.t('{0} takes one FILE, got {1}.', 'precheck', positionals.length));
  const { a, display, full } = load('precheck', positionals[0], io, values.node);
  if (refuseErrors(a, display, io)) return 1;
  return overSsh('precheck', io, full, a, values, async (session, signal) => {
    const onEvent = printer(io, values.verbose === true, values.color ?? io.isTty === true);
    const r = await precheck({ target: targetOf(a), cloud: a.cloud, journal: session.journal, connect: session.connect, node: values.node, signal, onEvent });
    onEvent({ type: 'end', ok: r.ok, ms: r.ms, message: precheckSummary(r) });
    return r;
  });
}

export async function verifyCmd(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...COMMON, 'accept-new-host-keys': { type: 'boolean' }, 'break-lock': { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) throw new UsageError(l10n.t('{0} takes one FILE, got {1}.', 'verify', positionals.length));
  const { a, display, full } = load('verify', positionals[0], io, values.node);
  if (refuseErrors(a, display, io)) return 1;
  return overSsh('verify', io, full, a, values, (session, signal) =>
    verify({
      target: targetOf(a),
      journal: session.journal,
      connect: session.connect,
      node: values.node,
      baseDir: session.baseDir,
      signal,
      breakLock: values['break-lock'],
      onEvent: printer(io, values.verbose === true, values.color ?? io.isTty === true),
    }),
  );
}

/**
 * What deploy, precheck and verify share once the topology is loaded: the session (the CLI's host-key
 * policy), Ctrl+C, the exit code (0 ok, 1 failed, 130 cancelled) and a clear line for an error.
 */
async function overSsh(
  cmd: string,
  io: Io,
  full: string,
  a: ReturnType<typeof analyze>,
  values: { 'state-dir'?: string; 'accept-new-host-keys'?: boolean },
  run: (session: DeploySession, signal: AbortSignal) => Promise<{ ok: boolean }>,
): Promise<number> {
  const ac = cancellable(io);
  try {
    const session = openSession(full, a, { stateDir: values['state-dir'], env: io.env, onUnknownHostKey: hostKeyPolicy(io, values['accept-new-host-keys'] === true) });
    const r = await run(session, ac.signal);
    return ac.signal.aborted ? 130 : r.ok ? 0 : 1;
  } catch (e) {
    io.err(`ostopo ${cmd}: ${(e as Error).message}\n`);
    return 1;
  }
}

/** The CLI never asks: an unknown host key is accepted only with --accept-new-host-keys, and said so. */
function hostKeyPolicy(io: Io, accept: boolean) {
  return async (p: { label: string; host: string; port: number; keyType: string; fingerprint: string }) => {
    if (accept) io.err(`${l10n.t('{0}: accepting the new host key {1} {2} of {3}:{4} (--accept-new-host-keys)', p.label, p.keyType, p.fingerprint, p.host, p.port)}\n`);
    return accept;
  };
}
