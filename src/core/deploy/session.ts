import * as path from 'node:path';
import { Analysis } from '../compile';
import { ResolvedNode } from '../model';
import { Journal } from './journal';
import { HostKeyPrompt, Remote, SshRemote } from './remote';
import { resolveSshTarget } from './sshConfig';

/**
 * Where a topology's deploy state lives and how its nodes are reached: `.ostopo/` beside the topology
 * file holds the journal of each cloud and the project's known_hosts. CLI and VS Code both use this.
 */
export interface DeploySession {
  stateDir: string;
  /** The topology's folder: relative paths of the topology (verify's image) are read from it. */
  baseDir: string;
  projectKnownHosts: string;
  journal: Journal;
  connect: (node: ResolvedNode, signal?: AbortSignal) => Promise<Remote>;
}

export function stateDirOf(topologyFile: string): string {
  return path.join(path.dirname(path.resolve(topologyFile)), '.ostopo');
}

export function openSession(
  topologyFile: string,
  analysis: Analysis,
  opts: { stateDir?: string; onUnknownHostKey?: (p: HostKeyPrompt) => Promise<boolean>; sshBinary?: string | null; env?: Record<string, string | undefined> } = {},
): DeploySession {
  const stateDir = opts.stateDir ?? stateDirOf(topologyFile);
  const projectKnownHosts = path.join(stateDir, 'known_hosts');
  const journal = Journal.open(stateDir, analysis.cloud.name);
  return {
    stateDir,
    baseDir: path.dirname(path.resolve(topologyFile)),
    projectKnownHosts,
    journal,
    connect: (node, signal) => {
      const target = resolveSshTarget(node, { projectKnownHosts, sshBinary: opts.sshBinary, baseDir: path.dirname(path.resolve(topologyFile)) });
      return SshRemote.connect(target, { projectKnownHosts, onUnknownHostKey: opts.onUnknownHostKey, signal, agent: opts.env?.SSH_AUTH_SOCK });
    },
  };
}
