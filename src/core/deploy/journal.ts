import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as l10n from '../l10n';

/**
 * What ostopo last did on each node, kept in the workspace (`.ostopo/<cloud>/journal.json`): the hash of
 * every file it wrote, the input hash of every command that succeeded, each step's result and the last
 * verification. It makes a re-run skip what is done, resume where a failed or cancelled deploy stopped,
 * and tell drift (a file changed on the node since ostopo wrote it) from ostopo's own changes.
 * It holds hashes, never secret values.
 */
export interface NodeJournal {
  /** /etc/machine-id when last seen: a reinstalled node starts with an empty journal. */
  machineId?: string;
  files: Record<string, { sha256: string; at: string }>;
  commands: Record<string, { hash: string; at: string }>;
  steps: Record<string, { status: StepRecordStatus; at: string; ms: number; message?: string }>;
  lastDeploy?: { at: string; ok: boolean; ms: number; changed: number; message?: string };
  lastVerify?: { at: string; passed: number; failed: number; skipped?: number; checks: Record<string, { title: string; ok: boolean; ms: number; evidence?: string; skipped?: boolean }> };
}

type StepRecordStatus = 'done' | 'failed' | 'blocked' | 'cancelled';

export interface JournalData {
  version: 1;
  cloud: string;
  nodes: Record<string, NodeJournal>;
}

/** The shortest time between two writes of a journal while a run goes on (Journal.save). */
export const SAVE_INTERVAL_MS = 100;

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Maps keyed by names from the topology (node names) or the nodes (paths): no inherited keys, ever. */
const dict = <T>(entries: Record<string, T> = {}): Record<string, T> => Object.assign(Object.create(null) as Record<string, T>, entries);

export function emptyNode(): NodeJournal {
  return { files: dict(), commands: dict(), steps: dict() };
}

/** A journal that cannot be used: unreadable, of another format, or of another cloud. Its message says how to recover. */
export class JournalError extends Error {}

/** Someone else deploys or verifies this cloud from this state folder right now. */
export class LockError extends Error {}

export class Journal {
  private lockFile?: string;

  private constructor(
    readonly file: string,
    readonly data: JournalData,
  ) {}

  /**
   * The journal of a cloud in a state folder (created on first save). A file that is not a journal of
   * this cloud is an error that names the file and how to recover, never a silent reset.
   */
  static open(stateDir: string, cloud: string): Journal {
    const file = path.join(stateDir, cloud, 'journal.json');
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new JournalError(l10n.t('cannot read the deploy journal {0}: {1}', file, (e as Error).message));
    }
    return new Journal(file, text === undefined ? { version: 1, cloud, nodes: dict() } : parseJournal(text, file, cloud));
  }

  /** The journal if there is one and it is usable, else undefined (for views that only show results). */
  static peek(stateDir: string, cloud: string): Journal | undefined {
    try {
      return Journal.open(stateDir, cloud);
    } catch {
      return undefined;
    }
  }

  node(name: string): NodeJournal {
    const known = Object.hasOwn(this.data.nodes, name) ? this.data.nodes[name] : undefined;
    return known ?? (this.data.nodes[name] = emptyNode());
  }

  /** A node's record if it has one (without creating it). */
  peekNode(name: string): NodeJournal | undefined {
    return Object.hasOwn(this.data.nodes, name) ? this.data.nodes[name] : undefined;
  }

  resetNode(name: string, machineId?: string): void {
    this.data.nodes[name] = { ...emptyNode(), machineId };
  }

  private dirty = false;
  private timer?: NodeJS.Timeout;
  private lastWrite = 0;
  private failure?: Error;

  /**
   * After every action: written whole (temp + rename), at once, or, when the last write was less than
   * SAVE_INTERVAL_MS ago, then. A run of many nodes in parallel finishes hundreds of actions a second, and
   * each write serialises every node's record: at a hundred nodes, writing after each one took 2.3 s of the
   * run (1,000 writes of 167 kB). A run that is killed outright loses at most the records of that interval
   * (a re-run asks those files and checks again); one that ends in any other way calls flush().
   */
  save(): void {
    this.throwFailure();
    this.dirty = true;
    if (this.timer) return;
    const wait = this.lastWrite + SAVE_INTERVAL_MS - Date.now();
    if (wait <= 0) return this.write();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        if (this.dirty) this.write();
      } catch (e) {
        // Reported by the run's next save or its flush.
        this.failure = e as Error;
      }
    }, wait);
    // A process that ends without flush() (killed) is not held up by it.
    this.timer.unref();
  }

  /** Written now, whole: at the end of a run (and whatever save() had not written yet with it). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.throwFailure();
    this.write();
  }

  private write(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(this.data, null, 1) + '\n');
    fs.renameSync(tmp, this.file);
    this.dirty = false;
    this.lastWrite = Date.now();
  }

  private throwFailure(): void {
    const e = this.failure;
    this.failure = undefined;
    if (e) throw e;
  }

  /**
   * One deploy or verify of a cloud at a time from this state folder: both write the journal. Takes
   * `lock` beside it (created exclusively, with who holds it). A lock left by a process of this machine
   * that is gone is taken over (`onNote` says so); any other needs `breakLock`.
   */
  acquire(what: string, opts: { breakLock?: boolean; onNote?: (s: string) => void } = {}): void {
    const file = path.join(path.dirname(this.file), 'lock');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const me: LockHolder = { pid: process.pid, host: os.hostname(), user: userName(), what, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(me) + '\n', { flag: 'wx', mode: 0o644 });
        this.lockFile = file;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new LockError(l10n.t('cannot create the lock {0}: {1}', file, (e as Error).message));
      }
      const holder = readHolder(file);
      const dead = holder && holder.host === me.host && !alive(holder.pid);
      if (opts.breakLock || dead || !holder) {
        opts.onNote?.(
          holder
            ? dead
              ? l10n.t('took over a stale lock of {0} (that process is gone)', describeHolder(holder))
              : l10n.t('broke the lock of {0} (--break-lock)', describeHolder(holder))
            : l10n.t('removed an unreadable lock file {0}', file),
        );
        fs.rmSync(file, { force: true });
        continue;
      }
      throw new LockError(
        l10n.t(
          'cloud "{0}" is locked: {1} ({2}). Wait for it to end; if that process is gone for good, run again with --break-lock (a VS Code task: "breakLock": true).',
          this.data.cloud,
          describeHolder(holder),
          file,
        ),
      );
    }
    throw new LockError(l10n.t('cannot take the lock {0}: another run took it at the same moment', file));
  }

  release(): void {
    if (!this.lockFile) return;
    // Only our own lock: a --break-lock of someone else may have replaced it.
    if (readHolder(this.lockFile)?.pid === process.pid) fs.rmSync(this.lockFile, { force: true });
    this.lockFile = undefined;
  }
}

