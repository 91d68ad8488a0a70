import { YamlPath } from '../parse';
import { t } from '../l10n';
import { IniError, Layer, LineOrigin, Origin } from './ini';

/** A value a Django settings file takes from the topology: YAML scalars, lists and mappings. */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** A Django setting's name: what `local_settings` assigns (upper case), never code. */
export const PY_SETTING_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * A Django settings file (horizon's `local_settings`) built in order, remembering who set each setting.
 * It holds only assignments of literals, `NAME = <literal>`: strings, numbers, booleans, None, lists and
 * dicts, written so that Python reads back exactly the topology's value (ast.literal_eval of every right
 * side gives it; a test checks). Nothing from the topology becomes code: a name must be a setting name,
 * a value a literal. A dict setting the topology overrides is merged key by key (deeply) over what ostopo
 * sets, so `OPENSTACK_NEUTRON_NETWORK: {enable_quotas: false}` keeps the other keys; a list replaces.
 */
export class PySettingsDoc {
  private readonly entries = new Map<string, { value: PyValue; origin: Origin }>();

  set(name: string, value: PyValue, origin: Origin): this {
    const problem = pySettingProblem(name, value);
    if (problem) throw new IniError(`${name}: ${problem}`);
    this.entries.set(name, { value, origin });
    return this;
  }

  get(name: string): PyValue | undefined {
    return this.entries.get(name)?.value;
  }

  applyOverrides(overrides: Record<string, unknown> | null | undefined, layer: Layer, basePath: YamlPath): void {
    if (!overrides || typeof overrides !== 'object') return;
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) continue;
      // `null` drops a setting ostopo would write (horizon's own default applies).
      if (value === null) {
        this.entries.delete(name);
        continue;
      }
      const mine = this.entries.get(name)?.value;
      this.set(name, isDict(mine) && isDict(value) ? merge(mine, value as Record<string, PyValue>) : (value as PyValue), { layer, path: [...basePath, name] });
    }
  }

  get size(): number {
    return this.entries.size;
  }

  render(header: string[]): { text: string; lines: LineOrigin[] } {
    const out: string[] = header.map((h) => (h ? `# ${asciiOnly(h.replaceAll('\u2014', '-'))}` : '#'));
    const lines: LineOrigin[] = [];
    if (this.entries.size) out.push('');
    for (const [name, e] of this.entries) {
      lines.push({ line: out.length, section: '', key: name, origin: e.origin });
      out.push(...`${name} = ${pyLiteral(e.value, 0)}`.split('\n'));
    }
    return { text: out.join('\n') + '\n', lines };
  }
}

/**
 * `s` with every character beyond ASCII written as Python's \\uXXXX or \\UXXXXXXXX escape. Horizon reads a
 * settings snippet with the locale's encoding, which is ASCII where Apache runs with LANG=C (Debian 12):
 * one other byte and horizon drops the whole snippet, logging only "Can not exec settings snippet".
 */
export function asciiOnly(s: string): string {
  return s.replace(/[^\x00-\x7f]/gu, (c) => {
    const cp = c.codePointAt(0)!;
    return cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

/** Why a setting cannot be written to a Django settings file, or undefined. */
export function pySettingProblem(name: string, value: unknown): string | undefined {
  if (!PY_SETTING_NAME.test(name)) return t('a Django setting name is upper case letters, digits and _, starting with a letter');
  return pyValueProblem(value);
}

/** Why a value is not one a settings file can hold as a literal, or undefined. */
export function pyValueProblem(value: unknown, depth = 0): string | undefined {
  if (depth > 32) return t('the value is nested too deeply');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : t('{0} is not a number Python can read', String(value));
  if (Array.isArray(value)) {
    for (const v of value) {
      const p = pyValueProblem(v, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (isDict(value)) {
    for (const v of Object.values(value)) {
      const p = pyValueProblem(v, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  return t('a value here is a string, number, boolean, null, list or mapping');
}

/**
 * A Python literal that evaluates to the value. A string is written as JSON writes it: its escapes
 * (\" \\ \n \r \t \b \f \uXXXX) are Python's too, so no character of the value can end the literal;
 * the literal is always on one line.
 */
export function pyLiteral(value: PyValue, indent: number): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : JSON.stringify(value);
  if (typeof value === 'string') return asciiOnly(JSON.stringify(value));
  const pad = '    '.repeat(indent + 1);
  const end = '    '.repeat(indent);
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    const flat = value.every((v) => v === null || typeof v !== 'object');
    if (flat) return `[${value.map((v) => pyLiteral(v, indent)).join(', ')}]`;
    return `[\n${value.map((v) => `${pad}${pyLiteral(v, indent + 1)},`).join('\n')}\n${end}]`;
  }
  const keys = Object.keys(value);
  if (!keys.length) return '{}';
  return `{\n${keys.map((k) => `${pad}${pyLiteral(k, indent)}: ${pyLiteral(value[k]!, indent + 1)},`).join('\n')}\n${end}}`;
}

function isDict(v: unknown): v is Record<string, PyValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Record<string, PyValue>, over: Record<string, PyValue>): Record<string, PyValue> {
  const out: Record<string, PyValue> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = isDict(out[k]) && isDict(v) ? merge(out[k], v) : v;
  }
  return out;
}
