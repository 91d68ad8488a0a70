import { keyOptions, OptionInfo } from './catalog/options';
import { clip } from './findings';
import { own } from './own';
import { YamlPath } from './parse';
import { keyValueProblem } from './render/ini';
import { PY_SETTING_NAME, pyValueProblem } from './render/pysettings';
import { t } from './l10n';
import type { Add } from './validate';

type Suggest = (word: string, candidates: () => string[]) => string[];

/**
 * Overrides of a file without sections, by the settings catalog of its format: each value one the file
 * can hold (value/unrenderable), each name known to the catalog (config/unknown-option, with did you
 * mean: settings come and go between versions, so a warning), each value of the setting's type.
 */
function checkSettings(
  catalog: { service: string; file: string } | undefined,
  file: string,
  entries: Record<string, unknown>,
  fpath: YamlPath,
  add: Add,
  suggest: Suggest,
  format: { unwritable: (value: unknown) => string | undefined; typeProblem: (info: OptionInfo, name: string, value: unknown) => string | undefined },
): void {
  const known = catalog ? keyOptions(catalog.service, catalog.file) : undefined;
  for (const [name, value] of Object.entries(entries)) {
    const kpath = [...fpath, name];
    const unwritable = value === null ? undefined : format.unwritable(value);
    if (unwritable) {
      add('value/unrenderable', 'error', `${name}: ${unwritable}.`, kpath, 'value');
      continue;
    }
    if (!known) continue;
    const info = own(known.keys, name);
    if (!info) {
      const sugg = suggest(name, () => Object.keys(known.keys));
      add('config/unknown-option', 'warning', t('{0} has no setting `{1}` in {2}', file, clip(name), known.source) + (sugg.length ? t(' — did you mean `{0}`?', sugg[0]!) : '.'), kpath, 'key', sugg);
      continue;
    }
    const problem = value === null ? undefined : format.typeProblem(info, name, value);
    if (problem) add('config/option-type', 'warning', `${name}: ${problem}`, kpath, 'value');
  }
}

/** Overrides of a `key = value` file (libvirt's qemu.conf), in libvirt's types. */
export function checkKeyValueFile(catalog: { service: string; file: string } | undefined, file: string, entries: Record<string, unknown>, fpath: YamlPath, add: Add, suggest: Suggest): void {
  checkSettings(catalog, file, entries, fpath, add, suggest, {
    unwritable: keyValueProblem,
    typeProblem: (info, key, value) =>
      info.t === 'l'
        ? Array.isArray(value)
          ? undefined
          : t('{0} takes a list, e.g. [ ] or [ "a", "b" ].', key)
        : Array.isArray(value)
          ? t('a list is given, but this setting takes one value.')
          : info.t === 'i' && !/^-?\d+$/.test(String(value === true ? 1 : value === false ? 0 : value))
            ? t("expects a whole number (libvirt's booleans are 0 and 1), not {0}.", clip(JSON.stringify(value)))
            : undefined,
  });
}

const PY_TYPE_OF = (v: unknown): string => (typeof v === 'boolean' ? 'b' : typeof v === 'number' ? (Number.isInteger(v) ? 'i' : 'f') : typeof v === 'string' ? 's' : Array.isArray(v) ? 'l' : 'D');

/**
 * Overrides of a Django settings file (horizon's local_settings): a setting name (the schema says so
 * first), a value Python can hold as a literal, known to the catalog (horizon's and Django's defaults),
 * of the type of the setting's default where it has one.
 */
export function checkPySettingsFile(catalog: { service: string; file: string } | undefined, file: string, entries: Record<string, unknown>, fpath: YamlPath, add: Add, suggest: Suggest): void {
  const named = Object.fromEntries(Object.entries(entries).filter(([name]) => PY_SETTING_NAME.test(name)));
  checkSettings(catalog, file, named, fpath, add, suggest, {
    unwritable: (value) => pyValueProblem(value),
    typeProblem: (info, _name, value) => {
      if (info.d === undefined || info.t === 'a') return undefined;
      const got = PY_TYPE_OF(value);
      // A whole number where a float is expected is a float to Python.
      return info.t === got || (info.t === 'f' && got === 'i') ? undefined : t('its default is {0}; {1} is given.', typeWord(info.t), typeWord(got));
    },
  });
}

function typeWord(c: string): string {
  if (c === 'b') return t('a boolean');
  if (c === 'i') return t('a whole number');
  if (c === 'f') return t('a number');
  if (c === 's') return t('a string');
  if (c === 'l') return t('a list');
  return t('a mapping');
}
