import zhCn from './zh-cn.json';

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

/** Every translation table, for the test that checks them. */
export function tables(): Readonly<Record<string, Readonly<Record<string, string>>>> {
  return TABLES;
}
