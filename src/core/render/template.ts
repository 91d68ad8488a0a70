/**
 * Rendered text never holds a secret value: it holds placeholders, resolved only when someone asks for
 * the real text (deploy, or `--reveal-secrets`). Each placeholder records how the value must be encoded
 * where it stands, so a password with `@`, `$`, `'` or a space is still right in a URL, an oslo.config
 * value, SQL or a shell word.
 *
 * What each encoding is for, and the consumer rules it follows (test/unit/encoding.test.ts proves each
 * one with the consumer itself: oslo.config, SQLAlchemy, MariaDB's option-file reader, bash):
 * - `url`: a part of a URL (user or password of `transport_url`, `connection`): percent-encoding.
 * - `oslo`: inside an oslo.config value. oslo.config substitutes `$name`/`${name}` and, before that,
 *   reads `\$` as `$$`; so `$` is written `\$`, which stays right after any backslash of the value
 *   (`$$` would not: `a\$b` would become `a\$$b`, read as `a` + `$$` + `$b`).
 * - `osloval`: a whole oslo.config value: `oslo`, then in double quotes when oslo.config's INI parser
 *   would otherwise change it (it strips surrounding white space and one pair of matching quotes).
 * - `sql`: inside a single-quoted MariaDB string (NO_BACKSLASH_ESCAPES off, the default).
 * - `sh`: a whole POSIX shell word (single-quoted when needed).
 * - `dq`: inside a double-quoted POSIX shell string.
 * - `mycnf`: inside a double-quoted value of a MariaDB/MySQL option file (`password = "..."`).
 */
export type Encoding = 'url' | 'oslo' | 'osloval' | 'sql' | 'sh' | 'dq' | 'mycnf' | 'yaml';

/**
 * A placeholder is `NUL <nonce> { NAME |enc... } NUL`. The nonce is random for each process, so no text
 * written in a topology can spell one, whatever path it takes into a file (validation also refuses NUL
 * in topology strings): a topology reaches a secret only through the secret mechanism. Placeholders
 * never leave the process: everything that is stored or printed is materialized first (masked or real).
 */
const NONCE = randomNonce();
const OPEN = `\u0000${NONCE}{`;
const CLOSE = '}\u0000';
const PLACEHOLDER = new RegExp(`\u0000${NONCE}\\{([A-Z][A-Z0-9_]*)((?:\\|[a-z]+)*)\\}\u0000`, 'g');

function randomNonce(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  return randomBytes(12).toString('hex');
}

export function secretRef(name: string, ...enc: Encoding[]): string {
  return OPEN + name + enc.map((e) => '|' + e).join('') + CLOSE;
}

/** Adds an encoding to every placeholder in `text` (used when text is embedded in another syntax). */
export function encodeRefs(text: string, enc: Encoding): string {
  return text.replace(PLACEHOLDER, (_m, name: string, encs: string) => OPEN + name + encs + '|' + enc + CLOSE);
}

export function secretsIn(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) out.add(m[1]!);
  return [...out];
}

export function hasSecret(text: string): boolean {
  return text.includes(OPEN);
}

/** How a masked secret reads in previews, runbooks and logs. */
export function maskToken(name: string): string {
  return `<secret:${name}>`;
}

