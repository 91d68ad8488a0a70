import { Artifact, CheckArtifact, CommandArtifact, FileArtifact, RenderedCloud } from '../render/artifacts';
import { materialize, SecretLookup } from '../render/template';
import { own } from '../own';
import { emptyNode, Journal, NodeJournal, sha256 } from './journal';
import type { FileState } from './remote';
import * as l10n from '../l10n';

/** A node's consecutive artifacts under one heading of the guide, run in order. */
export interface PlanStep {
  node: string;
  step: string;
  /** `node/step`: the key other nodes' steps wait on. */
  key: string;
  actions: (FileArtifact | CommandArtifact)[];
  checks: CheckArtifact[];
  /** Keys of steps on other nodes that must be done first. */
  after: string[];
}

export interface PlanNode {
  name: string;
  address: string;
  steps: PlanStep[];
}

export interface Plan {
  cloud: string;
  nodes: PlanNode[];
}

/**
 * The deploy plan: per node, its steps in render order; across nodes, the `after` edges of the
 * artifacts (controller infrastructure → keystone → glance → placement → nova controller → compute
 * nodes → cell discovery). Nodes run in parallel, each through its steps in order.
 */
export function buildPlan(cloud: RenderedCloud): Plan {
  const nodes: PlanNode[] = cloud.nodes.map((n) => {
    const steps: PlanStep[] = [];
    for (const a of n.artifacts) {
      if (a.kind === 'fact') continue;
      let s = steps.find((x) => x.step === a.step);
      if (!s) {
        s = { node: n.name, step: a.step, key: `${n.name}/${a.step}`, actions: [], checks: [], after: [] };
        steps.push(s);
      }
      if (a.kind === 'check') s.checks.push(a);
      else s.actions.push(a);
      for (const d of a.kind === 'command' || a.kind === 'check' ? (a.after ?? []) : []) {
        const key = `${d.node}/${d.step}`;
        if (!s.after.includes(key)) s.after.push(key);
      }
    }
    return { name: n.name, address: n.address, steps };
  });
  assertKnownAfter(nodes);
  assertAcyclic(nodes);
  return { cloud: cloud.name, nodes };
}

/** Every `after` names a step of the plan: one that names none would silently wait for nothing. */
function assertKnownAfter(nodes: PlanNode[]): void {
  const keys = new Set(nodes.flatMap((n) => n.steps.map((s) => s.key)));
  for (const n of nodes) for (const s of n.steps) for (const k of s.after) if (!keys.has(k)) throw new Error(`internal: step ${s.key} waits for ${k}, which is no step of the plan`);
}

/** Steps wait on earlier steps of their node and on their `after` edges: a cycle would hang the deploy. */
function assertAcyclic(nodes: PlanNode[]): void {
  const deps = new Map<string, string[]>();
  for (const n of nodes) n.steps.forEach((s, i) => deps.set(s.key, [...s.after, ...(i > 0 ? [n.steps[i - 1]!.key] : [])]));
  const state = new Map<string, 1 | 2>();
  const visit = (k: string, trail: string[]): void => {
    if (state.get(k) === 2) return;
    if (state.get(k) === 1) throw new Error(`internal: the deploy plan has a cycle: ${[...trail, k].join(' → ')}`);
    state.set(k, 1);
    for (const d of deps.get(k) ?? []) visit(d, [...trail, k]);
    state.set(k, 2);
  };
  for (const k of deps.keys()) visit(k, []);
}

export type Mark = '+' | '~' | '>' | '=';

export interface PlannedAction {
  id: string;
  kind: 'file' | 'command';
  title: string;
  mark: Mark;
  why: string;
}

/** Input of a command as the journal keys it: the script, its stdin and its secrets (hashed, never stored). */
export function commandHash(c: CommandArtifact, lookup: SecretLookup | undefined): string {
  const env = (c.env ?? []).map((n) => `${n}=${lookup?.(n) ?? ''}`).join('\0');
  return sha256(`${c.run}\0${c.stdin === undefined ? '' : materialize(c.stdin, lookup)}\0${env}`);
}

