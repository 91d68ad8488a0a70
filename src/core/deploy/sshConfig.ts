import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResolvedNode } from '../model';

/** Everything needed to open an SSH connection to one host. */
export interface SshTarget {
  /** What the user wrote (alias or address), for messages. */
  label: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** Jump hosts, outermost first (ProxyJump). */
  jumps: SshTarget[];
  knownHostsFiles: string[];
  connectTimeoutMs: number;
}

export interface SshResolveOptions {
  /** Project known_hosts (accepted keys are added there). */
  projectKnownHosts: string;
  /** `ssh` binary for `ssh -G`; null disables it. Default: `ssh` on PATH. */
  sshBinary?: string | null;
  home?: string;
  /** Relative identityFile / knownHostsFile paths are relative to this folder (the topology's). */
  baseDir?: string;
  /** An ssh_config file for `ssh -G` instead of ~/.ssh/config (`ssh -F`). */
  sshConfigFile?: string;
}

const expandHome = (p: string, home: string, base?: string) => (p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : base ? path.resolve(base, p) : p);

/** `ssh -G host` → key/values (lower-case keys; repeated keys collected). Undefined when there is no ssh. */
export function sshG(host: string, args: string[], sshBinary: string): Map<string, string[]> | undefined {
  const r = spawnSync(sshBinary, [...args, '-G', host], { encoding: 'utf8', timeout: 10000 });
  if (r.error || r.status !== 0) return undefined;
  const out = new Map<string, string[]>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const k = m[1]!.toLowerCase();
    out.set(k, [...(out.get(k) ?? []), m[2]!]);
  }
  return out;
}

function parseJump(spec: string, opts: SshResolveOptions, home: string, depth: number): SshTarget[] {
  if (!spec || spec === 'none') return [];
  return spec.split(',').map((hop) => {
    const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hop.trim());
    const host = m ? m[2]!.replace(/^\[|\]$/g, '') : hop;
    return resolveHost(host, { user: m?.[1], port: m?.[3] ? Number(m[3]) : undefined }, opts, home, depth + 1);
  });
}

function resolveHost(host: string, explicit: { user?: string; port?: number; identityFile?: string; knownHostsFile?: string }, opts: SshResolveOptions, home: string, depth: number): SshTarget {
  const bin = opts.sshBinary === undefined ? 'ssh' : opts.sshBinary;
  const args: string[] = opts.sshConfigFile ? ['-F', opts.sshConfigFile] : [];
  if (explicit.port) args.push('-p', String(explicit.port));
  if (explicit.user) args.push('-l', explicit.user);
  const g = bin && depth < 4 ? sshG(host, args, bin) : undefined;
  const one = (k: string) => g?.get(k)?.[0];
  const identityFiles = [
    ...(explicit.identityFile ? [expandHome(explicit.identityFile, home, opts.baseDir)] : []),
    ...(g?.get('identityfile') ?? []).map((f) => expandHome(f, home)).filter((f) => fs.existsSync(f)),
  ];
  const userKnown = (g?.get('userknownhostsfile') ?? []).flatMap((l) => l.split(/\s+/)).map((f) => expandHome(f, home));
  const knownHostsFiles = [
    ...(explicit.knownHostsFile ? [expandHome(explicit.knownHostsFile, home, opts.baseDir)] : []),
    opts.projectKnownHosts,
    ...(userKnown.length ? userKnown : [path.join(home, '.ssh', 'known_hosts')]),
  ];
  const timeout = Number(one('connecttimeout'));
  return {
    label: host,
    host: one('hostname') ?? host,
    port: explicit.port ?? (Number(one('port')) || 22),
    user: explicit.user ?? one('user') ?? 'root',
    identityFiles: [...new Set(identityFiles)],
    jumps: parseJump(one('proxyjump') ?? '', opts, home, depth),
    knownHostsFiles: [...new Set(knownHostsFiles)],
    connectTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : 15000,
  };
}

/**
 * Where and how to reach a node. The topology's `ssh` values win; a `host` alias is resolved with
 * `ssh -G`, so the user's ~/.ssh/config (Include, ProxyJump, IdentityFile, User, Port) applies as in
 * their own ssh. Without an alias the node address is the host and the user defaults to root.
 */
export function resolveSshTarget(node: ResolvedNode, opts: SshResolveOptions): SshTarget {
  const home = opts.home ?? os.homedir();
  const s = node.ssh;
  const alias = s.host;
  const t = resolveHost(alias ?? node.address, { user: s.user ?? (alias ? undefined : 'root'), port: s.port, identityFile: s.identityFile, knownHostsFile: s.knownHostsFile }, opts, home, 0);
  return { ...t, label: alias ? `${alias} (${node.name})` : `${node.name} (${node.address})` };
}
