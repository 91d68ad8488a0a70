import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

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
  steps: Record<string, { status: 'done' | 'failed' | 'blocked' | 'cancelled'; at: string; ms: number; message?: string }>;
  lastDeploy?: { at: string; ok: boolean; ms: number; changed: number; message?: string };
  lastVerify?: { at: string; passed: number; failed: number; skipped?: number; checks: Record<string, { title: string; ok: boolean; ms: number; evidence?: string; skipped?: boolean }> };
}

export interface JournalData {
  version: 1;
  cloud: string;
  nodes: Record<string, NodeJournal>;
}

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function emptyNode(): NodeJournal {
  return { files: {}, commands: {}, steps: {} };
}

export class Journal {
  private constructor(
    readonly file: string,
    readonly data: JournalData,
  ) {}

  /** The journal of a cloud in a state folder (created on first save). A corrupt file is an error, not a reset. */
  static open(stateDir: string, cloud: string): Journal {
    const file = path.join(stateDir, cloud, 'journal.json');
    let data: JournalData = { version: 1, cloud, nodes: {} };
    if (fs.existsSync(file)) {
      try {
        data = JSON.parse(fs.readFileSync(file, 'utf8')) as JournalData;
      } catch (e) {
        throw new Error(`the deploy journal ${file} is unreadable (${(e as Error).message}); move it away to start over`);
      }
      if (data.version !== 1 || typeof data.nodes !== 'object') throw new Error(`the deploy journal ${file} has an unknown format`);
    }
    return new Journal(file, data);
  }

  node(name: string): NodeJournal {
    return (this.data.nodes[name] ??= emptyNode());
  }

  resetNode(name: string, machineId?: string): void {
    this.data.nodes[name] = { ...emptyNode(), machineId };
  }

  /** Written whole after every action (temp + rename), so an interruption loses at most the running action. */
  save(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(this.data, null, 1) + '\n');
    fs.renameSync(tmp, this.file);
  }
}
