import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Analysis } from './compile';
import { t } from './l10n';
import { neededSecrets } from './services/registry';

/**
 * The secrets file (`secretsFile:` in the topology): the cloud's passwords kept apart from the topology,
 * as Kolla-Ansible keeps passwords.yml apart from globals.yml. A YAML map of `NAME: value`, each value
 * a literal (no `${env:...}` in it), mode 0600. `ostopo secrets generate` writes it.
 *
 * Core never touches the disk: the adapter gives a reader that resolves the path against the topology's
 * folder and returns the text and the file's mode.
 */
export type ReadFile = (path: string) => { text: string; mode?: number } | { error: string; missing?: boolean };

export interface SecretsFileProblem {
  code: 'secret/file-unreadable' | 'secret/file-invalid' | 'secret/file-permissions';
  severity: 'error' | 'warning';
  /** Never quotes a value: names and line numbers only. */
  message: string;
}

export interface SecretsFile {
  /** As written in the topology (relative to its folder, or absolute). */
  path: string;
  values: Map<string, string>;
  /** Line (one-based) of each name in the file, for messages. */
  lines: Map<string, number>;
  problems: SecretsFileProblem[];
  /** The file's text when it was read (generation appends to it and keeps its comments). */
  text?: string;
  /** False when the file is not there (generation creates it). */
  exists: boolean;
}

/** The biggest secrets file read: a few dozen passwords take a few kB; anything far larger is not one. */
export const MAX_SECRETS_FILE = 1024 * 1024;

const NAME = /^[A-Z][A-Z0-9_]*$/;

export function readSecretsFile(path: string, read: ReadFile | undefined): SecretsFile {
  const out: SecretsFile = { path, values: new Map(), lines: new Map(), problems: [], exists: true };
  const problem = (code: SecretsFileProblem['code'], message: string) => out.problems.push({ code, severity: code === 'secret/file-permissions' ? 'warning' : 'error', message });
  if (!read) {
    problem('secret/file-unreadable', t('`{0}` is read from the folder of the topology: save the topology to a file first.', path));
    return out;
  }
  const r = read(path);
  if ('error' in r) {
    out.exists = !r.missing;
    problem('secret/file-unreadable', t('cannot read the secrets file `{0}`: {1}. `ostopo secrets generate` creates it.', path, r.error));
    return out;
  }
  if (r.text.length > MAX_SECRETS_FILE) {
    problem('secret/file-invalid', t('the secrets file `{0}` is larger than {1} MB: it is not a secrets file.', path, MAX_SECRETS_FILE / 1024 / 1024));
    return out;
  }
  out.text = r.text;
  if (r.mode !== undefined && (r.mode & 0o077) !== 0) {
    problem('secret/file-permissions', t('the secrets file `{0}` can be read by other users (mode {1}): `chmod 600 {0}`.', path, (r.mode & 0o777).toString(8).padStart(4, '0')));
  }
  const lc = new LineCounter();
  const doc = parseDocument(r.text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  // The parser's own sentence may quote the text it stumbled on (a password): only its line and code are said.
  const err = doc.errors[0];
  if (err) {
    problem('secret/file-invalid', t('the secrets file `{0}` is not valid YAML at line {1} ({2}).', path, lc.linePos(err.pos[0]).line, err.code));
    return out;
  }
  if (doc.contents === null) return out;
  if (!isMap(doc.contents)) {
    problem('secret/file-invalid', t('the secrets file `{0}` must be a map of `NAME: value` lines.', path));
    return out;
  }
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    const line = pair.key && isScalar(pair.key) && pair.key.range ? lc.linePos(pair.key.range[0]).line : undefined;
    const where = line === undefined ? path : `${path}:${line}`;
    if (key === undefined || !NAME.test(key)) {
      problem('secret/file-invalid', t('{0}: a secret name is upper-case letters, digits and _ (such as GLANCE_PASS).', where));
      continue;
    }
    const v = pair.value;
    if (!isScalar(v) || !(typeof v.value === 'string' || typeof v.value === 'number') || v.value === '') {
      problem('secret/file-invalid', t('{0}: `{1}` needs a text value.', where, key));
      continue;
    }
    // A number is the text as written (`007` stays 007, not 7).
    const text = typeof v.value === 'number' && v.source !== undefined ? v.source : String(v.value);
    out.values.set(key, text);
    if (line !== undefined) out.lines.set(key, line);
  }
  return out;
}

