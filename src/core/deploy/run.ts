import { Analysis, render } from '../compile';
import { ResolvedCloud, ResolvedNode, SecretValue } from '../model';
import { NodeFacts, RenderedCloud } from '../render/artifacts';
import { secretsIn, SecretLookup } from '../render/template';
import { DeployEvent } from './events';
import { setMaxListeners } from 'node:events';
import * as os from 'node:os';
import { Journal, LockError } from './journal';
import { Masker } from './mask';
import { artifactsOfKind } from './plan';
import { Remote, RemoteError } from './remote';
import * as l10n from '../l10n';

/** What deploy and verify share: the target, the options, connecting to the nodes, secrets. */

/** What a deploy works on: the nodes (how to reach them), the secrets, and the renderer (given facts). */
export interface DeployTarget {
  nodes: ResolvedNode[];
  secrets: Map<string, SecretValue>;
  render: (facts: Record<string, NodeFacts>) => RenderedCloud;
  /** The resolved topology (precheck asks the nodes about it). */
  cloud?: ResolvedCloud;
}

/** The target of a validated topology; a topology with errors is refused. */
export function targetOf(a: Analysis): DeployTarget {
  if (a.hasErrors) throw new Error(l10n.t('the topology has errors: fix them first (ostopo validate)'));
  return { nodes: a.cloud.nodes, secrets: a.cloud.secrets, render: (facts) => render(a, facts), cloud: a.cloud };
}

export interface RunOptions {
  target: DeployTarget;
  journal: Journal;
  /** Opens the connection to a node (SSH in the product, anything implementing Remote in tests). */
  connect: (node: ResolvedNode, signal?: AbortSignal) => Promise<Remote>;
  /** Only this node (its cross-node prerequisites must be done already, per the journal). */
  node?: string;
  signal?: AbortSignal;
  onEvent: (e: DeployEvent) => void;
  /** Longest a single command may run (default 30 min: package installs). */
  commandTimeoutMs?: number;
  /** Take over the locks of another run (the state folder's and the nodes'): for a run that is gone for good. */
  breakLock?: boolean;
  /** Verify: checks run at once per node (default PARALLEL_CHECKS). */
  parallelChecks?: number;
  /** The topology's folder: a check's inputs (verify's image) are read from it. */
  baseDir?: string;
}

/**
 * One run at a time per cloud and per node: the state folder's lock (the journal), and each node's lock
 * (two workstations never deploy one node at once). Returns the text that names this run to others.
 */
export function lockRun(o: RunOptions, what: string): string {
  o.journal.acquire(what, { breakLock: o.breakLock, onNote: (message) => o.onEvent({ type: 'note', message }) });
  return `ostopo ${what} of cloud "${o.journal.data.cloud}" by ${userAtHost()} (pid ${process.pid}) since ${now()}`;
}

function userAtHost(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return os.hostname();
  }
}

export const now = () => new Date().toISOString();

/** The secrets a set of artifacts needs, each with a value or a clear error before anything runs. */
export function checkSecrets(t: DeployTarget, rendered: RenderedCloud, nodes: string[]): string | undefined {
  const needed = new Set<string>();
  for (const n of rendered.nodes) {
    if (!nodes.includes(n.name)) continue;
    for (const x of n.artifacts) {
      if (x.kind === 'file') secretsIn(x.content).forEach((s) => needed.add(s));
      if (x.kind === 'command') {
        (x.env ?? []).forEach((s) => needed.add(s));
        if (x.stdin) secretsIn(x.stdin).forEach((s) => needed.add(s));
      }
      if (x.kind === 'check') (x.env ?? []).forEach((s) => needed.add(s));
    }
  }
  const missing = [...needed].filter((s) => t.secrets.get(s)?.value === undefined).sort();
  if (!missing.length) return undefined;
  const why = (m: string) => {
    const s = t.secrets.get(m);
    return s?.env ? l10n.t('{0} (environment variable {1} is not set)', m, s.env) : s?.keychain ? l10n.t('{0} (kept only in the OS keychain of VS Code)', m) : m;
  };
  return l10n.t('secrets without a value: {0}', missing.map(why).join(', '));
}

export function envOf(names: string[] | undefined, lookup: SecretLookup): Record<string, string> {
  const env: Record<string, string> = {};
  for (const n of names ?? []) env[n] = lookup(n) ?? '';
  return env;
}

/**
 * SSH handshakes under way at once. Each costs the workstation and the node's sshd CPU (key exchange,
 * authentication): a hundred at once on a two-core workstation kept one waiting past its 15 s timeout.
 * The runs on the nodes stay parallel; only their connections queue.
 */
export const CONNECTS_AT_ONCE = 16;

