import * as fs from 'node:fs';
import { Duplex } from 'node:stream';
import { AgentAuthMethod, Client, ConnectConfig, PublicKeyAuthMethod, utils } from 'ssh2';
import { appendKnownHost, fingerprint, HostKeyVerdict, keyTypeOf, knownKeyTypes, readKnownHosts, verifyHostKey } from './knownHosts';
import { SshTarget } from './sshConfig';
import * as l10n from '../l10n';

/** Opening SSH connections: authentication, host key verification against known_hosts, jump hosts. */

/** What went wrong talking to a node; `kind` is stable, the message says what to do. */
export type RemoteErrorKind =
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'auth'
  | 'hostkey-unknown'
  | 'hostkey-changed'
  | 'hostkey-revoked'
  | 'dropped'
  | 'sudo-password'
  | 'cancelled'
  | 'step-timeout'
  /** Another run holds the node's deploy lock. */
  | 'locked'
  | 'io';

export class RemoteError extends Error {
  constructor(
    readonly kind: RemoteErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface HostKeyPrompt {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  label: string;
}

export interface ConnectOptions {
  /** Asked when a host key is not known; true accepts it (added to the project's known_hosts). */
  onUnknownHostKey?: (p: HostKeyPrompt) => Promise<boolean>;
  /** Where accepted keys are written. */
  projectKnownHosts: string;
  signal?: AbortSignal;
  agent?: string;
  /** The node's deploy lock file (default /var/lib/ostopo/deploy.lock; tests that share one host use their own). */
  nodeLock?: string;
}

function readKey(file: string): Buffer | { error: string } {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    return { error: `${file}: ${(e as Error).message}` };
  }
  const parsed = utils.parseKey(buf);
  if (parsed instanceof Error) return { error: /encrypted/i.test(parsed.message) ? `${file} is encrypted: add it to ssh-agent` : `${file}: ${parsed.message}` };
  return buf;
}

export function openClient(t: SshTarget, opts: ConnectOptions, sock?: Duplex): Promise<Client> {
  const known = readKnownHosts(t.knownHostsFiles);
  const preferred = knownKeyTypes(known, t.host, t.port);
  let verdict: HostKeyVerdict | undefined;
  let offered: Buffer | undefined;
  const tried: string[] = [];
  const keyProblems: string[] = [];
  const methods: (AgentAuthMethod | PublicKeyAuthMethod)[] = [];
  const agent = opts.agent ?? process.env.SSH_AUTH_SOCK;
  if (agent) {
    methods.push({ type: 'agent', username: t.user, agent });
    tried.push('ssh-agent');
  }
  for (const f of t.identityFiles) {
    const k = readKey(f);
    if ('error' in k) keyProblems.push(k.error);
    else {
      methods.push({ type: 'publickey', username: t.user, key: k });
      tried.push(f);
    }
  }
  const client = new Client();
  return new Promise<Client>((resolve, reject) => {
    let done = false;
    const fail = (e: RemoteError) => {
      if (done) return;
      done = true;
      client.end();
      reject(e);
    };
    const onAbort = () => fail(new RemoteError('cancelled', l10n.t('{0}: cancelled while connecting', t.label)));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (!methods.length) {
      return fail(
        new RemoteError(
          'auth',
          l10n.t('{0}: no way to authenticate as {1}: no identityFile, no usable key from ssh -G and no ssh-agent', t.label, t.user) + (keyProblems.length ? ` (${keyProblems.join('; ')})` : ''),
        ),
      );
    }
    client.on('ready', () => {
      done = true;
      opts.signal?.removeEventListener('abort', onAbort);
      client.removeAllListeners('error');
      client.on('error', () => undefined); // later errors surface as 'close' and fail the running command
      // Every round trip is a few small packets each way (channel open, exec request, data, close).
      // With Nagle's algorithm on, the second of them waits for the peer's delayed ACK: about 40 ms per
      // exec on loopback (measured: 47 ms per `true`, 4-5 ms without it). OpenSSH sets TCP_NODELAY for
      // interactive sessions only; our sessions are all exec.
      client.setNoDelay(true);
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      const where = `${t.user}@${t.host}:${t.port}`;
      if (verdict && verdict.kind !== 'match') return fail(hostKeyError(t, verdict, offered!));
      if (err.level === 'client-authentication') {
        return fail(new RemoteError('auth', l10n.t('{0}: authentication as {1} failed (tried {2})', t.label, t.user, tried.join(', ')) + (keyProblems.length ? `; ${keyProblems.join('; ')}` : '')));
      }
      if (err.level === 'client-timeout') return fail(new RemoteError('timeout', l10n.t('{0}: no SSH answer from {1} within {2} s', t.label, where, t.connectTimeoutMs / 1000)));
      if (err.code === 'ECONNREFUSED') return fail(new RemoteError('refused', l10n.t('{0}: connection refused by {1}:{2} (is sshd running and listening there?)', t.label, t.host, t.port)));
      if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH' || err.code === 'ETIMEDOUT' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
        return fail(new RemoteError('unreachable', l10n.t('{0}: {1} is unreachable ({2})', t.label, t.host, err.code)));
      }
      fail(new RemoteError('io', l10n.t('{0}: SSH connection to {1} failed: {2}', t.label, where, err.message)));
    });
    client.on('close', () => fail(verdict && verdict.kind !== 'match' ? hostKeyError(t, verdict, offered!) : new RemoteError('dropped', l10n.t('{0}: the connection closed before login', t.label))));
    const config: ConnectConfig = {
      host: t.host,
      port: t.port,
      username: t.user,
      readyTimeout: t.connectTimeoutMs,
      keepaliveInterval: 5000,
      keepaliveCountMax: 3,
      authHandler: methods,
      hostVerifier: (key: Buffer, cb: (ok: boolean) => void) => {
        offered = key;
        verdict = verifyHostKey(known, t.host, t.port, key);
        if (verdict.kind === 'match') return cb(true);
        if (verdict.kind !== 'unknown' || !opts.onUnknownHostKey) return cb(false);
        opts.onUnknownHostKey({ host: t.host, port: t.port, keyType: keyTypeOf(key), fingerprint: fingerprint(key), label: t.label }).then(
          (ok) => {
            if (ok) {
              appendKnownHost(opts.projectKnownHosts, t.host, t.port, key);
              verdict = { kind: 'match', entry: { file: opts.projectKnownHosts, line: 0, patterns: t.host, keyType: keyTypeOf(key), key } };
            }
            cb(ok);
          },
          () => cb(false),
        );
      },
    };
    if (preferred.length) config.algorithms = { serverHostKey: preferred as never };
    if (sock) config.sock = sock;
    client.connect(config);
    // Without this, Nagle's algorithm and delayed ACKs add ~40 ms to each of the round trips of every
    // command (channel open, exec, data, close): ~200 ms per command instead of a few.
    client.setNoDelay(true);
  });
}

