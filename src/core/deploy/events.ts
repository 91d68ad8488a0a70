import * as l10n from '../l10n';

/** What a deploy or verify reports while it runs; CLI and VS Code terminals format the same events. */
export type ActionStatus = 'changed' | 'ran' | 'unchanged' | 'skipped' | 'would-change' | 'would-run' | 'failed' | 'drift';
export type StepStatus = 'done' | 'failed' | 'blocked' | 'cancelled';
export type PrecheckStatus = 'pass' | 'warn' | 'fail';

export type DeployEvent =
  | { type: 'connect'; node: string; target: string; ok: boolean; ms: number; message?: string }
  | { type: 'note'; node?: string; message: string }
  | { type: 'step-start'; node: string; step: string }
  /** A step waited for steps of other nodes (`node/step` keys) before its next action. */
  | { type: 'wait'; node: string; step: string; on: string[]; ms: number }
  | { type: 'action'; node: string; step: string; id: string; title: string; status: ActionStatus; ms: number; detail?: string }
  | { type: 'output'; node: string; text: string }
  | { type: 'step-end'; node: string; step: string; status: StepStatus; ms: number; changed: number; total: number; message?: string }
  | { type: 'check'; node: string; id: string; title: string; ok: boolean; ms: number; evidence: string; /** Why the check does not apply on this node. */ skipped?: string }
  | { type: 'precheck'; node: string; id: string; title: string; status: PrecheckStatus; ms: number; evidence: string }
  | { type: 'node-end'; node: string; ok: boolean; ms: number; changed: number; message?: string }
  | { type: 'end'; ok: boolean; ms: number; message: string };

export interface FormatOptions {
  color: boolean;
  verbose: boolean;
}

const C = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

export function seconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * When something happened, for people: `2026-11-30 15:04 (5 min ago)`, in the local time of `now`'s
 * machine; `at` as the journal keeps it (ISO). An unreadable `at` is shown as it is.
 */
export function when(at: string, now = new Date()): string {
  const t = new Date(at);
  if (Number.isNaN(t.getTime())) return at;
  const pad = (n: number) => String(n).padStart(2, '0');
  const local = `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}`;
  const s = Math.round((now.getTime() - t.getTime()) / 1000);
  const ago =
    s < 0
      ? l10n.t('in the future: check the clock')
      : s < 60
        ? l10n.t('just now')
        : s < 3600
          ? l10n.t('{0} min ago', Math.floor(s / 60))
          : s < 86400
            ? l10n.t('{0} h ago', Math.floor(s / 3600))
            : s < 172800
              ? l10n.t('1 day ago')
              : l10n.t('{0} days ago', Math.floor(s / 86400));
  return `${local} (${ago})`;
}

/** How a step that did not complete is reported (the English text is the key of its translation). */
export const STEP_STATUS: Record<Exclude<StepStatus, 'done'>, string> = {
  failed: 'step {0} failed',
  blocked: 'step {0} blocked',
  cancelled: 'step {0} cancelled',
};

const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');

/**
 * One event as terminal lines (without the trailing newline), or undefined when it shows nothing at
 * this verbosity: `[controller] ✔ keystone-manage db_sync 2.1 s`.
 */
export function formatEvent(e: DeployEvent, o: FormatOptions): string | undefined {
  const c = (color: keyof typeof C, s: string) => (o.color ? C[color] + s + C.reset : s);
  const tag = (node?: string) => (node ? c('bold', `[${node}]`) + ' ' : '');
  switch (e.type) {
    case 'connect':
      return e.ok
        ? o.verbose
          ? `${tag(e.node)}${c('dim', l10n.t('connected to {0} in {1}', e.target, seconds(e.ms)))}`
          : undefined
        : `${tag(e.node)}${c('red', '✖')} ${l10n.t('cannot connect: {0}', e.message ?? '')}`;
    case 'note':
      return `${tag(e.node)}${c('yellow', '!')} ${e.message}`;
    case 'step-start':
      return o.verbose ? `${tag(e.node)}${c('dim', `▶ ${e.step}`)}` : undefined;
    case 'wait':
      return o.verbose ? `${tag(e.node)}${c('dim', l10n.t('{0}: waited {1} for {2}', e.step, seconds(e.ms), e.on.join(', ')))}` : undefined;
    case 'action': {
      const time = c('dim', seconds(e.ms));
      const title = l10n.tData(e.title);
      switch (e.status) {
        case 'changed':
        case 'ran':
          return `${tag(e.node)}${c('green', '✔')} ${title} ${time}`;
        case 'would-change':
        case 'would-run':
          return `${tag(e.node)}${c('yellow', '~')} ${e.status === 'would-change' ? l10n.t('would write: {0}', title) : l10n.t('would run: {0}', title)}${e.detail ? c('dim', ` (${e.detail})`) : ''}`;
        case 'unchanged':
        case 'skipped':
          return o.verbose ? `${tag(e.node)}${c('dim', `· ${title} (${e.detail ?? l10n.t('done')})`)}` : undefined;
        case 'drift':
          return `${tag(e.node)}${c('red', '✖')} ${l10n.t('{0}: changed on the node since ostopo wrote it (drift); not overwritten without --force', title)}\n${indent(e.detail ?? '')}`;
        case 'failed':
          return `${tag(e.node)}${c('red', '✖')} ${title} ${time}${e.detail ? '\n' + indent(e.detail) : ''}`;
      }
      return undefined;
    }
    case 'output':
      return o.verbose ? indent(e.text) : undefined;
    case 'step-end':
      if (e.status === 'done') return o.verbose || e.changed ? `${tag(e.node)}${c('dim', l10n.t('{0}: {1} of {2} changed, {3}', e.step, e.changed, e.total, seconds(e.ms)))}` : undefined;
      return `${tag(e.node)}${c(e.status === 'failed' ? 'red' : 'yellow', e.status === 'failed' ? '✖' : '…')} ${l10n.t(STEP_STATUS[e.status], e.step)}${e.message ? `: ${e.message}` : ''}`;
    case 'precheck': {
      const title = `${e.title} ${c('dim', seconds(e.ms))}`;
      if (e.status === 'pass') return `${tag(e.node)}${c('green', '✔ PASS')} ${title}${o.verbose && e.evidence ? '\n' + indent(e.evidence) : ''}`;
      if (e.status === 'warn') return `${tag(e.node)}${c('yellow', '⚠ WARN')} ${title}${e.evidence ? '\n' + indent(e.evidence) : ''}`;
      return `${tag(e.node)}${c('red', '✖ FAIL')} ${title}${e.evidence ? '\n' + indent(e.evidence) : ''}`;
    }
    case 'check': {
      const title = l10n.tData(e.title);
      if (e.skipped !== undefined) return `${tag(e.node)}${c('yellow', '⊘ SKIP')} ${title} ${c('dim', `— ${e.skipped}`)}`;
      return `${tag(e.node)}${e.ok ? c('green', '✔ PASS') : c('red', '✖ FAIL')} ${title} ${c('dim', seconds(e.ms))}${!e.ok || o.verbose ? (e.evidence ? '\n' + indent(e.evidence) : '') : ''}`;
    }
    case 'node-end':
      return `${tag(e.node)}${e.ok ? c('green', l10n.t('done')) : c('red', l10n.t('failed'))}: ${l10n.t('{0} change(s) in {1}', e.changed, seconds(e.ms))}${e.message ? ` — ${e.message}` : ''}`;
    case 'end':
      return (e.ok ? c('green', '✔ ') : c('red', '✖ ')) + e.message;
  }
}
