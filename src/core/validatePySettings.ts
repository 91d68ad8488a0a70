import { keyOptions } from './catalog/options';
import { clip } from './findings';
import { own } from './own';
import { YamlPath } from './parse';
import { PY_SETTING_NAME, pyValueProblem } from './render/pysettings';
import { t } from './l10n';
import type { Add } from './validate';

const PY_TYPE_OF = (v: unknown): string => (typeof v === 'boolean' ? 'b' : typeof v === 'number' ? (Number.isInteger(v) ? 'i' : 'f') : typeof v === 'string' ? 's' : Array.isArray(v) ? 'l' : 'D');

/**
 * Overrides of a Django settings file (horizon's local_settings): each name a setting name (the schema
 * says so first), each value a literal Python can hold, known to the settings catalog (horizon's and
 * Django's defaults) and of the type of that setting's default.
 */
export function checkPySettingsFile(
  catalog: { service: string; file: string } | undefined,
  file: string,
  entries: Record<string, unknown>,
  fpath: YamlPath,
  add: Add,
  suggest: (word: string, candidates: () => string[]) => string[],
): void {
  const known = catalog ? keyOptions(catalog.service, catalog.file) : undefined;
  for (const [name, value] of Object.entries(entries)) {
    const kpath = [...fpath, name];
    if (!PY_SETTING_NAME.test(name)) continue; // schema: a setting name
    const unwritable = value === null ? undefined : pyValueProblem(value);
    if (unwritable) {
      add('value/unrenderable', 'error', `${name}: ${unwritable}.`, kpath, 'value');
      continue;
    }
    if (!known) continue;
    const info = own(known.keys, name);
    if (!info) {
      const sugg = suggest(name, () => Object.keys(known.keys));
      // Settings a plugin reads are not in the catalog: a warning, as the dashboard ignores a name nothing reads.
      add('config/unknown-option', 'warning', t('{0} has no setting `{1}` in {2}', file, clip(name), known.source) + (sugg.length ? t(' — did you mean `{0}`?', sugg[0]!) : '.'), kpath, 'key', sugg);
      continue;
    }
    if (value === null || info.d === undefined) continue;
    const want = info.t;
    const got = PY_TYPE_OF(value);
    // A whole number where a float is expected is a float to Python.
    if (want !== got && !(want === 'f' && got === 'i')) {
      add('config/option-type', 'warning', `${name}: ${t('its default is {0}; {1} is given.', typeWord(want), typeWord(got))}`, kpath, 'value');
    }
  }
}

function typeWord(c: string): string {
  if (c === 'b') return t('a boolean');
  if (c === 'i') return t('a whole number');
  if (c === 'f') return t('a number');
  if (c === 's') return t('a string');
  if (c === 'l') return t('a list');
  return t('a mapping');
}