function hostKeyError(t: SshTarget, v: HostKeyVerdict, key: Buffer): RemoteError {
  const fp = fingerprint(key);
  if (v.kind === 'changed') {
    const where = v.entries.map((e) => `${e.file}:${e.line}`).join(', ');
    return new RemoteError(
      'hostkey-changed',
      l10n.t(
        '{0}: the host key of {1}:{2} has CHANGED (now {3} {4}; known in {5}). Someone may be intercepting the connection, or the host was reinstalled. ostopo refuses to connect: check the new key out of band, then remove the old line.',
        t.label,
        t.host,
        t.port,
        keyTypeOf(key),
        fp,
        where,
      ),
    );
  }
  if (v.kind === 'revoked') return new RemoteError('hostkey-revoked', l10n.t('{0}: the host key {1} is marked @revoked in {2}:{3}', t.label, fp, v.entry.file, v.entry.line));
  return new RemoteError(
    'hostkey-unknown',
    l10n.t(
      '{0}: the host key of {1}:{2} is not known ({3} {4}). Accept it after checking the fingerprint (CLI: --accept-new-host-keys), or add it to a known_hosts file.',
      t.label,
      t.host,
      t.port,
      keyTypeOf(key),
      fp,
    ),
  );
}

export function forward(c: Client, host: string, port: number, via: string): Promise<Duplex> {
  return new Promise((resolve, reject) =>
    c.forwardOut('127.0.0.1', 0, host, port, (err, stream) =>
      err ? reject(new RemoteError('unreachable', l10n.t('{0}: cannot reach {1}:{2} through the jump host: {3}', via, host, port, err.message))) : resolve(stream),
    ),
  );
}
