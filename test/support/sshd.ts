import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A real OpenSSH server for tests, started on a loopback address with its own host key, client key and
 * config in a temp folder (no PAM, keys only). Logins are as root on this machine: tests that use it
 * deploy only into their own temp folders.
 */
export class TestSshd {
  readonly dir: string;
  readonly hostKey: string;
  readonly clientKey: string;
  readonly knownHosts: string;
  private proc?: ChildProcess;

  private constructor(
    readonly host: string,
    readonly port: number,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-sshd-'));
    this.hostKey = path.join(this.dir, 'host_ed25519');
    this.clientKey = path.join(this.dir, 'client_ed25519');
    this.knownHosts = path.join(this.dir, 'known_hosts');
  }

  static async start(host = '127.0.0.2'): Promise<TestSshd> {
    const port = await freePort(host);
    const s = new TestSshd(host, port);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', s.hostKey]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', s.clientKey]);
    fs.copyFileSync(`${s.clientKey}.pub`, path.join(s.dir, 'authorized_keys'));
    const pub = fs.readFileSync(`${s.hostKey}.pub`, 'utf8').trim().split(' ');
    fs.writeFileSync(s.knownHosts, `[${host}]:${port} ${pub[0]} ${pub[1]}\n`);
    fs.writeFileSync(
      path.join(s.dir, 'sshd_config'),
      [
        `ListenAddress ${host}:${port}`,
        `HostKey ${s.hostKey}`,
        `PidFile ${path.join(s.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${path.join(s.dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'MaxSessions 64',
        'MaxStartups 100:30:200',
        'Subsystem sftp internal-sftp',
        'LogLevel ERROR',
      ].join('\n') + '\n',
    );
    fs.mkdirSync('/run/sshd', { recursive: true });
    s.proc = spawn('/usr/sbin/sshd', ['-D', '-f', path.join(s.dir, 'sshd_config'), '-E', path.join(s.dir, 'sshd.log')], { stdio: 'ignore' });
    await waitForPort(host, port, 10000);
    return s;
  }

  /** Kills every open connection (the per-connection sshd processes), as a network failure would. */
  dropConnections(): void {
    if (!this.proc?.pid) return;
    try {
      execFileSync('pkill', ['-KILL', '-P', String(this.proc.pid)]);
    } catch {
      // no connection open
    }
  }

  stop(): void {
    this.dropConnections();
    this.proc?.kill('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(host: string, port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`sshd did not listen on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP server that accepts and never speaks: an SSH handshake against it times out. */
export async function silentServer(host: string): Promise<{ port: number; close: () => void }> {
  const sockets: net.Socket[] = [];
  const srv = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => srv.listen(0, host, r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: () => {
      sockets.forEach((s) => s.destroy());
      srv.close();
    },
  };
}
