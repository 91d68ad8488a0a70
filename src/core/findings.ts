import type { SecretName, ServiceId } from './services/registry';

/** Positions are zero-based (like the LSP and VS Code); the CLI prints them one-based. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

/** A text edit that fixes a finding, in the coordinates of the topology text. */
export interface FixEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: FixEdit[];
}

/** Every finding code: stable, each documented in the README's codes table (a test compares both ways). */
export const FINDING_CODES = [
  'yaml/alias',
  'yaml/complex-key',
  'yaml/duplicate-key',
  'yaml/encoding',
  'yaml/syntax',
  'yaml/warning',
  'schema/const',
  'schema/duplicate-item',
  'schema/empty',
  'schema/enum',
  'schema/key-pattern',
  'schema/length',
  'schema/min-items',
  'schema/pattern',
  'schema/range',
  'schema/required',
  'schema/type',
  'schema/unknown-key',
  'ref/unknown-node',
  'ref/unknown-role',
  'ref/unknown-service',
  'node/address-outside-cidr',
  'node/duplicate-address',
  'node/duplicate-hostname',
  'node/no-services',
  'node/lvm-devices-unused',
  'node/no-ceph-osds',
  'node/ceph-osds-unused',
  'node/reserved-address',
  'storage/images-without-ceph',
  'network/allocation-pool',
  'network/mechanism-unavailable',
  'network/no-agents',
  'network/no-instance-networks',
  'network/compute-without-agent',
  'network/no-provider-interface',
  'network/outside-cidr',
  'network/ovs-datapath-unused',
  'network/overlapping-cidrs',
  'ntp/no-server',
  'ntp/server-without-chrony',
  'service/missing-prerequisite',
  'service/multiple-instances',
  'secret/bad-reference',
  'secret/env-unset',
  'secret/file-invalid',
  'secret/file-permissions',
  'secret/file-unreadable',
  'secret/keychain-unset',
  'secret/missing',
  'secret/shadowed',
  'secret/unknown-name',
  'secret/weak',
  'value/invalid-character',
  'value/line-break',
  'value/shell-metacharacters',
  'value/unrenderable',
  'verify/image',
  'verify/image-unused',
  'config/deprecated-option',
  'config/file-not-in-profile',
  'config/not-rendered',
  'config/option-type',
  'config/shadowed-option',
  'config/unknown-option',
  'config/unknown-section',
  'profile/end-of-life-repositories',
  'profile/service-unavailable',
  'profile/unsupported',
  'repositories/insecure-key-url',
  'repositories/unused',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** What a finding is about, for quick fixes and tools (they never parse the message). */
export interface FindingData {
  /** The secret a `secret/*` finding is about. */
  secret?: SecretName;
  /** The services concerned (those needing a missing secret or prerequisite). */
  services?: ServiceId[];
  /** `service/multiple-instances`: the service, and the node it runs on first. */
  service?: ServiceId;
  host?: string;
}

/**
 * One problem found in a topology. `code` is stable (documented in README), users and tests can rely on it.
 * `path` is the YAML path of the offending key or value, when there is one.
 */
export interface Finding {
  code: FindingCode;
  /** Structured facts of the finding (see FindingData). */
  data?: FindingData;
  severity: Severity;
  message: string;
  range: Range;
  path?: (string | number)[];
  /** Replacement suggestions, best first ("did you mean"). */
  suggestions?: string[];
  fixes?: Fix[];
}

export const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function compareFindings(a: Finding, b: Finding): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code) || a.message.localeCompare(b.message);
}

/** Control characters and halves of surrogate pairs: they would move the cursor, recolour or retitle a terminal. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `s` with every unprintable character written as an escape (`\n`, `\u001b`, `\ud800`): one printable line. */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A value or name of the user's as a message quotes it: printable (see `printable`) and at most `max`
 * characters (a 1 MB value stays in the file).
 */
export function clip(text: string, max = 80): string {
  const s = printable(text);
  if (s.length <= max) return s;
  const cut = /[\ud800-\udbff]/.test(s[max - 2] ?? '') ? max - 2 : max - 1;
  return `${s.slice(0, cut)}… (${text.length.toLocaleString('en-US')} characters)`;
}

/** `file:line:col: severity code message`, one-based, as the CLI prints it. */
export function formatFinding(file: string, f: Finding): string {
  const hint = f.suggestions && f.suggestions.length > 0 ? ` (did you mean '${f.suggestions[0]}'?)` : '';
  const msg = f.message.includes('did you mean') ? f.message : f.message + hint;
  // Messages quote names and values of the file: printed as escapes, they cannot act on the terminal.
  return printable(`${file}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code} ${msg}`);
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment): `debgu` is one edit from
 * `debug`, as a typing mistake is. Capped: far apart lengths return early, and with `limit` any distance
 * above it returns as soon as it is certain (a did-you-mean over thousands of names stays cheap).
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > Math.min(4, limit)) return Math.max(m, n);
  if (rows[0].length < n + 1) rows = [new Int32Array(2 * (n + 1)), new Int32Array(2 * (n + 1)), new Int32Array(2 * (n + 1))];
  let [prev2, prev, cur] = rows;
  // Every index below is within the rows (sized n + 1 or more): the `!`s only tell the type checker.
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    let best = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < best) best = d;
    }
    // A row's smallest entry never decreases two rows later: past the limit on two rows in a row, it stays past.
    if (best > limit && i > 1 && rowMin(prev, n) > limit) return Math.max(m, n);
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[n]!;
}

/** Rows of editDistance, reused (no allocation per call). */
let rows: [Int32Array, Int32Array, Int32Array] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

function rowMin(row: Int32Array, n: number): number {
  let min = row[0]!;
  for (let j = 1; j <= n; j++) min = Math.min(min, row[j]!);
  return min;
}

/** Candidates close to `word`, best first. A candidate qualifies when its distance is at most a third of its length (min 1). */
export function didYouMean(word: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = word.toLowerCase();
  const scored: [number, string][] = [];
  for (const c of candidates) {
    const cl = c.toLowerCase();
    if (cl === lower) {
      scored.push([0, c]);
      continue;
    }
    const limit = Math.max(1, Math.floor(Math.max(c.length, word.length) / 3));
    if (lower.length >= 3 && (cl.startsWith(lower) || lower.startsWith(cl))) {
      scored.push([editDistance(lower, cl), c]);
      continue;
    }
    const d = editDistance(lower, cl, limit);
    if (d <= limit) scored.push([d, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
  // Only the close calls: a one-letter slip should not also suggest names three edits away.
  const best = scored[0]?.[0] ?? 0;
  return scored
    .filter((s) => s[0] <= best + 1)
    .slice(0, max)
    .map((s) => s[1]);
}