/** What happens to a file: the one rule for `plan` (journal only), `plan --check` and `deploy` (node state). */
export type FileDecision = { action: 'keep'; mark: '='; why: string } | { action: 'write'; mark: '+' | '~'; why: string } | { action: 'drift'; mark: '!'; why: string };

/**
 * `node`: the file on the node (undefined: not there), or 'unknown' when the node is not asked (plan):
 * then the journal stands for the node.
 */
export function decideFile(f: FileArtifact, desired: string, journal: { sha256: string } | undefined, node: FileState | undefined | 'unknown', force: boolean): FileDecision {
  if (node === 'unknown') {
    if (!journal) return { action: 'write', mark: '+', why: l10n.t('not written by ostopo yet') };
    if (journal.sha256 !== desired) return { action: 'write', mark: '~', why: l10n.t('content changes') };
    return { action: 'keep', mark: '=', why: l10n.t('unchanged since the last deploy') };
  }
  if (node && node.sha256 === desired && node.owner === f.owner && node.group === f.group && node.mode === f.mode.padStart(4, '0')) return { action: 'keep', mark: '=', why: l10n.t('unchanged') };
  if (node && journal && node.sha256 !== journal.sha256 && !force) return { action: 'drift', mark: '!', why: l10n.t('changed on the node since ostopo wrote it') };
  return { action: 'write', mark: node ? '~' : '+', why: node ? l10n.t('content or permissions differ') : l10n.t('new file') };
}

/** What happens to a command; `ask`: its check decides, on the node (plan shows whether the journal has it done). */
export type CommandDecision = { action: 'run' | 'skip' | 'ask'; mark: '>' | '='; why: string; trigger?: string; /** Its check passed: the journal records it as done. */ record?: true };

/**
 * `changed`: ids of the artifacts of the node changed before it in this run (a listed `onChange` file
 * forces a run); `check`: the result of its check on the node, or 'unknown' when not asked yet.
 */
export function decideCommand(c: CommandArtifact, hash: string, journal: { hash: string } | undefined, changed: ReadonlySet<string>, check: boolean | 'unknown', recheck: boolean): CommandDecision {
  const trigger = (c.onChange ?? []).find((id) => changed.has(id));
  if (trigger) return { action: 'run', mark: '>', why: l10n.t('{0} changes', trigger), trigger };
  const done = journal?.hash === hash;
  // API checks take seconds: the journal vouches for what they made before (unless asked to recheck).
  if (c.check && c.trustJournal && done && !recheck) return { action: 'skip', mark: '=', why: l10n.t('done in an earlier deploy') };
  if (c.check) {
    if (check === 'unknown')
      return done
        ? { action: 'ask', mark: '=', why: l10n.t('done in an earlier deploy (its check is asked on the node)') }
        : { action: 'ask', mark: '>', why: l10n.t('runs unless its check passes on the node') };
    return check ? { action: 'skip', mark: '=', why: l10n.t('already in place'), record: true } : { action: 'run', mark: '>', why: journal ? l10n.t('its check fails') : l10n.t('not run yet') };
  }
  if (done) return { action: 'skip', mark: '=', why: l10n.t('done in an earlier deploy') };
  return { action: 'run', mark: '>', why: journal ? l10n.t('its input changed') : l10n.t('not run yet') };
}

/**
 * What a deploy would do, judged from the journal only (no connection), by the deploy's own rules:
 * `+` a file ostopo never wrote, `~` a file whose content changes, `>` a command that runs (or is
 * checked on the node first), `=` done.
 */
