import * as assert from 'node:assert/strict';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClientChannel } from 'ssh2';
import { FOLDED_CHECK } from '../../src/core/deploy/actions';
import { JobHandlers, request, Worker, WORKER } from '../../src/core/deploy/worker';

/**
 * The worker's script run by the real bash, its channel a pipe to it (what sshd gives an exec channel:
 * stdin, stdout, stderr, close). SshRemote's use of it over a real sshd is in deploy.test.ts.
 */
class PipeChannel extends EventEmitter {
  readonly stderr = new EventEmitter();
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    super();
    child.stdout.on('data', (d: Buffer) => this.emit('data', d));
    child.stderr.on('data', (d: Buffer) => this.stderr.emit('data', d));
    // sshd closes the channel when the session ends; here, when the worker's bash does.
    child.on('exit', () => this.emit('close'));
  }
  write(b: Buffer): boolean {
    return this.child.stdin.write(b);
  }
  end(): void {
    this.child.stdin.end();
  }
  close(): void {
    this.child.stdin.destroy();
  }
}

interface Done {
  code?: number;
  lost?: boolean;
  stdout: Buffer;
  stderr: string;
  pid?: number;
}

function job(w: Worker, script: string, args: string[] = [], env: Record<string, string> = {}, stdin?: Buffer, onPid?: (p: number) => void): Promise<Done> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    let err = '';
    let pid: number | undefined;
    const h: JobHandlers = {
      stdout: (d) => out.push(Buffer.from(d)),
      stderr: (d) => (err += d.toString('utf8')),
      pid: (p) => {
        pid = p;
        onPid?.(p);
      },
      end: (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err, pid }),
      lost: () => resolve({ lost: true, stdout: Buffer.concat(out), stderr: err, pid }),
    };
    w.run(script, args, env, stdin, h);
  });
}

