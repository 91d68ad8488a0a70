import * as fs from 'node:fs';
import * as path from 'node:path';
import * as l10n from '../core/l10n';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  isTty?: boolean;
  /** Registers the Ctrl+C handler; it returns false when the process should exit at once. */
  onInterrupt?: (handler: () => boolean) => void;
}

export class UsageError extends Error {}

export function readTopology(file: string | undefined, cmd: string, io: Io): { text: string; display: string; full: string } {
  if (!file) throw new UsageError(l10n.t('{0} needs a topology FILE (see ostopo --help).', cmd));
  const full = path.resolve(io.cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(full, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(l10n.t('cannot read {0}: {1}', file, code === 'ENOENT' ? l10n.t('no such file') : code === 'EISDIR' ? l10n.t('it is a directory') : (e as Error).message));
  }
  return { text, display: file, full };
}
