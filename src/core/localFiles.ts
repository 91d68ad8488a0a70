import * as fs from 'node:fs';
import * as path from 'node:path';
import { t } from './l10n';
import { MAX_SECRETS_FILE, ReadFile } from './secretsFile';

/** Reads the files a topology names (its secrets file) relative to the topology's folder, on this machine. */
export function readerBeside(topologyPath: string): ReadFile {
  const dir = path.dirname(topologyPath);
  return (rel) => {
    const full = path.resolve(dir, rel);
    let fd: number | undefined;
    try {
      fd = fs.openSync(full, 'r');
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) return { error: t('it is a directory') };
      if (st.size > MAX_SECRETS_FILE) return { error: t('it is larger than {0} MB', MAX_SECRETS_FILE / 1024 / 1024) };
      const buf = fs.readFileSync(fd);
      return { text: buf.toString('utf8'), mode: process.platform === 'win32' ? undefined : st.mode };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return {
        missing: code === 'ENOENT',
        error: code === 'ENOENT' ? t('no such file') : code === 'EISDIR' ? t('it is a directory') : code === 'EACCES' ? t('permission denied') : (e as Error).message,
      };
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  };
}

/**
 * Writes `text` to `file` readable by its owner only (0600), atomically: a temporary file created 0600 in
 * the same folder, flushed, then renamed over the file. A reader sees the old file or the new one, never
 * half of one, and the secret is never in a file others may read, not even for a moment.
 */
export function writePrivateAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.closeSync(fd);
    } catch {
      /* closed already */
    }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  // A file that existed keeps the rename's new inode, but be explicit about the mode on every platform.
  if (process.platform !== 'win32') fs.chmodSync(file, 0o600);
}

/** Writes a file atomically keeping its mode (a topology file the user edits): temporary file, then rename. */
export function writeAtomicKeepMode(file: string, text: string): void {
  const mode = fs.statSync(file).mode & 0o777;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  fs.writeFileSync(tmp, text, { mode, flag: 'wx' });
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
