import zhCn from './zh-cn.json';
import zhCnTitles from './zh-cn.titles.json';

/**
 * What a user reads, in their language: English (the default, and the key of every message) or
 * Simplified Chinese. Every runtime string of the core, the CLI and the extension goes through `t`, keyed
 * by its English text with `{0}`, `{1}`... for the values; each other language is one JSON file here
 * (`zh-cn.json`), English text → translation. A test checks that every key `t` is called with has a
 * translation and that the placeholders match. Stable things stay English in every language: finding
 * codes, keys of the topology, option names, commands.
 *
 * The extension sets the locale from VS Code's display language, the CLI from LC_ALL, LC_MESSAGES or
 * LANG (`zh_CN.UTF-8` → zh-cn).
 */
export const LOCALES = ['en', 'zh-cn'] as const;
export type Locale = (typeof LOCALES)[number];

const TABLES: Record<Exclude<Locale, 'en'>, Record<string, string>> = { 'zh-cn': zhCn };
/**
 * The texts of a rendered cloud as a user reads them (`tData`): step and check titles, verify stages, file
 * descriptions. The renderers write them in English, as data: the same in the journal, RUNBOOK.sh,
 * VERIFY.sh and the files on the nodes whatever the operator's language. A key is the English text, with
 * `{0}`, `{1}`... standing for what varies (`install {0}`, `{0} running on {1}`).
 */
const DATA_TABLES: Record<Exclude<Locale, 'en'>, Record<string, string>> = { 'zh-cn': zhCnTitles };

let current: Locale = 'en';

/** The locale for a language tag (`zh-cn`, `zh-CN`, `zh_CN.UTF-8`, `zh-Hans`...); English for any other. */
export function localeOf(tag: string | undefined): Locale {
  const t = (tag ?? '').toLowerCase().replace(/_/g, '-').split('.')[0] ?? '';
  // Simplified Chinese: zh, zh-CN, zh-SG, zh-Hans(-CN); Traditional (zh-TW, zh-HK, zh-Hant) has no table yet.
  return /^zh(-(cn|sg|hans)(-.*)?)?$/.test(t) ? 'zh-cn' : 'en';
}

export function setLocale(tag: string | undefined): Locale {
  current = localeOf(tag);
  return current;
}

export function locale(): Locale {
  return current;
}

/** `f()` with the locale set to `l` for its duration (the English schema is built this way whatever the locale). */
export function inLocale<T>(l: Locale, f: () => T): T {
  const before = current;
  current = l;
  try {
    return f();
  } finally {
    current = before;
  }
}

/** The locale of the CLI's environment (the first of LC_ALL, LC_MESSAGES, LANG that is set, as gettext reads them). */
export function localeFromEnv(env: Record<string, string | undefined>): Locale {
  return localeOf([env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v));
}

/** `message` in the current language, with `{0}`, `{1}`... replaced by `args`. */
export function t(message: string, ...args: (string | number)[]): string {
  const table = current === 'en' ? undefined : TABLES[current];
  const text = table?.[message] ?? message;
  return args.length ? text.replace(/\{(\d+)\}/g, (m, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : m)) : text;
}

interface DataTemplate {
  key: string;
  re: RegExp;
  /** Which placeholder each group of `re` is. */
  slots: number[];
  /** Characters of the key outside its placeholders: the more, the more specific the template. */
  literal: number;
}
const templates = new Map<Locale, DataTemplate[]>();

function templatesOf(l: Exclude<Locale, 'en'>): DataTemplate[] {
  let list = templates.get(l);
  if (!list) {
    list = Object.keys(DATA_TABLES[l])
      .filter((k) => /\{\d+\}/.test(k))
      .map((key) => {
        const parts = key.split(/\{(\d+)\}/);
        const literals = parts.filter((_, i) => i % 2 === 0);
        const re = new RegExp(`^${literals.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.+?)')}$`, 's');
        return { key, re, slots: parts.filter((_, i) => i % 2 === 1).map(Number), literal: literals.join('').length };
      })
      .sort((a, b) => b.literal - a.literal);
    templates.set(l, list);
  }
  return list;
}

/** The key of the data table that translates `text` in locale `l` (itself, or the most specific template), with the values of its placeholders. */
export function dataKey(text: string, l: Exclude<Locale, 'en'>): { key: string; args: string[] } | undefined {
  if (text in DATA_TABLES[l]) return { key: text, args: [] };
  for (const tpl of templatesOf(l)) {
    const m = tpl.re.exec(text);
    if (!m) continue;
    const args: string[] = [];
    tpl.slots.forEach((slot, i) => (args[slot] = m[i + 1]!));
    return { key: tpl.key, args };
  }
  return undefined;
}

/** A text of the rendered cloud (a step or check title, a stage, a file description) in the current language; as it is when no entry fits. */
export function tData(text: string): string {
  if (current === 'en') return text;
  const hit = dataKey(text, current);
  if (!hit) return text;
  const out = DATA_TABLES[current][hit.key]!;
  return hit.args.length ? out.replace(/\{(\d+)\}/g, (m, i: string) => hit.args[Number(i)] ?? m) : out;
}

/** Every data table (step and check titles, file descriptions), for the test that checks them. */
export function dataTables(): Readonly<Record<string, Readonly<Record<string, string>>>> {
  return DATA_TABLES;
}

/** Every translation table, for the test that checks them. */
export function tables(): Readonly<Record<string, Readonly<Record<string, string>>>> {
  return TABLES;
}