export interface LockHolder {
  pid: number;
  host: string;
  user: string;
  /** "deploy", "verify"... */
  what: string;
  since: string;
}

export function describeHolder(h: LockHolder): string {
  return l10n.t('ostopo {0} by {1}@{2} (pid {3}) since {4}', h.what, h.user, h.host, h.pid, h.since);
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.since === 'string')
      return { pid: h.pid, host: h.host, user: String(h.user ?? '?'), what: String(h.what ?? '?'), since: h.since };
  } catch {
    // missing or unreadable: treated as no valid holder
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '?');
  }
}

/**
 * Checks a journal's shape field by field, so that a damaged or foreign file is refused with a message
 * instead of crashing a deploy halfway. What the message says to do is always safe: without a journal
 * the next deploy asks the nodes about every step again (files and checks), it does not redo them blindly.
 */
function parseJournal(text: string, file: string, cloud: string): JournalData {
  const recover = l10n.t('move it aside (mv {0} {0}.bad): the next deploy then checks every step on the nodes again', file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new JournalError(l10n.t('the deploy journal {0} is not valid JSON ({1}); {2}', file, (e as Error).message, recover));
  }
  const bad = (what: string) => new JournalError(l10n.t('the deploy journal {0} is damaged or not an ostopo journal ({1}); {2}', file, what, recover));
  if (!isObject(raw)) throw bad('it is not a JSON object');
  if (raw.version !== 1) throw bad(`unknown version ${JSON.stringify(raw.version)}`);
  if (typeof raw.cloud !== 'string') throw bad('no cloud name');
  if (raw.cloud !== cloud) throw new JournalError(l10n.t('the deploy journal {0} belongs to cloud "{1}", not "{2}"; {3}', file, raw.cloud, cloud, recover));
  if (!isObject(raw.nodes)) throw bad('`nodes` is not an object');
  const nodes = dict<NodeJournal>();
  for (const [name, n] of Object.entries(raw.nodes)) nodes[name] = nodeOf(n, `nodes.${name}`, bad);
  return { version: 1, cloud, nodes };
}

type Bad = (what: string) => JournalError;

function nodeOf(n: unknown, where: string, bad: Bad): NodeJournal {
  if (!isObject(n)) throw bad(`${where} is not an object`);
  const str = (v: unknown, w: string) => {
    if (typeof v !== 'string') throw bad(`${w} is not text`);
    return v;
  };
  const num = (v: unknown, w: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${w} is not a number`);
    return v;
  };
  const record = <T>(v: unknown, w: string, item: (x: Record<string, unknown>, w: string) => T): Record<string, T> => {
    if (v === undefined) return dict();
    if (!isObject(v)) throw bad(`${w} is not an object`);
    const out = dict<T>();
    for (const [k, x] of Object.entries(v)) {
      if (!isObject(x)) throw bad(`${w}.${k} is not an object`);
      out[k] = item(x, `${w}.${k}`);
    }
    return out;
  };
  const out: NodeJournal = {
    files: record(n.files, `${where}.files`, (x, w) => ({ sha256: str(x.sha256, `${w}.sha256`), at: str(x.at, `${w}.at`) })),
    commands: record(n.commands, `${where}.commands`, (x, w) => ({ hash: str(x.hash, `${w}.hash`), at: str(x.at, `${w}.at`) })),
    steps: record(n.steps, `${where}.steps`, (x, w) => {
      const status = str(x.status, `${w}.status`);
      if (!['done', 'failed', 'blocked', 'cancelled'].includes(status)) throw bad(`${w}.status is ${JSON.stringify(status)}`);
      return { status: status as StepRecordStatus, at: str(x.at, `${w}.at`), ms: num(x.ms, `${w}.ms`), ...(x.message === undefined ? {} : { message: str(x.message, `${w}.message`) }) };
    }),
  };
  if (n.machineId !== undefined) out.machineId = str(n.machineId, `${where}.machineId`);
  // The last results are shown, never relied on: a damaged one is dropped rather than refused.
  if (isObject(n.lastDeploy) && typeof n.lastDeploy.at === 'string' && typeof n.lastDeploy.ok === 'boolean') out.lastDeploy = n.lastDeploy as NodeJournal['lastDeploy'];
  if (isObject(n.lastVerify) && typeof n.lastVerify.at === 'string' && isObject(n.lastVerify.checks))
    out.lastVerify = { ...(n.lastVerify as NonNullable<NodeJournal['lastVerify']>), checks: dict(n.lastVerify.checks as NonNullable<NodeJournal['lastVerify']>['checks']) };
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
