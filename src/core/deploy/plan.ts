import { Artifact, CheckArtifact, CommandArtifact, FileArtifact, RenderedCloud } from '../render/artifacts';
import { materialize, SecretLookup } from '../render/template';
import { own } from '../own';
import { emptyNode, Journal, NodeJournal, sha256 } from './journal';

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
      for (const d of a.kind === 'command' || a.kind === 'check' ? a.after ?? [] : []) {
        const key = `${d.node}/${d.step}`;
        if (!s.after.includes(key)) s.after.push(key);
      }
    }
    return { name: n.name, address: n.address, steps };
  });
  assertAcyclic(nodes);
  return { cloud: cloud.name, nodes };
}

/** Steps wait on earlier steps of their node and on their `after` edges: a cycle would hang the deploy. */
function assertAcyclic(nodes: PlanNode[]): void {
  const deps = new Map<string, string[]>();
  for (const n of nodes) n.steps.forEach((s, i) => deps.set(s.key, [...s.after, ...(i > 0 ? [n.steps[i - 1].key] : [])]));
  const state = new Map<string, 1 | 2>();
  const visit = (k: string, trail: string[]): void => {
    if (state.get(k) === 2) return;
    if (state.get(k) === 1) throw new Error(`internal: the deploy plan has a cycle: ${[...trail, k].join(' → ')}`);
    state.set(k, 1);
    for (const d of deps.get(k) ?? []) if (deps.has(d)) visit(d, [...trail, k]);
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

/**
 * What a deploy would do, judged from the journal only (no connection): `+` a file ostopo never wrote,
 * `~` a file whose content changes, `>` a command that runs (or is checked on the node first), `=` done.
 */
export function planMarks(step: PlanStep, journal: NodeJournal, lookup: SecretLookup | undefined): PlannedAction[] {
  const changed = new Set<string>();
  return step.actions.map((a) => {
    if (a.kind === 'file') {
      const j = own(journal.files, a.path);
      const desired = sha256(materialize(a.content, lookup));
      if (!j) {
        changed.add(a.id);
        return { id: a.id, kind: 'file', title: `write ${a.path}`, mark: '+', why: 'not written by ostopo yet' };
      }
      if (j.sha256 !== desired) {
        changed.add(a.id);
        return { id: a.id, kind: 'file', title: `write ${a.path}`, mark: '~', why: 'content changes' };
      }
      return { id: a.id, kind: 'file', title: `write ${a.path}`, mark: '=', why: 'unchanged since the last deploy' };
    }
    const trigger = (a.onChange ?? []).find((id) => changed.has(id));
    if (trigger) return { id: a.id, kind: 'command', title: a.title, mark: '>', why: `${trigger} changes` };
    const j = own(journal.commands, a.id);
    if (j && j.hash === commandHash(a, lookup)) return { id: a.id, kind: 'command', title: a.title, mark: '=', why: 'done in an earlier deploy' };
    return { id: a.id, kind: 'command', title: a.title, mark: '>', why: a.check ? 'runs unless its check passes on the node' : j ? 'its input changed' : 'not run yet' };
  });
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
  const out: string[] = [`Plan for cloud "${plan.cloud}" from the journal ${journal.file}, without contacting the nodes (+ new, ~ changed, > runs, = done)`];
  let pending = 0;
  for (const n of plan.nodes) {
    if (only && n.name !== only) continue;
    out.push('', `${n.name} (${n.address})`);
    for (const s of n.steps) {
      const marks = planMarks(s, nodeJournal(journal, n.name), lookup);
      const todo = marks.filter((m) => m.mark !== '=').length;
      pending += todo;
      out.push(`  ${todo ? '●' : '○'} ${s.step}${s.after.length ? `   (after ${s.after.join(', ')})` : ''}`);
      for (const m of marks) out.push(`      ${m.mark} ${m.title}${m.mark === '=' ? '' : `   — ${m.why}`}`);
      if (s.checks.length) out.push(`      ✓ ${s.checks.length} check(s) for ostopo verify`);
    }
  }
  out.push(
    '',
    pending
      ? `${pending} action(s) would run or change.`
      : 'Nothing to do according to the journal. The nodes were not contacted: a change made on them (drift) shows with `ostopo plan --check`, which compares them read-only.',
  );
  return out.join('\n') + '\n';
}

export function allSteps(plan: Plan): PlanStep[] {
  return plan.nodes.flatMap((n) => n.steps);
}

export function artifactsOfKind<K extends Artifact['kind']>(cloud: RenderedCloud, node: string, kind: K): Extract<Artifact, { kind: K }>[] {
  return (cloud.nodes.find((n) => n.name === node)?.artifacts ?? []).filter((a): a is Extract<Artifact, { kind: K }> => a.kind === kind);
}
