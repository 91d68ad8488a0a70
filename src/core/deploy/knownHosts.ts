import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * known_hosts as OpenSSH reads it: plain and hashed (`|1|salt|hash`) host patterns, `[host]:port` for
 * non-standard ports, `*`/`?` wildcards, `!negation`, and the `@revoked` marker. Host keys are always
 * verified: a key that is not known is only accepted by the user, a changed key is refused.
 */
export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: '@revoked' | '@cert-authority';
  patterns: string;
  keyType: string;
  key: Buffer;
}

export type HostKeyVerdict = { kind: 'match'; entry: KnownHostEntry } | { kind: 'unknown' } | { kind: 'changed'; entries: KnownHostEntry[] } | { kind: 'revoked'; entry: KnownHostEntry };

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (parts[0] === '@revoked' || parts[0] === '@cert-authority') marker = parts.shift() as KnownHostEntry['marker'];
    const [patterns, keyType, base64] = parts;
    if (patterns === undefined || keyType === undefined || base64 === undefined) return;
    const key = Buffer.from(base64, 'base64');
    if (!key.length) return;
    out.push({ file, line: i + 1, marker, patterns, keyType, key });
  });
  return out;
}

export function readKnownHosts(files: string[]): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue; // a missing known_hosts file simply knows nothing
    }
    out.push(...parseKnownHosts(text, f));
  }
  return out;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
    'i',
  );
  return re.test(name);
}

/** Does a host-patterns field (comma-separated, possibly hashed or negated) name `name`? */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    const h = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return h === hash;
  }
  let matched = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) matched = true;
  }
  return matched;
}

export function verifyHostKey(entries: KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = hostKeyName(host, port);
  const forHost = entries.filter((e) => e.marker !== '@cert-authority' && patternsMatch(e.patterns, name));
  const revoked = entries.find((e) => e.marker === '@revoked' && e.key.equals(key));
  if (revoked) return { kind: 'revoked', entry: revoked };
  const match = forHost.find((e) => !e.marker && e.key.equals(key));
  if (match) return { kind: 'match', entry: match };
  const type = keyTypeOf(key);
  const sameType = forHost.filter((e) => !e.marker && e.keyType === type);
  // A known key of the same type that differs is a changed key; another type only is not (OpenSSH alike).
  if (sameType.length) return { kind: 'changed', entries: sameType };
  return { kind: 'unknown' };
}

/** Key types known for a host, to prefer them in the key exchange (as OpenSSH does). */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const name = hostKeyName(host, port);
  return [...new Set(entries.filter((e) => !e.marker && patternsMatch(e.patterns, name)).map((e) => e.keyType))];
}

/** The algorithm name inside an SSH public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`...). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return '';
  const n = key.readUInt32BE(0);
  return key.subarray(4, 4 + n).toString('latin1');
}

/** `SHA256:...` as `ssh-keygen -lf` and OpenSSH's prompts show it. */
export function fingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

export function knownHostsLine(host: string, port: number, key: Buffer): string {
  return `${hostKeyName(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}`;
}

/** Adds an accepted key to a known_hosts file (the project's own, `.ostopo/known_hosts`). */
export function appendKnownHost(file: string, host: string, port: number, key: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, knownHostsLine(host, port, key) + '\n', { mode: 0o644 });
}