/**
 * The text of the secrets file with `add` appended (existing lines and comments kept as they are). Each
 * value is single-quoted (YAML then reads it back exactly: generated values have no quote in them).
 */
export function appendSecrets(text: string | undefined, add: [string, string][], header: string): string {
  const base = text === undefined || text.trim() === '' ? `# ${header}\n` : text.endsWith('\n') ? text : text + '\n';
  return base + add.map(([k, v]) => `${k}: '${v.replace(/'/g, "''")}'\n`).join('');
}

/** What `ostopo secrets generate` does, decided before anything is written. */
export interface Generation {
  /** The secrets file, as the topology names it (or will). */
  file: string;
  /** Secrets that get a new value, in the guide's order. */
  generated: string[];
  /** Needed secrets the topology takes from an environment variable that is not set: not generated. */
  envUnset: { name: string; env: string }[];
  /** The new text of the secrets file (undefined: nothing to write). */
  text?: string;
  /** The topology with `secretsFile:` added, when it did not name the file yet. */
  topology?: string;
}

export class GenerationError extends Error {}

/**
 * Fills every secret the placed services need and that has no value anywhere (the topology's `secrets`,
 * the secrets file) with a strong random value, in the secrets file: like `kolla-genpwd`, a value that
 * exists is never replaced. `defaultFile` is the file to name when the topology names none.
 */
export function planGeneration(
  topologyText: string,
  a: Pick<Analysis, 'cloud' | 'doc' | 'findings' | 'secretsFile'>,
  defaultFile: string,
  generate: (name: string) => string,
  header: string,
): Generation {
  if (a.findings.some((f) => f.code === 'yaml/syntax' || f.code === 'yaml/encoding')) throw new GenerationError(t('the topology is not valid YAML: fix it first (ostopo validate).'));
  const sf = a.secretsFile;
  // A file that is there but unreadable or invalid is never overwritten (one that is not there is created).
  if (sf?.exists && (sf.text === undefined || sf.problems.some((p) => p.code !== 'secret/file-permissions'))) {
    throw new GenerationError(t('the secrets file `{0}` has problems: fix them first (ostopo validate); nothing was written.', sf.path));
  }
  const file = a.cloud.secretsFile ?? defaultFile;
  const generated: string[] = [];
  const envUnset: { name: string; env: string }[] = [];
  for (const name of neededSecrets(a.cloud).keys()) {
    const s = a.cloud.secrets.get(name);
    if (!s) generated.push(name);
    else if (s.env && s.value === undefined) envUnset.push({ name, env: s.env });
  }
  const out: Generation = { file, generated, envUnset };
  if (generated.length)
    out.text = appendSecrets(
      sf?.text,
      generated.map((n) => [n, generate(n)]),
      header,
    );
  if (a.cloud.secretsFile === undefined && generated.length) out.topology = withSecretsFile(topologyText, a, file);
  return out;
}

/** The topology text with a top-level `secretsFile: FILE` line, before `secrets:` or at the end; checked by reading it back. */
function withSecretsFile(text: string, a: Pick<Analysis, 'doc'>, file: string): string {
  const value = /^[A-Za-z0-9_./-]+$/.test(file) && !/^[-.]/.test(file) ? file : JSON.stringify(file);
  const line = `secretsFile: ${value}`;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const at = a.doc.get(['secrets']) === undefined ? -1 : a.doc.locate(['secrets']).start.line;
  let next: string;
  if (at >= 0 && /^secrets\s*:/.test(lines[at] ?? '')) {
    lines.splice(at, 0, line);
    next = lines.join(eol);
  } else {
    next = (text === '' || text.endsWith('\n') ? text : text + eol) + line + eol;
  }
  const back = parseDocument(next, { uniqueKeys: true });
  const root = back.toJS() as Record<string, unknown> | null;
  if (back.errors.length || !root || typeof root !== 'object' || root.secretsFile !== file) {
    throw new GenerationError(t('cannot add `secretsFile: {0}` to this topology by itself (is its top level a block map?): add the line by hand, then run this again.', file));
  }
  return next;
}