export function planMarks(step: PlanStep, journal: NodeJournal, lookup: SecretLookup | undefined): PlannedAction[] {
  const changed = new Set<string>();
  return step.actions.map((a) => {
    if (a.kind === 'file') {
      const d = decideFile(a, sha256(materialize(a.content, lookup)), own(journal.files, a.path), 'unknown', false);
      if (d.action === 'write') changed.add(a.id);
      return { id: a.id, kind: 'file', title: l10n.t('write {0}', a.path), mark: d.mark === '!' ? '~' : d.mark, why: d.why };
    }
    const d = decideCommand(a, commandHash(a, lookup), own(journal.commands, a.id), changed, 'unknown', false);
    return { id: a.id, kind: 'command', title: a.title, mark: d.mark, why: d.why };
  });
}

/**
 * Files ostopo wrote on the node (the journal has them) that the topology no longer renders there. They
 * are left on the node as they are (a package or the admin may own them now): plan and deploy say so.
 */
export function unrenderedFiles(n: PlanNode, journal: NodeJournal): string[] {
  const rendered = new Set(n.steps.flatMap((s) => s.actions.flatMap((a) => (a.kind === 'file' ? [a.path] : []))));
  return Object.keys(journal.files).filter((p) => !rendered.has(p));
}

/** What the journal knows of a node, read only (a plan writes nothing), by own property: a node may be called `constructor`. */
function nodeJournal(journal: Journal, name: string): NodeJournal {
  return own(journal.data.nodes, name) ?? emptyNode();
}

/**
 * `ostopo plan` text. The plan connects to nothing and must work without every secret: one without a
 * value hashes as empty, which only makes the marks of what it feeds pessimistic (`~`, `>`).
 */
export function planText(plan: Plan, journal: Journal, secrets: SecretLookup, only?: string): string {
  const lookup: SecretLookup = (n) => secrets(n) ?? '';
  const out: string[] = [l10n.t('Plan for cloud "{0}" from the journal {1}, without contacting the nodes (+ new, ~ changed, > runs, = done)', plan.cloud, journal.file)];
  let pending = 0;
  let unrendered = 0;
  for (const n of plan.nodes) {
    if (only && n.name !== only) continue;
    out.push('', `${n.name} (${n.address})`);
    for (const s of n.steps) {
      const marks = planMarks(s, nodeJournal(journal, n.name), lookup);
      const todo = marks.filter((m) => m.mark !== '=').length;
      pending += todo;
      out.push(`  ${todo ? '●' : '○'} ${s.step}${s.after.length ? `   (${l10n.t('after {0}', s.after.join(', '))})` : ''}`);
      for (const m of marks) out.push(`      ${m.mark} ${l10n.tData(m.title)}${m.mark === '=' ? '' : `   — ${m.why}`}`);
      if (s.checks.length) out.push(`      ✓ ${l10n.t('{0} check(s) for ostopo verify', s.checks.length)}`);
    }
    const gone = unrenderedFiles(n, nodeJournal(journal, n.name));
    unrendered += gone.length;
    for (const p of gone) out.push(`  - ${p}   — ${l10n.t('no longer rendered: the deploy leaves it on the node as it is and forgets it')}`);
  }
  if (unrendered) out.push('', l10n.t('{0} file(s) written by an earlier deploy are no longer rendered (-): remove them by hand where nothing reads them.', unrendered));
  out.push(
    '',
    pending
      ? l10n.t('{0} action(s) would run or change.', pending)
      : l10n.t('Nothing to do according to the journal. The nodes were not contacted: a change made on them (drift) shows with `ostopo plan --check`, which compares them read-only.'),
  );
  return out.join('\n') + '\n';
}

export function allSteps(plan: Plan): PlanStep[] {
  return plan.nodes.flatMap((n) => n.steps);
}

export function artifactsOfKind<K extends Artifact['kind']>(cloud: RenderedCloud, node: string, kind: K): Extract<Artifact, { kind: K }>[] {
  return (cloud.nodes.find((n) => n.name === node)?.artifacts ?? []).filter((a): a is Extract<Artifact, { kind: K }> => a.kind === kind);
}