export function encode(value: string, enc: Encoding): string {
  switch (enc) {
    case 'url':
      return encodeURIComponent(value);
    case 'oslo':
      return value.replace(/\$/g, '\\$');
    case 'osloval':
      return osloQuoted(encode(value, 'oslo'));
    case 'sql':
      return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    case 'sh':
      return shq(value);
    case 'dq':
      return value.replace(/[\\"$`]/g, (c) => '\\' + c);
    case 'yaml':
      // A JSON string is a YAML double-quoted scalar (YAML 1.2 reads JSON's escapes, \uXXXX included).
      return JSON.stringify(value);
    case 'mycnf':
      // MariaDB's option-file reader (mysys/my_default.c) strips one pair of surrounding quotes and then
      // reads \\ \" \' \n \t \r \b \s as escapes, keeping any other backslash as it is (so `\$` would
      // stay `\$`): inside "...", only the backslash and the double quote need one. `#` is a comment only
      // outside quotes.
      return value.replace(/[\\"]/g, (c) => '\\' + c);
  }
}

/**
 * An oslo.config value as its INI parser reads it back: the parser strips the white space around a value
 * (Python's `str.strip`, which also takes control and separator characters) and then one pair of
 * matching quotes, and nothing else. A value whose first or last character would be taken that way is
 * put in double quotes: exactly that pair is stripped, the rest stays as it is.
 */
function osloQuoted(s: string): string {
  const edge = /[\s\p{C}\p{Z}'"]/u;
  const chars = Array.from(s);
  return s === '' || edge.test(chars[0] ?? '') || edge.test(chars[chars.length - 1] ?? '') ? `"${s}"` : s;
}

/**
 * The text of an oslo.config value that holds placeholders: a value that is exactly one placeholder gets
 * `osloval` (quoted when its secret needs it); any other gets `oslo` for each placeholder, and the whole
 * value in double quotes when a placeholder stands at its start or end (its secret's edge could be
 * stripped).
 */
export function osloValueRefs(text: string): string {
  if (!hasSecret(text)) return text;
  const whole = new RegExp(`^(?:${PLACEHOLDER.source})$`);
  if (whole.test(text)) return encodeRefs(text, 'osloval');
  const atEdge = new RegExp(`^(?:${PLACEHOLDER.source})|(?:${PLACEHOLDER.source})$`);
  const out = encodeRefs(text, 'oslo');
  return atEdge.test(text) ? `"${out}"` : out;
}

export type SecretLookup = (name: string) => string | undefined;

export class MissingSecretError extends Error {
  constructor(readonly names: string[]) {
    super(`Secret${names.length > 1 ? 's' : ''} without a value: ${names.join(', ')}`);
  }
}

/**
 * Text with placeholders replaced: by the encoded value when `lookup` is given (reveal), else by the
 * mask token. A placeholder whose secret has no value throws MissingSecretError naming all of them.
 */
export function materialize(text: string, lookup?: SecretLookup): string {
  if (!hasSecret(text)) return text;
  const missing: string[] = [];
  const out = text.replace(PLACEHOLDER, (_m, name: string, encs: string) => {
    if (!lookup) return maskToken(name);
    const v = lookup(name);
    if (v === undefined) {
      missing.push(name);
      return '';
    }
    return encs
      .split('|')
      .filter(Boolean)
      .reduce((acc, e) => encode(acc, e as Encoding), v);
  });
  if (missing.length) throw new MissingSecretError([...new Set(missing)]);
  return out;
}

/**
 * A file read from a node, with the secrets masked where the rendered file has them, whatever value they
 * hold on the node (an old password is still a secret). Each line of the template that holds a secret
 * becomes a pattern (its text around the placeholders must match); a node's line that matches shows
 * `<secret:NAME>` where the value is the current one (encoded as the renderer writes it) and
 * `<secret:NAME, another value>` where it is not. A line with the same key (`connection =`) or start
 * that no longer fits shows that and `<secret:NAME?, the rest of the line hidden>`. Other lines stay.
 * The caller masks the current values everywhere else too (Masker).
 */
export function maskByTemplate(template: string, live: string, lookup?: SecretLookup): string {
  // The INI section a line is in (`[neutron]`), to tell apart the same key in several sections
  // (nova.conf has `password = ` in [keystone_authtoken], [neutron] and [placement]).
  const SECTION = /^\s*\[([^\]]+)\]\s*$/;
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const patterns: { re: RegExp; refs: string[]; head?: RegExp; section: string }[] = [];
  let section = '';
  for (const line of template.split('\n')) {
    section = SECTION.exec(line)?.[1] ?? section;
    if (!hasSecret(line)) continue;
    const refs = [...line.matchAll(PLACEHOLDER)].map((m) => m[0]);
    const pieces = line.split(PLACEHOLDER).filter((_p, i) => i % 3 === 0);
    const re = new RegExp('^' + pieces.map(esc).join('(.*?)') + '$', 'd');
    // A line that no longer fits is recognized by its key (`connection =`, also commented out), else by its start.
    const start = pieces[0] ?? '';
    const eq = start.indexOf('=');
    const head = eq > 0 && start.slice(0, eq).trim() ? new RegExp(`^\\s*(?:[#;]\\s*)?${esc(start.slice(0, eq).trim())}\\s*=\\s*`) : start.trim() ? new RegExp(`^${esc(start)}`) : undefined;
    patterns.push({ re, refs, head, section });
  }
  if (!patterns.length) return live;
  const current = (ref: string) => {
    try {
      return lookup ? materialize(ref, lookup) : undefined;
    } catch {
      return undefined;
    }
  };
  const nameOf = (ref: string) => ref.replace(PLACEHOLDER, '$1');
  /** The line with each secret's place masked by `p` (whose pattern matched as `m`), and whether every value is the current one. */
  const masked = (line: string, p: (typeof patterns)[number], m: RegExpExecArray) => {
    let out = '';
    let at = 0;
    let allCurrent = true;
    p.refs.forEach((ref, k) => {
      const [start, end] = m.indices?.[k + 1] ?? [at, at];
      const same = line.slice(start, end) === current(ref);
      allCurrent &&= same;
      out += line.slice(at, start) + (same ? maskToken(nameOf(ref)) : `<secret:${nameOf(ref)}, another value>`);
      at = end;
    });
    return { text: out + line.slice(at), current: allCurrent };
  };
  let liveSection = '';
  return live
    .split('\n')
    .map((line) => {
      liveSection = SECTION.exec(line)?.[1] ?? liveSection;
      // The pattern of this line's own section first, and among several, one whose values are current.
      const hits = patterns
        .flatMap((p) => {
          const m = p.re.exec(line);
          return m ? [{ p, r: masked(line, p, m) }] : [];
        })
        .sort((x, y) => Number(y.p.section === liveSection) - Number(x.p.section === liveSection));
      const best = hits.find((h) => h.p.section === (hits[0]?.p.section ?? '') && h.r.current) ?? hits[0];
      if (best) return best.r.text;
      const heads = patterns.flatMap((p) => {
        const h = p.head?.exec(line);
        return h ? [{ p, h }] : [];
      });
      const byHead = heads.find((x) => x.p.section === liveSection) ?? heads[0];
      return byHead ? `${byHead.h[0]}<secret:${nameOf(byHead.p.refs[0] ?? '')}?, the rest of the line hidden>` : line;
    })
    .join('\n');
}

/** A word for a POSIX shell: left bare when it is plainly safe, else single-quoted. */
export function shq(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

/** A shell command line from words (each quoted as needed). */
export function sh(...words: string[]): string {
  return words.map(shq).join(' ');
}

/**
 * Shell that prints `OSTOPO_SKIP <unit>: <condition> was not met` and exits 0 when one of the units
 * ("$@") was skipped by systemd for an unmet condition, so a check that needs it does not apply on this
 * node. The reason comes from `systemctl status` (lost after a daemon-reload; systemd 257 no longer
 * names the condition there) or else the journal.
 */
export const UNIT_SKIP_SCRIPT = [
  'for u in "$@"; do',
  '  [ "$(systemctl show -p ConditionResult --value "$u" 2>/dev/null)" = no ] && ! systemctl is-active --quiet "$u" || continue',
  '  why=$(LC_ALL=C SYSTEMD_COLORS=0 systemctl status "$u" --no-pager -n0 2>/dev/null | sed -n \'s/^.*[[:space:]]\\(\\(Condition\\|Assert\\)[A-Za-z]*=.* was not met\\)$/\\1/p\' | head -n 1)',
  // systemd 252 (Debian 12) logs "... unmet condition check (ConditionX=Y).", 257 (Debian 13) "... unmet condition check ConditionX=Y".
  '  [ -n "$why" ] || why=$(journalctl -b -u "$u" -o cat 2>/dev/null | sed -n -e \'s/.*unmet condition check (\\(.*\\))\\.$/\\1 was not met/p\' -e \'s/.*unmet condition check \\([A-Za-z]*=[^ ]*\\)$/\\1 was not met/p\' | tail -n 1)',
  '  echo "OSTOPO_SKIP $u: ${why:-a start condition of the unit was not met}"',
  '  exit 0',
  'done',
  'exit 1',
].join('\n');

/** The mark UNIT_SKIP_SCRIPT prints; what follows it on the line is the reason. */
export const SKIP_MARK = 'OSTOPO_SKIP ';

/**
 * A check's script that first says SKIP when a unit it needs was skipped by systemd (UNIT_SKIP_SCRIPT).
 * `skipper` is the command that runs UNIT_SKIP_SCRIPT (VERIFY.sh defines it once as a function).
 */
export function withUnitSkip(run: string, units: string[] | undefined, skipper = sh('bash', '-c', UNIT_SKIP_SCRIPT, 'ostopo-skip')): string {
  if (!units?.length) return run;
  return `if ostopo_skip=$(${skipper} ${units.map(shq).join(' ')}); then echo "$ostopo_skip"; exit 0; fi\n${run}`;
}

/** A small test image in "$img" and its format in "$fmt": qcow2 with qemu-img, else raw zeros. */
export const TEST_IMAGE = ['if command -v qemu-img >/dev/null; then qemu-img create -q -f qcow2 "$img" 64M; fmt=qcow2; else head -c 1048576 /dev/zero > "$img"; fmt=raw; fi'];
