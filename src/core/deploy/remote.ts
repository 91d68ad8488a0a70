import { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { Client, ClientChannel } from 'ssh2';
import { shq } from '../render/template';
import { LockError } from './journal';
import { Worker, WORKER } from './worker';
import { forward, openClient, RemoteError } from './sshClient';
import type { ConnectOptions } from './sshClient';
import { SshTarget } from './sshConfig';
import * as l10n from '../l10n';

export { RemoteError } from './sshClient';
export type { ConnectOptions, HostKeyPrompt, RemoteErrorKind } from './sshClient';

export interface ExecOptions {
  /** Exported into the command's environment. Sent over stdin, never on a command line. */
  env?: Record<string, string>;
  /** The command's standard input (else it reads EOF at once, as from /dev/null). */
  stdin?: string | Buffer;
  /** Positional arguments ($1...) of the script, quoted. */
  args?: string[];
  timeoutMs?: number;
  signal?: AbortSignal;
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

export interface ExecResult {
  code: number;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

export interface RemoteFile {
  content: Buffer;
  owner: string;
  group: string;
  /** Octal, four digits ("0640"). */
  mode: string;
}

/** The lines of a file that ostopo owns when other tools write the same file (see FileArtifact.block). */
export interface ManagedBlock {
  begin: string;
  end: string;
  initial: string;
}

/** A file the survey looks at: the whole file, or only its managed block. */
export interface SurveyFile {
  path: string;
  block?: ManagedBlock;
}

/** The managed block of a file's text (begin to end marker lines, each with its newline), if it has one. */
export function blockOf(text: string, block: ManagedBlock): string | undefined {
  const lines = text.split('\n');
  const start = lines.indexOf(block.begin);
  if (start < 0) return undefined;
  const end = lines.indexOf(block.end, start + 1);
  return lines.slice(start, end < 0 ? undefined : end + 1).join('\n') + (end < 0 ? '' : '\n');
}

export interface FileState {
  owner: string;
  group: string;
  mode: string;
  sha256: string;
}

/** One node as the deploy sees it: run a bash script as root, read and write files as root. */
export interface Remote {
  readonly label: string;
  exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
  readFile(path: string, opts?: { signal?: AbortSignal }): Promise<RemoteFile | undefined>;
  /**
   * One round trip for a whole step: owner, group, mode and SHA-256 of its files (undefined: no such
   * file; for a managed block, the SHA-256 of the block's lines, and undefined when the file has no
   * block), and whether each check script exits 0.
   */
  survey(files: SurveyFile[], checks: string[], opts?: { env?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number }): Promise<{ files: (FileState | undefined)[]; checks: boolean[] }>;
  /**
   * Takes the node's deploy lock for as long as this connection lives: two runs (two workstations, or
   * the CLI beside VS Code) never work on one node at once. `holder` says who holds it, for the message
   * of the one that is refused (a LockError). Resolves to the node's machine-id (empty when it has none),
   * which the run compares with the journal's: one round trip for both.
   */
  lock(holder: string, opts?: { signal?: AbortSignal; breakLock?: boolean }): Promise<string>;
  /**
   * Atomic: temp file in the target's folder, then rename; the previous file is kept as PATH.ostopo.bak.
   * With `block`, `content` replaces only the managed block (or goes at the top of the file, or before
   * `initial` in a new file); a block whose end marker is missing is an error, never a truncated file.
   */
  writeFile(path: string, content: Buffer, owner: string, group: string, mode: string, opts?: { signal?: AbortSignal; block?: ManagedBlock }): Promise<void>;
  close(): void;
}

const SUDO_PASSWORD = /sudo: (a password is required|a terminal is required|no tty present)/;

/** Idle workers kept per connection (more are opened while commands run side by side, then closed). */
const IDLE_WORKERS = 4;

export class SshRemote implements Remote {
  private closed = false;
  private idle: Worker[] = [];
  private lockChannel?: ClientChannel;
  private dropReason?: RemoteError;

  private constructor(
    readonly label: string,
    private readonly client: Client,
    private readonly jumps: Client[],
    private readonly sudo: boolean,
    private readonly nodeLock: string,
  ) {
    client.on('close', () => {
      if (!this.closed) this.dropReason ??= new RemoteError('dropped', l10n.t('{0}: the SSH connection was closed by the network or the server', label));
    });
  }

  /** Connects (through jump hosts if any), verifying every host key against known_hosts. */
  static async connect(target: SshTarget, opts: ConnectOptions): Promise<SshRemote> {
    const jumps: Client[] = [];
    let sock: Duplex | undefined;
    try {
      for (const hop of [...target.jumps]) {
        const c = await openClient(hop, opts, sock);
        jumps.push(c);
        sock = await forward(c, target.host, target.port, hop.label);
      }
      const client = await openClient(target, opts, sock);
      return new SshRemote(target.label, client, jumps, target.user !== 'root', opts.nodeLock ?? NODE_LOCK);
    } catch (e) {
      for (const j of jumps) j.end();
      throw e;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Closing the lock's channel ends its holder on the node, which releases the lock.
    this.lockChannel?.close();
    for (const w of this.idle.splice(0)) w.close();
    this.client.end();
    for (const j of this.jumps) j.end();
  }

  /** An idle worker of this connection, or a new one. */
  private worker(): Promise<Worker> {
    for (let w = this.idle.pop(); w; w = this.idle.pop()) if (w.alive) return Promise.resolve(w);
    return new Promise((resolve, reject) => {
      this.client.exec(`${this.sudo ? 'sudo -n -- ' : ''}bash --norc --noprofile -c ${shq(WORKER)} ostopo`, (err, ch) => {
        if (err) reject(this.dropReason ?? new RemoteError('dropped', l10n.t('{0}: cannot start a command: {1}', this.label, err.message)));
        else resolve(new Worker(ch));
      });
    });
  }

  private release(w: Worker): void {
    if (!this.closed && w.alive && this.idle.length < IDLE_WORKERS) this.idle.push(w);
    else w.close();
  }

  async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const started = Date.now();
    if (this.dropReason) throw this.dropReason;
    if (opts.signal?.aborted) throw new RemoteError('cancelled', l10n.t('{0}: cancelled', this.label));
    const w = await this.worker();
    return new Promise<ExecResult>((resolve, reject) => {
      const out: Buffer[] = [];
      let errText = '';
      let pid: number | undefined;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (e: Error | undefined, code?: number) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        this.client.removeListener('close', onDrop);
        if (e) return reject(e);
        if (code !== 0 && SUDO_PASSWORD.test(errText)) return reject(this.sudoPasswordError());
        resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: errText, ms: Date.now() - started });
      };
      let stopping: RemoteError | undefined;
      const stop = (why: RemoteError) => {
        if (stopping) return;
        stopping = why;
        // Kill the remote job's process group (waiting for it, so a caller that closes the connection
        // next does not cut the kill short), then end the worker. Before the job has said its PID, wait
        // for it a little: ending the worker alone would leave the job running.
        const done = () => {
          w.close();
          finish(why);
        };
        if (pid) void this.killGroup(pid).then(done);
        else if (pid === undefined) {
          const t = setTimeout(done, 3000);
          onPid = (p) => {
            clearTimeout(t);
            void this.killGroup(p).then(done);
          };
        } else done();
      };
      let onPid: ((p: number) => void) | undefined;
      const onAbort = () => stop(new RemoteError('cancelled', l10n.t('{0}: cancelled; the remote command was stopped', this.label)));
      const onDrop = () => finish(this.dropReason ?? new RemoteError('dropped', l10n.t('{0}: the SSH connection dropped while a command ran', this.label)));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.client.once('close', onDrop);
      if (opts.timeoutMs)
        timer = setTimeout(
          () => stop(new RemoteError('step-timeout', l10n.t('{0}: no result after {1} s; the remote command was stopped', this.label, Math.round(opts.timeoutMs! / 1000)))),
          opts.timeoutMs,
        );
      // A character whose UTF-8 bytes are split across two chunks is decoded whole (a secret in the
      // output must reach the masker intact).
      const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
      const flush = () => {
        const rest = { stdout: decoders.stdout.end(), stderr: decoders.stderr.end() };
        errText += rest.stderr;
        for (const stream of ['stdout', 'stderr'] as const) if (rest[stream]) opts.onOutput?.(rest[stream], stream);
      };
      try {
        w.run(script, opts.args ?? [], opts.env ?? {}, opts.stdin === undefined ? undefined : Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin), {
          stdout: (d) => {
            out.push(d);
            const text = decoders.stdout.write(d);
            if (text) opts.onOutput?.(text, 'stdout');
          },
          stderr: (d) => {
            const text = decoders.stderr.write(d);
            errText += text;
            if (text) opts.onOutput?.(text, 'stderr');
          },
          pid: (p) => {
            pid = p;
            onPid?.(p);
          },
          end: (code) => {
            flush();
            // Stopped: the stop ends the worker and says why, once the job's whole group is gone.
            if (stopping) return;
            this.release(w);
            finish(undefined, code);
          },
          // The worker's channel closed before the command ended: the connection is gone, or the worker
          // could not start (sudo asking for a password says so on stderr).
          lost: () => {
            flush();
            setImmediate(() => {
              if (!this.dropReason && SUDO_PASSWORD.test(errText)) return finish(this.sudoPasswordError());
              finish(this.dropReason ?? new RemoteError('dropped', l10n.t('{0}: the command ended without an exit status (connection lost?)', this.label)));
            });
          },
        });
      } catch (e) {
        this.release(w);
        finish(new RemoteError('io', `${this.label}: ${(e as Error).message}`));
      }
    });
  }

  async lock(holder: string, opts: { signal?: AbortSignal; breakLock?: boolean } = {}): Promise<string> {
    if (opts.breakLock) {
      // The holder is a process on the node that keeps the lock's file open: ending it frees the lock.
      // (Only while the lock is held: a holder file left behind may name a pid that is someone else's now.)
      const h = shq(`${this.nodeLock}.holder`);
      await this.exec(`flock -n ${shq(this.nodeLock)} true || { p=$(sed -n 2p ${h}); [ -n "$p" ] && kill -TERM "$p"; sleep 0.5; }; true`, { signal: opts.signal, timeoutMs: 30000 });
    }
    const cmd = `${this.sudo ? 'sudo -n -- ' : ''}bash -c ${shq(LOCK_HOLDER)} ostopo-lock ${shq(holder)} ${shq(this.nodeLock)}`;
    return new Promise<string>((resolve, reject) => {
      if (this.dropReason) return reject(this.dropReason);
      this.client.exec(cmd, (err, ch) => {
        if (err) return reject(this.dropReason ?? new RemoteError('dropped', l10n.t('{0}: cannot start a command: {1}', this.label, err.message)));
        let out = '';
        let errText = '';
        let settled = false;
        const settle = (e?: Error, machineId = '') => {
          if (settled) return;
          settled = true;
          if (e) reject(e);
          else resolve(machineId);
        };
        ch.on('data', (d: Buffer) => {
          out += d.toString('utf8');
          const held = /^OSTOPO_LOCKED ?([^\n]*)\n/.exec(out);
          if (held) {
            // Held: stdin stays open (never ended) for as long as this connection; its end releases the lock.
            this.lockChannel = ch;
            settle(undefined, held[1]!.trim());
          }
        });
        ch.stderr.on('data', (d: Buffer) => (errText += d.toString('utf8')));
        ch.on('close', (code: number | null) => {
          if (this.lockChannel === ch) return;
          if (code !== 0 && SUDO_PASSWORD.test(errText)) return settle(this.sudoPasswordError());
          if (code === 75)
            return settle(
              new LockError(
                `${this.label} is locked by another run: ${out.trim().split('\n')[0] || 'a holder that did not say who it is'} (the lock is ${this.nodeLock} on the node; it ends with that run or its connection; --break-lock, or "breakLock": true in a VS Code task, ends the holder)`,
              ),
            );
          settle(this.dropReason ?? new RemoteError('io', l10n.t("{0}: cannot take the node's deploy lock: {1}", this.label, lastLines(errText || out, 3) || `exit ${code}`)));
        });
      });
    });
  }

  private sudoPasswordError(): RemoteError {
    return new RemoteError('sudo-password', l10n.t('{0}: sudo asks for a password; ostopo runs `sudo -n`: allow the user NOPASSWD in sudoers, or connect as root', this.label));
  }

  /** TERM to the job's process group, KILL after 2 s if it is still there; resolves when done (at most 5 s). */
  private killGroup(pid: number): Promise<void> {
    const script = `kill -TERM -- -${pid} 2>/dev/null || exit 0; for i in $(seq 1 20); do kill -0 -- -${pid} 2>/dev/null || exit 0; sleep 0.1; done; kill -KILL -- -${pid} 2>/dev/null; true`;
    const cmd = `${this.sudo ? 'sudo -n -- ' : ''}bash -c ${shq(script)}`;
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 5000);
      const end = () => {
        clearTimeout(timer);
        resolve();
      };
      try {
        this.client.exec(cmd, (err, ch) => {
          if (err) return end();
          ch.resume();
          ch.on('close', end);
        });
      } catch {
        end(); // the connection is gone: the job dies with its session or stays orphaned; nothing more to do
      }
    });
  }

  async survey(
    files: SurveyFile[],
    checks: string[],
    opts: { env?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<{ files: (FileState | undefined)[]; checks: boolean[] }> {
    if (!files.length && !checks.length) return { files: [], checks: [] };
    // $1: how many files follow, each as path, begin marker and end marker (empty: the whole file);
    // then the check scripts. The markers reach awk through its environment (-v would unescape them).
    const script = [
      'n=$1; shift; k=0; plain=(); at=(); res=()',
      'while [ "$n" -gt 0 ]; do f=$1 B=$2 E=$3; shift 3; n=$((n-1))',
      '  if [ ! -f "$f" ]; then res[k]=missing',
      '  elif [ -z "$B" ]; then plain+=("$f"); at+=("$k")',
      '  elif grep -qxF -- "$B" "$f"; then res[k]="$(stat -c \'%U %G %a\' -- "$f") $(B=$B E=$E awk \'$0==ENVIRON["B"]{p=1} p{print} p&&$0==ENVIRON["E"]{exit}\' "$f" | sha256sum | cut -d" " -f1)"',
      '  else res[k]=missing; fi',
      '  k=$((k+1))',
      'done',
      // The whole files: one stat and one sha256sum for all of them (a line each; sha256sum puts a
      // backslash before the sum of a name it escapes). A file gone in between: each on its own.
      'if [ ${#plain[@]} -gt 0 ]; then',
      '  if st=$(stat -c \'%U %G %a\' -- "${plain[@]}") && sums=$(sha256sum -- "${plain[@]}"); then',
      '    mapfile -t st <<< "$st"; mapfile -t sums <<< "$sums"',
      '    for j in "${!plain[@]}"; do h=${sums[j]%% *}; res[${at[j]}]="${st[j]} ${h#\\\\}"; done',
      '  else',
      '    for j in "${!plain[@]}"; do f=${plain[j]}; if [ -f "$f" ]; then res[${at[j]}]="$(stat -c \'%U %G %a\' -- "$f") $(sha256sum < "$f" | cut -d" " -f1)"; else res[${at[j]}]=missing; fi; done',
      '  fi',
      'fi',
      'for ((j = 0; j < k; j++)); do printf \'%s\\n\' "${res[j]}"; done',
      // Each check in a subshell (a fork, not a new bash).
      'for s in "$@"; do (eval "$s") </dev/null >/dev/null 2>&1; echo "check $?"; done',
    ].join('\n');
    const args = files.flatMap((f) => [f.path, f.block?.begin ?? '', f.block?.end ?? '']);
    const r = await this.exec(script, { args: [String(files.length), ...args, ...checks], env: opts.env, signal: opts.signal, timeoutMs: opts.timeoutMs ?? 300000 });
    const lines = r.stdout.toString('utf8').split('\n');
    const paths = files.map((f) => f.path);
    if (r.code !== 0 || lines.length < paths.length + checks.length) throw new RemoteError('io', l10n.t('{0}: cannot survey the node: {1}', this.label, lastLines(r.stderr, 3)));
    const states = paths.map((_, i): FileState | undefined => {
      const line = lines[i] ?? 'missing';
      const [owner = '', group = '', mode = '', sha256 = ''] = line.split(' ');
      return line === 'missing' ? undefined : { owner, group, mode: mode.padStart(4, '0'), sha256 };
    });
    return { files: states, checks: checks.map((_, i) => lines[paths.length + i] === 'check 0') };
  }

  async readFile(path: string, opts: { signal?: AbortSignal } = {}): Promise<RemoteFile | undefined> {
    const r = await this.exec('[ -f "$1" ] || exit 3\nstat -c "%U %G %a" -- "$1"\ncat -- "$1"', { args: [path], signal: opts.signal, timeoutMs: 60000 });
    if (r.code === 3) return undefined;
    if (r.code !== 0) throw new RemoteError('io', l10n.t('{0}: cannot read {1}: {2}', this.label, path, lastLines(r.stderr, 3)));
    const nl = r.stdout.indexOf(0x0a);
    const [owner = '', group = '', mode = ''] = r.stdout.subarray(0, nl).toString('utf8').split(' ');
    return { owner, group, mode: mode.padStart(4, '0'), content: r.stdout.subarray(nl + 1) };
  }

  async writeFile(path: string, content: Buffer, owner: string, group: string, mode: string, opts: { signal?: AbortSignal; block?: ManagedBlock } = {}): Promise<void> {
    // One round trip: the content goes on the command's standard input (as root, also through sudo), into
    // a temp file beside the target, whose size must then be the content's (a connection that drops
    // mid-way leaves a short temp file, never a short target); then owner and mode, the previous file
    // kept as a backup, rename over the target.
    const b = opts.block;
    const r = await this.exec(INSTALL, {
      args: [path, owner, group, mode, String(content.length), ...(b ? [b.begin, b.end, b.initial] : [])],
      stdin: content,
      signal: opts.signal,
      timeoutMs: 60000,
    });
    if (r.code !== 0) throw new RemoteError('io', l10n.t('{0}: cannot write {1}: {2}', this.label, path, lastLines(r.stderr, 3)));
  }
}

/** The node's deploy lock: a file held open under flock by the holder's process on the node. */
export const NODE_LOCK = '/var/lib/ostopo/deploy.lock';

/**
 * Holds the node lock $2 ($1 says who holds it) until its standard input ends, which is when the
 * deploy's SSH connection closes, however it ends: no stale lock can outlive its run. Exit 75 when
 * someone else holds it, printing who. It waits up to 3 s for the lock: a run that has just ended (its
 * connection closed) lets go of it a moment later, when the node has seen the close, and a run started
 * right after it (the next test, verify after deploy in one window) must not be refused for that.
 */
const LOCK_HOLDER = [
  '[ -d "${2%/*}" ] || mkdir -p -- "${2%/*}"',
  'exec 9>>"$2"',
  'if ! flock -w 3 9; then head -n 1 -- "$2.holder" 2>/dev/null || true; exit 75; fi',
  `printf '%s\\n%s\\n' "$1" "$$" > "$2.holder"`,
  // With the node's machine-id (the run compares it with its journal's).
  '{ read -r mid < /etc/machine-id; } 2>/dev/null || mid=',
  'echo "OSTOPO_LOCKED $mid"',
  // cat becomes the holder (same pid, fd 9 inherited): it ends when the connection does, or when killed.
  'exec cat >/dev/null',
].join('\n');

/**
 * Writes its standard input into place as root: $1 target, $2:$3 owner, $4 mode, $5 the content's size in
 * bytes (the worker has checked it: input cut short runs nothing); with $6 and $7 (begin and end markers)
 * the content is a managed block that replaces the target's block, or goes at its top, or before $8 (the
 * initial text) when there is no target yet. Bash's own means where a process would do, since a deploy of
 * hundreds of nodes pays each one thousands of times: the temp file is created exclusively (noclobber)
 * with the mode by the umask, and chown and chmod run only where those cannot give it.
 */
const INSTALL = [
  'set -e',
  'dst=$1',
  'export B=${6:-} E=${7:-}',
  'dir=${dst%/*} base=${dst##*/}',
  '[ -d "${dir:-/}" ] || mkdir -p -- "$dir"',
  'shopt -s nullglob',
  'old=("$dir/.$base.ostopo-"*)',
  '[ ${#old[@]} -eq 0 ] || rm -f -- "${old[@]}"',
  'm=$((8#$4))',
  'if [ $((m & ~0666)) -eq 0 ]; then printf -v u %04o $((0777 & ~m)); umask "$u"; m=; fi',
  'set -C',
  'tmp="$dir/.$base.ostopo-$$-$RANDOM"',
  ': > "$tmp"',
  'set +C',
  'trap \'rm -f -- "$tmp" "$tmp.b"\' EXIT',
  'cat > "$tmp"',
  'if [ -n "$B" ]; then',
  '  if [ ! -f "$dst" ]; then printf \'%s\' "$8" >> "$tmp"',
  '  elif grep -qxF -- "$B" "$dst"; then',
  '    awk \'$0==ENVIRON["B"]{b=1} b&&$0==ENVIRON["E"]{e=1} END{exit !e}\' "$dst" || { echo "$dst has the line \\"$B\\" but no \\"$E\\" after it: ostopo will not guess where its block ends; fix the file by hand" >&2; exit 3; }',
  '    awk \'NR==FNR{blk=blk $0 "\\n"; next} !done&&$0==ENVIRON["B"]{printf "%s", blk; skip=1; done=1; next} skip{if($0==ENVIRON["E"])skip=0; next} {print}\' "$tmp" "$dst" > "$tmp.b"',
  '    mv -f -- "$tmp.b" "$tmp"',
  '  else cat -- "$dst" >> "$tmp"',
  '  fi',
  'fi',
  // A new file is the creator's (root's) with the creator's group, unless the folder says otherwise (-G).
  '[ "$2:$3" = root:root ] && [ "$EUID" = 0 ] && [ -G "$tmp" ] || chown -- "$2:$3" "$tmp"',
  '[ -z "$m" ] || chmod -- "$4" "$tmp"',
  'if [ -e "$dst" ]; then cp -p -- "$dst" "$dst.ostopo.bak"; fi',
  'mv -f -- "$tmp" "$dst"',
  'trap - EXIT',
].join('\n');

export function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}
