import { Position, Range } from '../findings';
import { YamlPath } from '../parse';

/**
 * Where the cursor is in a topology being typed, which is often not valid YAML yet: the path of the
 * mapping it is in, and whether it types a key, a value, or an item of a list. Worked out from
 * indentation and the current line only, so it is cheap and tolerant of half-written text.
 */
export interface CursorContext {
  /** Path of the mapping (or list) the cursor is in. */
  parent: YamlPath;
  kind: 'key' | 'value' | 'item';
  /** For `value`: the key whose value is typed. */
  key?: string;
  /** The word being typed and its range (replaced by a completion). */
  prefix: string;
  range: Range;
  /** Keys already present in the parent mapping (not proposed again). */
  siblings: string[];
  /** Indentation (columns) of the keys of the parent mapping. */
  indent: number;
}

const KEY_LINE = /^(\s*)(?:-\s+)?(["']?)([^\s:#"'][^:#]*?)\2\s*:(?:\s|$)/;

interface LineInfo {
  indent: number;
  key?: string;
  dash: boolean;
  blank: boolean;
}

function info(line: string): LineInfo {
  const t = line.replace(/\s+#.*$/, '');
  if (!t.trim() || t.trim().startsWith('#')) return { indent: 0, blank: true, dash: false };
  const indent = t.length - t.trimStart().length;
  const dash = /^\s*-(\s|$)/.test(t);
  const m = KEY_LINE.exec(t);
  return { indent, key: m?.[3]?.trim(), dash, blank: false };
}

/**
 * The path of mappings that contain a line, from the lines above it with smaller indentation. `ownDash`:
 * the line is itself a list item at that column, so a key at the same column owns the list
 * (`roles:` followed by `- controller` without extra indentation).
 */
function parentPath(lines: string[], lineNo: number, indent: number, ownDash = false): YamlPath {
  const path: YamlPath = [];
  let limit = indent;
  let listOwnerAt = ownDash ? indent : -1;
  for (let i = lineNo - 1; i >= 0 && limit > 0; i--) {
    const l = info(lines[i] ?? '');
    if (l.blank) continue;
    if (l.dash && l.indent < limit) {
      path.unshift(0);
      limit = l.indent;
      listOwnerAt = l.indent;
      continue;
    }
    if (!l.dash && l.key !== undefined && (l.indent < limit || l.indent === listOwnerAt)) {
      path.unshift(l.key);
      limit = l.indent;
      listOwnerAt = -1;
    }
  }
  return path;
}

/** Keys of the mapping at `indent` that the line at `lineNo` belongs to (lines above and below). */
function siblingKeys(lines: string[], lineNo: number, indent: number): string[] {
  const keys: string[] = [];
  for (const dir of [-1, 1]) {
    for (let i = lineNo + dir; i >= 0 && i < lines.length; i += dir) {
      const l = info(lines[i] ?? '');
      if (l.blank) continue;
      if (l.indent < indent) break;
      if (l.indent === indent && l.key !== undefined && !l.dash) keys.push(l.key);
    }
  }
  return keys;
}

export function cursorContext(text: string, pos: Position): CursorContext {
  const lines = text.split(/\r?\n/);
  const line = lines[pos.line] ?? '';
  const before = line.slice(0, pos.character);
  const word = (s: string) => {
    const m = /[A-Za-z0-9_.-]*$/.exec(s)!;
    return m[0];
  };

  // `key: [a, b, c|` or `key: c|` — a value (or a flow list item) of `key`.
  const kv = /^(\s*)(?:-\s+)?(["']?)([^\s:#"'][^:#]*?)\2\s*:\s+(.*)$/.exec(before);
  if (kv) {
    // The key's column (after a list dash, if the line has one).
    const indent = /^\s*(?:-\s+)?/.exec(before)![0].length;
    const path = parentPath(lines, pos.line, indent);
    const rest = kv[4] ?? '';
    const key = (kv[3] ?? '').trim();
    const inFlow = rest.startsWith('[');
    const prefix = word(rest);
    const start = { line: pos.line, character: pos.character - prefix.length };
    return {
      parent: inFlow ? [...path, key] : path,
      kind: inFlow ? 'item' : 'value',
      key,
      prefix,
      range: { start, end: { line: pos.line, character: pos.character + (/^[A-Za-z0-9_.-]*/.exec(line.slice(pos.character))?.[0].length ?? 0) } },
      siblings: [],
      indent,
    };
  }

  // `  - item|` — an item of the list of the key above.
  const item = /^(\s*)-\s+([^:]*)$/.exec(before);
  if (item) {
    const indent = (item[1] ?? '').length;
    const path = parentPath(lines, pos.line, indent, true);
    const prefix = word(item[2] ?? '');
    return {
      parent: path,
      kind: 'item',
      prefix,
      range: { start: { line: pos.line, character: pos.character - prefix.length }, end: { line: pos.line, character: pos.character } },
      siblings: [],
      indent,
    };
  }

  // A key being typed (or an empty line): the mapping is the one whose keys sit at this indentation.
  const indent = before.length - before.trimStart().length;
  const path = parentPath(lines, pos.line, indent);
  const prefix = before.trim() === '' ? '' : word(before);
  const end = pos.character + (/^[A-Za-z0-9_.-]*:?/.exec(line.slice(pos.character))?.[0].length ?? 0);
  return {
    parent: path,
    kind: 'key',
    prefix,
    range: { start: { line: pos.line, character: pos.character - prefix.length }, end: { line: pos.line, character: end } },
    siblings: siblingKeys(lines, pos.line, indent).filter((k) => k !== prefix),
    indent,
  };
}
