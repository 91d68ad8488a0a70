import { randomBytes } from 'node:crypto';
import { ClientChannel } from 'ssh2';

/**
 * A shell that stays on the node for the life of a connection and runs one command after another. Each
 * SSH exec costs the node a session of sshd and a login shell (about 3.5 ms of CPU on a test node, 7-8 ms
 * with bash's own start; a deploy of a hundred nodes from one workstation makes thousands of them); a
 * command given to a waiting worker costs a fork. SshRemote keeps a few per connection and opens another
 * when all are busy, so commands still run side by side.
 *
 * A request is NUL-separated: an id, the script, the count and the values of its arguments, the count and
 * the NAME=value pairs of its environment (secrets travel here, never in argv), the length of its
 * standard input, then that many bytes and the id again (so input cut short is seen). The worker keeps
 * the input in a private temp file (its own folder, 0700, in /dev/shm when it can, in /var/tmp above 8 MB,
 * such as an image a check uploads; emptied when the command ends) for the command's stdin, else the
 * command reads /dev/null; input cut short (a dropped connection) runs nothing and ends the worker. The
 * command runs in its own process group (cancellation kills the group); before anything else it says its
 * PID on stderr. When it ends, the worker writes NUL, the id and the exit status on stdout and NUL and the
 * id on stderr: the ends of its two streams. The id is random per request, so no output can end a command
 * early. The worker ends when its channel's input does.
 */
export const WORKER = [
  // Job control gives each command its own process group; its notices ("[1]+ Done") go to /dev/null.
  'exec 3>&2 2>/dev/null',
  'u=$(umask)',
  'umask 077',
  'w=$(mktemp -d /dev/shm/ostopo-w.XXXXXX || mktemp -d /tmp/ostopo-w.XXXXXX) || exit 1',
  'trap \'rm -rf -- "$w" ${big:+"$big"}\' EXIT',
  "while IFS= read -r -d '' id && IFS= read -r -d '' s && IFS= read -r -d '' n; do",
  '  a=(); while [ $n -gt 0 ] && IFS= read -r -d \'\' x; do a+=("$x"); n=$((n-1)); done',
  "  IFS= read -r -d '' n",
  '  e=(); while [ $n -gt 0 ] && IFS= read -r -d \'\' x; do e+=("$x"); n=$((n-1)); done',
  "  IFS= read -r -d '' n",
  '  i=/dev/null',
  '  if [ "$n" -gt 8388608 ]; then [ -n "${big:-}" ] || big=$(mktemp -d /var/tmp/ostopo-w.XXXXXX) || exit 1; i=$big/in; elif [ "$n" -gt 0 ]; then i=$w/in; fi',
  // Input cut short (the connection dropped mid-way): the command does not run; the worker ends.
  // (head reads no byte past the count; the request's id follows the input: a read builtin, not a stat.)
  '  if [ "$n" -gt 0 ]; then head -c "$n" > "$i"; IFS= read -r -d \'\' x && [ "$x" = "$id" ] || exit 1; fi',
  '  set -m',
  // The command runs in a subshell of the worker, as `bash -c` would run it but without a new bash (1.5 ms
  // of a node's CPU each): the login's umask, no job control, its arguments as $1..., none of the worker's
  // variables but the script's own name; $0 is "ostopo" (the worker's).
  '  ( umask "$u"; printf \'OSTOPO_PID %s\\n\' "$BASHPID" >&2; for x in "${e[@]}"; do export "$x"; done; set +m; set -- "${a[@]}"; ostopo_script=$s; unset a e x n s i id c p w big u; eval "$ostopo_script" ) <"$i" 2>&3 &',
  '  p=$!',
  '  set +m',
  '  wait "$p"; c=$?',
  // Emptied at once (it may hold secrets); removed with the folder when the worker ends.
  '  [ "$i" = /dev/null ] || : > "$i"',
  '  printf \'\\0%s %s\\n\' "$id" "$c"',
  '  printf \'\\0%s\\n\' "$id" >&3',
  'done',
].join('\n');

export interface JobHandlers {
  stdout(d: Buffer): void;
  stderr(d: Buffer): void;
  /** The command's process group (0: it did not say). */
  pid(pid: number): void;
  end(code: number): void;
  /** The channel closed before the command ended (the worker or the connection is gone). */
  lost(): void;
}

/** The request for one command (see WORKER); throws on a NUL byte, which no field can carry. */
export function request(id: string, script: string, args: string[], env: Record<string, string>, stdin?: Buffer): Buffer {
  const pairs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const fields = [id, script, String(args.length), ...args, String(pairs.length), ...pairs, String(stdin?.length ?? 0)];
  if (fields.some((f) => f.includes('\0'))) throw new Error('a command, argument or environment value contains a NUL byte');
  return Buffer.concat([Buffer.from(fields.join('\0') + '\0'), ...(stdin?.length ? [stdin, Buffer.from(`${id}\0`)] : [])]);
}