/** Runs the functions given to it, at most `n` at a time, in the order given. */
export function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (f) => {
    if (active < n) active++;
    // The slot of a function that ends is handed to the next waiting one.
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await f();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/**
 * Connects to the nodes of a run (in parallel, CONNECTS_AT_ONCE handshakes at a time), checks the machine
 * identity against the journal and, with `holder`, takes each node's lock (a node locked by another run
 * counts as unreachable, with who holds it).
 */
export async function connectAll(o: RunOptions, names: string[], masker: Masker, holder?: string): Promise<Map<string, Remote | RemoteError>> {
  const out = new Map<string, Remote | RemoteError>();
  // Each command under way listens on the run's signal (a hundred nodes, six checks of each at once in a
  // verify): many listeners are the run's work, not a leak for Node to warn of on the user's terminal.
  if (o.signal) setMaxListeners(0, o.signal);
  const handshake = limiter(CONNECTS_AT_ONCE);
  await Promise.all(
    names.map(async (name) => {
      const node = o.target.nodes.find((n) => n.name === name)!;
      // From the start of its handshake (not of its wait for one).
      let t0 = Date.now();
      try {
        const r = await handshake(() => {
          t0 = Date.now();
          return o.connect(node, o.signal);
        });
        let id: string;
        if (holder) {
          try {
            // The lock's answer says the machine-id too.
            id = await r.lock(holder, { signal: o.signal, breakLock: o.breakLock });
          } catch (e) {
            r.close();
            throw e;
          }
        } else id = (await r.exec('cat /etc/machine-id 2>/dev/null || true', { signal: o.signal, timeoutMs: 30000 })).stdout.toString().trim();
        const j = o.journal.node(name);
        if (j.machineId && id && j.machineId !== id) {
          o.onEvent({ type: 'note', node: name, message: l10n.t('this node was reinstalled (its machine-id changed): its journal starts over') });
          o.journal.resetNode(name, id);
        } else if (id) j.machineId = id;
        out.set(name, r);
        o.onEvent({ type: 'connect', node: name, target: r.label, ok: true, ms: Date.now() - t0 });
      } catch (e) {
        const err = e instanceof RemoteError ? e : new RemoteError(e instanceof LockError ? 'locked' : 'io', (e as Error).message);
        out.set(name, err);
        o.onEvent({ type: 'connect', node: name, target: node.address, ok: false, ms: Date.now() - t0, message: masker.mask(err.message) });
      }
    }),
  );
  return out;
}

/** Masks every secret value of the target in what a run prints. */
export function maskerOf(t: DeployTarget): Masker {
  return new Masker([...t.secrets].map(([k, v]) => [k, v.value]));
}

/** Runs the fact probes (e.g. hardware virtualisation) of a first render and renders again with what they found. */
export async function renderWithFacts(o: Pick<RunOptions, 'target' | 'signal'>, remotes: Map<string, Remote | RemoteError>, first: RenderedCloud): Promise<RenderedCloud> {
  // Keyed by node name: a node may be called `constructor`.
  const facts: Record<string, NodeFacts> = Object.create(null);
  for (const [name, r] of remotes) {
    if (r instanceof RemoteError) continue;
    for (const f of artifactsOfKind(first, name, 'fact')) {
      const res = await r.exec(f.run, { signal: o.signal, timeoutMs: 60000 });
      (facts[name] ??= {})[f.name as keyof NodeFacts] = res.code === 0;
    }
  }
  return Object.keys(facts).length ? o.target.render(facts) : first;
}

export function selectedNodes(o: RunOptions): string[] {
  const names = o.target.nodes.map((n) => n.name);
  if (o.node && !names.includes(o.node)) throw new Error(l10n.t("no node '{0}'; nodes: {1}", o.node, names.join(', ')));
  return o.node ? [o.node] : names;
}

/**
 * Runs `run` on every item, at most `parallel` at a time, and hands each result to `report` in the items'
 * order, as soon as every result before it is in (verify's checks, precheck's questions: a line per
 * item, in a stable order, while the slow ones are still running). `rank`: items of a lower rank start
 * before those of a higher one (in their order within a rank), and are still reported in their place.
 */
export async function inOrder<T, R>(items: readonly T[], parallel: number, run: (item: T) => Promise<R>, report: (result: R) => void, rank: (item: T) => number = () => 0): Promise<void> {
  const done: (R | undefined)[] = items.map(() => undefined);
  const finished = items.map(() => false);
  const starts = [...items.keys()].sort((a, b) => rank(items[a]!) - rank(items[b]!) || a - b);
  let reported = 0;
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = starts[next++]!;
      done[i] = await run(items[i]!);
      finished[i] = true;
      for (; reported < items.length && finished[reported]; reported++) report(done[reported]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}
