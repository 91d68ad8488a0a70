import { t } from './l10n';

/**
 * Text that is not text. A topology is UTF-8 text; a key or value that holds a control character or
 * half of a UTF-16 surrogate pair (YAML escapes such as "\0", "\e" or "\ud800" write them) cannot be
 * written to a config file or a command as it stands, and a NUL could forge the renderer's own markers.
 */

/** Control characters but tab and line breaks (line breaks have their own rule), DEL, C1 controls, surrogate halves. */
const SUSPECT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff]/;

const hex = (c: number) => 'U+' + c.toString(16).toUpperCase().padStart(4, '0');

const NAMES: Record<number, string> = { 0x00: 'NUL', 0x07: 'bell', 0x08: 'backspace', 0x0b: 'vertical tab', 0x0c: 'form feed', 0x1b: 'escape', 0x7f: 'delete' };

/** What is wrong with `s`, in words (`a NUL character (U+0000)`), or undefined when it is plain text. */
export function invalidCharacter(s: string): string | undefined {
  const m = SUSPECT.exec(s);
  if (!m) return undefined;
  for (let i = m.index; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) return t('half of a UTF-16 surrogate pair ({0}) without its other half, which is not a character', hex(c));
    if (c === 0) return t('a NUL character (U+0000)');
    if (c <= 0x08 || c === 0x0b || c === 0x0c || (c >= 0x0e && c <= 0x1f) || (c >= 0x7f && c <= 0x9f)) return t('the control character {0}', `${hex(c)}${NAMES[c] ? ` (${NAMES[c]})` : ''}`);
  }
  return undefined;
}

/**
 * Where text decoded from a file holds U+FFFD, the replacement character: a decoder puts one for each
 * sequence of bytes that is not UTF-8 (the CLI and VS Code both read files that way), so the first one
 * stands exactly where the first bad bytes were. Returns its offset and how many there are.
 */
export function replacementCharacters(text: string): { first: number; count: number } | undefined {
  const first = text.indexOf('\ufffd');
  if (first < 0) return undefined;
  let count = 0;
  for (let i = first; i >= 0; i = text.indexOf('\ufffd', i + 1)) count++;
  return { first, count };
}