/** Passes bytes on until `marker`, holding back what may be its beginning; then gives what follows it. */
class Until {
  private held = Buffer.alloc(0);
  constructor(
    private readonly marker: Buffer,
    private readonly emit: (b: Buffer) => void,
  ) {}

  push(d: Buffer): Buffer | undefined {
    const buf = this.held.length ? Buffer.concat([this.held, d]) : d;
    const at = buf.indexOf(this.marker);
    if (at >= 0) {
      if (at) this.emit(buf.subarray(0, at));
      this.held = Buffer.alloc(0);
      return buf.subarray(at + this.marker.length);
    }
    // The longest end of the buffer that begins the marker (the marker begins with NUL).
    let keep = 0;
    for (let z = buf.indexOf(0, Math.max(0, buf.length - this.marker.length + 1)); z >= 0; z = buf.indexOf(0, z + 1)) {
      if (this.marker.subarray(0, buf.length - z).equals(buf.subarray(z))) {
        keep = buf.length - z;
        break;
      }
    }
    if (buf.length > keep) this.emit(buf.subarray(0, buf.length - keep));
    this.held = Buffer.from(buf.subarray(buf.length - keep));
    return undefined;
  }
}

const PID_LINE = /OSTOPO_PID (\d+)\n/;

/** One worker's channel: runs one command at a time. */
export class Worker {
  // codeText: what follows the end of stdout (the exit status and a newline), once that end has come.
  private job?: { h: JobHandlers; out: Until; err: Until; codeText?: string; code?: number; errDone: boolean; pidText?: string };
  private gone = false;

  constructor(private readonly ch: ClientChannel) {
    ch.on('data', (d: Buffer) => this.onStdout(d));
    ch.stderr.on('data', (d: Buffer) => this.onStderr(d));
    ch.on('close', () => {
      this.gone = true;
      const j = this.job;
      this.job = undefined;
      // What came before the PID line is the caller's to see (sudo saying it wants a password).
      if (j?.pidText) j.h.stderr(Buffer.from(j.pidText, 'latin1'));
      j?.h.lost();
    });
  }

  get alive(): boolean {
    return !this.gone;
  }

  run(script: string, args: string[], env: Record<string, string>, stdin: Buffer | undefined, h: JobHandlers): void {
    const id = randomBytes(16).toString('hex');
    const req = request(id, script, args, env, stdin);
    this.job = {
      h,
      out: new Until(Buffer.from(`\0${id} `), (b) => h.stdout(b)),
      err: new Until(Buffer.from(`\0${id}\n`), (b) => h.stderr(b)),
      errDone: false,
      pidText: '',
    };
    this.ch.write(req);
  }

  /** Ends the worker (its command, if any, is the caller's to stop first). */
  close(): void {
    this.gone = true;
    this.job = undefined;
    this.ch.end();
    this.ch.close();
  }

  private onStdout(d: Buffer): void {
    const j = this.job;
    if (!j) return; // output of a command's leftover background process after its end: nobody's
    if (j.codeText === undefined) {
      const rest = j.out.push(d);
      if (rest === undefined) return;
      j.codeText = '';
      d = rest;
    }
    if (j.code !== undefined) return;
    j.codeText += d.toString('latin1');
    const nl = j.codeText.indexOf('\n');
    if (nl >= 0) {
      j.code = Number(j.codeText.slice(0, nl));
      this.settle();
    }
  }

  private onStderr(d: Buffer): void {
    const j = this.job;
    if (!j || j.errDone) return;
    if (j.pidText !== undefined) {
      // The command says its PID before it runs anything. Lines before it are the login shell's (a
      // .bashrc that prints something when the worker starts): passed on as the command's stderr.
      j.pidText += d.toString('latin1');
      const m = PID_LINE.exec(j.pidText);
      // (No PID line before the end of the stream, which begins with NUL: the command did not say it.)
      if (!m && j.pidText.length < 65536 && !j.pidText.includes('\0')) return;
      const text = m ? j.pidText.slice(0, m.index) + j.pidText.slice(m.index + m[0].length) : j.pidText;
      d = Buffer.from(text, 'latin1');
      j.pidText = undefined;
      j.h.pid(m ? Number(m[1]) : 0);
    }
    if (j.err.push(d) !== undefined) {
      j.errDone = true;
      this.settle();
    }
  }

  private settle(): void {
    const j = this.job;
    if (!j || !j.errDone || j.code === undefined) return;
    this.job = undefined;
    j.h.end(j.code);
  }
}