describe('the worker: one shell per connection runs the commands (deploy, verify)', function () {
  this.timeout(30_000);
  let dir: string;
  const started: ChildProcessWithoutNullStreams[] = [];
  const worker = () => {
    const child = spawn('bash', ['--norc', '--noprofile', '-c', WORKER, 'ostopo'], { env: { PATH: '/usr/bin:/bin' } });
    started.push(child);
    return { w: new Worker(new PipeChannel(child) as unknown as ClientChannel), child };
  };
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-worker-test-'))));
  after(async () => {
    // Ended as a connection would end them (their input closes), so that each removes its folder.
    await Promise.all(
      started.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(() => c.kill('SIGKILL'), 5000);
            c.on('exit', () => {
              clearTimeout(t);
              resolve();
            });
            c.stdin.end();
          }),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs commands one after another: arguments, environment, input, exit status, and output that looks like the end', async () => {
    const { w, child } = worker();
    const a = await job(w, 'printf "%s|" "$@"; echo "[$SECRET]"; exit 3', ['a b', "it's", '$HOME', ''], { SECRET: 'se cret\nline' });
    assert.equal(a.code, 3);
    assert.equal(a.stdout.toString(), "a b|it's|$HOME||[se cret\nline]\n");
    assert.ok(a.pid && a.pid > 0);
    // Binary input with NUL bytes reaches the command whole; output with NULs, a marker of another id, and
    // no newline at its end reaches the caller whole.
    const input = Buffer.from([0, 1, 2, 255, 0, 10, 0]);
    const b = await job(w, 'cat; printf "\\0%s 0\\n" 0123456789abcdef0123456789abcdef; printf "\\0"; printf "end" >&2', [], {}, input);
    assert.equal(b.code, 0);
    assert.deepEqual(b.stdout, Buffer.concat([input, Buffer.from('\x000123456789abcdef0123456789abcdef 0\n\x00')]));
    assert.equal(b.stderr, 'end');
    // Much output, in many chunks.
    const c = await job(w, 'head -c 3000000 /dev/zero | tr "\\0" x; echo; echo done >&2');
    assert.equal(c.stdout.length, 3_000_001);
    assert.equal(c.stderr, 'done\n');
    // Input above 8 MB goes through /var/tmp (a node's /dev/shm may be small), whole.
    const big = Buffer.alloc(9 * 1024 * 1024 + 7, 7);
    const g = await job(w, 'wc -c', [], {}, big);
    assert.equal(g.stdout.toString().trim(), String(big.length));
    // The environment of one command is not the next one's; no input is /dev/null.
    const d = await job(w, 'echo "[${SECRET-unset}]"; cat');
    assert.equal(d.stdout.toString(), '[unset]\n');
    // The input (it may hold secrets) does not stay in the worker's folder after its command.
    const token = `secret-input-${process.pid}-${Date.now()}`;
    assert.equal((await job(w, 'cat >/dev/null', [], {}, Buffer.from(token))).code, 0);
    const e = await job(w, `grep -l ${token} /dev/shm/ostopo-w.*/in /tmp/ostopo-w.*/in 2>/dev/null; true`);
    assert.equal(e.stdout.toString(), '');
    assert.equal(child.exitCode, null, 'the worker runs on');
  });

  it("a command's check asked with it: a check that fails, also by its own set -e, runs the command; one that passes does not", async () => {
    const { w } = worker();
    const run = async (check: string) => (await job(w, `${FOLDED_CHECK}set -e\necho ran "$@"`, [check, 'arg'])).stdout.toString();
    assert.equal(await run('true'), '');
    assert.equal(await run('false'), 'ran arg\n');
    assert.equal(await run('set -e\nfalse\ntrue'), 'ran arg\n', 'errexit of the check holds');
    assert.equal(await run('test -n "$OSTOPO_NOPE"'), 'ran arg\n');
  });

  it("the PID it says is the command's process group, for cancellation", async () => {
    const { w } = worker();
    const flag = path.join(dir, 'killed');
    const p = job(w, `trap 'touch ${flag}' TERM; sleep 20 & wait`, [], {}, undefined, (pid) => {
      // (Never -0: that is this process's own group.)
      if (pid > 0) setTimeout(() => process.kill(-pid, 'SIGTERM'), 200);
    });
    const r = await p;
    assert.ok(r.pid && r.pid > 0);
    assert.equal(r.code, 143);
    // The next command runs in the same worker.
    assert.equal((await job(w, 'echo next')).stdout.toString(), 'next\n');
  });

  it('input cut short runs nothing and ends the worker; a request with a NUL byte is refused before it is sent', async () => {
    // A connection that drops mid-way delivers part of a request: the worker gets only part of it.
    const flag = path.join(dir, 'ran');
    const { child } = worker();
    const gone = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    child.stdin.end(request('00', `touch ${flag}`, [], {}, Buffer.alloc(100)).subarray(0, 60));
    await gone;
    assert.ok(!fs.existsSync(flag), 'the command did not run');
    // All of the input, but not what follows it.
    const full = request('00', `touch ${flag}`, [], {}, Buffer.alloc(100));
    const { child: c2 } = worker();
    const gone2 = new Promise<void>((resolve) => c2.on('exit', () => resolve()));
    c2.stdin.end(full.subarray(0, full.length - 2));
    await gone2;
    assert.ok(!fs.existsSync(flag), 'the command did not run');
    // The whole request runs.
    const { w } = worker();
    assert.equal((await job(w, `touch ${flag}`, [], {}, Buffer.alloc(100))).code, 0);
    assert.ok(fs.existsSync(flag));
    // A worker that goes away while its command runs: the caller hears of it.
    const { w: w3, child: c3 } = worker();
    let pid = 0;
    const lost = job(w3, 'sleep 20', [], {}, undefined, (p) => {
      pid = p;
      setTimeout(() => c3.kill('SIGTERM'), 100);
    });
    assert.equal((await lost).lost, true);
    if (pid > 0) process.kill(-pid, 'SIGKILL');
    // A worker whose channel is gone when its command ends (a dropped connection) removes its folder
    // (bash runs the EXIT trap when the end markers meet the closed pipe).
    const folders = () => fs.readdirSync('/dev/shm').filter((n) => n.startsWith('ostopo-w.'));
    const before = new Set(folders());
    const { w: w4, child: c4 } = worker();
    const ended = new Promise<void>((resolve) => c4.on('exit', () => resolve()));
    void job(w4, 'sleep 0.3');
    const mine = await (async () => {
      for (let k = 0; k < 500; k++) {
        const made = folders().filter((n) => !before.has(n));
        if (made.length) return made;
        await new Promise((res) => setTimeout(res, 2));
      }
      return [];
    })();
    assert.equal(mine.length, 1);
    c4.stdout.destroy();
    c4.stderr.destroy();
    await ended;
    assert.ok(!fs.existsSync(path.join('/dev/shm', mine[0]!)), 'the folder is removed');
    // A worker that never starts (sudo -n that wants a password): what it said reaches the caller.
    const refused = spawn('bash', ['-c', 'echo "sudo: a password is required" >&2; exit 1']);
    started.push(refused);
    refused.stdin.on('error', () => undefined); // it may be gone before the request is written
    const r = await job(new Worker(new PipeChannel(refused) as unknown as ClientChannel), 'true');
    assert.equal(r.lost, true);
    assert.equal(r.stderr, 'sudo: a password is required\n');
    assert.throws(() => request('00', 'echo', ['a\0b'], {}), /NUL byte/);
  });
});
