import { OptionValue } from '../model';
import { YamlPath } from '../parse';
import { osloValueRefs } from './template';
import { t } from '../l10n';

/** Which layer set a rendered value: the preview shows it and jumps to `path` in the topology. */
export type Layer = 'profile' | 'topology' | 'global' | 'node';
export interface Origin {
  layer: Layer;
  /** Topology path that set or derived the value (absent for pure profile defaults). */
  path?: YamlPath;
}

/** Who set a value, as a sentence says it: "set by the profile's default". */
export const LAYER_NAMES: Record<Layer, string> = {
  profile: "the profile's default",
  topology: 'the topology (a value ostopo derives from it)',
  global: 'a global override (`config`)',
  node: 'a node override (`nodes.<name>.config`)',
};

/** One rendered line's provenance (zero-based line in the file's text). */
export interface LineOrigin {
  line: number;
  section: string;
  key: string;
  origin: Origin;
}

interface Entry {
  values: string[];
  origin: Origin;
}

export class IniError extends Error {}

/**
 * An INI file built in order, remembering who set each value. `oslo` files get oslo.config's rules:
 * multi-valued options are the key repeated (never `key[]=`), and secrets are encoded so that
 * oslo.config reads them back unchanged (`$` escaped, quoted when their edges would be stripped).
 */
export class IniDoc {
  private readonly sections = new Map<string, Map<string, Entry>>();

  constructor(
    private readonly oslo: boolean,
    private readonly isMulti: (section: string, key: string) => boolean = () => false,
  ) {}

  set(section: string, key: string, value: string | number | boolean | (string | number | boolean)[], origin: Origin): this {
    const values = Array.isArray(value) ? (this.isMulti(section, key) ? value.map(String) : [value.map(String).join(',')]) : [String(value)];
    for (const v of values) {
      if (/[\r\n]/.test(v)) throw new IniError(`[${section}] ${key}: a value cannot contain a line break`);
    }
    let sec = this.sections.get(section);
    if (!sec) {
      sec = new Map();
      this.sections.set(section, sec);
    }
    sec.set(key, { values, origin });
    return this;
  }

  /** Every key of a section at once, in order. */
  setAll(section: string, entries: [string, string | number | boolean][], origin: Origin): this {
    for (const [k, v] of entries) this.set(section, k, v, origin);
    return this;
  }

  section(section: string): this {
    if (!this.sections.has(section)) this.sections.set(section, new Map());
    return this;
  }

  get(section: string, key: string): string[] | undefined {
    return this.sections.get(section)?.get(key)?.values;
  }

  originOf(section: string, key: string): Origin | undefined {
    return this.sections.get(section)?.get(key)?.origin;
  }

  remove(section: string, key?: string): void {
    if (key === undefined) this.sections.delete(section);
    else this.sections.get(section)?.delete(key);
  }

  /** Merges `config.<project>.<file>` (or the node's) over the rendered values. */
  applyOverrides(overrides: Record<string, Record<string, OptionValue> | null> | null | undefined, layer: Layer, basePath: YamlPath): void {
    if (!overrides || typeof overrides !== 'object') return;
    for (const [section, opts] of Object.entries(overrides)) {
      if (opts === null) {
        this.remove(section);
        continue;
      }
      if (typeof opts !== 'object') continue;
      this.section(section);
      for (const [key, value] of Object.entries(opts)) {
        if (value === null) this.remove(section, key);
        else if (value !== undefined && typeof value !== 'object') this.set(section, key, value, { layer, path: [...basePath, section, key] });
        else if (Array.isArray(value)) this.set(section, key, value, { layer, path: [...basePath, section, key] });
      }
    }
  }

  /** The file's text and the provenance of each value line. Sections in insertion order, DEFAULT first. */
  render(header: string[]): { text: string; lines: LineOrigin[] } {
    const out: string[] = header.map((h) => (h ? `# ${h}` : '#'));
    const lines: LineOrigin[] = [];
    const names = [...this.sections.keys()];
    names.sort((a, b) => (a === 'DEFAULT' ? -1 : b === 'DEFAULT' ? 1 : 0));
    for (const name of names) {
      const sec = this.sections.get(name)!;
      if (out.length) out.push('');
      out.push(`[${name}]`);
      for (const [key, e] of sec) {
        for (const v of e.values) {
          lines.push({ line: out.length, section: name, key, origin: e.origin });
          out.push(`${key} = ${this.oslo ? osloValueRefs(v) : v}`);
        }
      }
    }
    return { text: out.join('\n') + '\n', lines };
  }
}

/**
 * A `key = value` file without sections (libvirt's qemu.conf), built in order, remembering who set each
 * value. Values are written as libvirt's config parser reads them: strings in double quotes, numbers
 * bare, booleans as 1 or 0, lists as `[ "a", "b" ]`. A string with `"`, `\` or a line break cannot be
 * written (validation says so first: value/unrenderable).
 */
export class KeyValueDoc {
  private readonly entries = new Map<string, { value: string; origin: Origin }>();

  set(key: string, value: OptionValue, origin: Origin): this {
    if (value === null) {
      this.entries.delete(key);
      return this;
    }
    this.entries.set(key, { value: keyValueText(key, value), origin });
    return this;
  }

  applyOverrides(overrides: Record<string, unknown> | null | undefined, layer: Layer, basePath: YamlPath): void {
    if (!overrides || typeof overrides !== 'object') return;
    for (const [key, value] of Object.entries(overrides)) {
      if (value === null) this.entries.delete(key);
      else if (value !== undefined && (typeof value !== 'object' || Array.isArray(value))) this.set(key, value as OptionValue, { layer, path: [...basePath, key] });
    }
  }

  get size(): number {
    return this.entries.size;
  }

  render(header: string[]): { text: string; lines: LineOrigin[] } {
    const out: string[] = header.map((h) => (h ? `# ${h}` : '#'));
    const lines: LineOrigin[] = [];
    if (this.entries.size) out.push('');
    for (const [key, e] of this.entries) {
      lines.push({ line: out.length, section: '', key, origin: e.origin });
      out.push(`${key} = ${e.value}`);
    }
    return { text: out.join('\n') + '\n', lines };
  }
}

/** Why a value cannot be written to a `key = value` file, or undefined. */
export function keyValueProblem(value: unknown): string | undefined {
  const items = Array.isArray(value) ? value : [value];
  for (const v of items) if (typeof v === 'string' && /["\\\r\n\0]/.test(v)) return t('a string with a double quote, a backslash or a line break cannot be written to this file');
  return undefined;
}

function keyValueText(key: string, value: Exclude<OptionValue, null>): string {
  const problem = keyValueProblem(value);
  if (problem) throw new IniError(`${key}: ${problem}`);
  const one = (v: string | number | boolean) => (typeof v === 'boolean' ? (v ? '1' : '0') : typeof v === 'number' ? String(v) : `"${v}"`);
  if (Array.isArray(value)) return value.length ? `[ ${value.map((v) => (typeof v === 'string' ? `"${v}"` : one(v))).join(', ')} ]` : '[ ]';
  return one(value);
}
