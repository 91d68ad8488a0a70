import { own } from '../own';
import { Profile, RELEASES } from '../profiles';
import libvirtQemu from './libvirt-qemu.json';
import horizonSettings from './horizon-settings.json';

/**
 * The option catalogs: every oslo.config option of the services, per file and section, as a release's
 * Debian packages define them (generated in a test node of the release by scripts/gen-catalog.mjs).
 * Used to write multi-valued options right, to check `config` overrides and (in the editor) to
 * complete and document them.
 */
export type OptionType = 's' | 'i' | 'b' | 'l' | 'f' | 'm' | 'p' | 'u' | 'h' | 'd' | 'D' | 'a';

export interface OptionInfo {
  /** s string, i integer, b boolean, l list, f float, m multi-valued, p port, u URI, h host address, d host domain, D dict, a any (a Django setting whose default is None or computed) */
  t: OptionType;
  /** First sentence of the option's help. */
  h: string;
  d?: unknown;
  c?: unknown[];
  /** Deprecated for removal. */
  x?: 1;
  /** Secret (oslo.config masks it in logs). */
  k?: 1;
}

export type FileOptions = Record<string, Record<string, OptionInfo>>;

interface CatalogData {
  release: string;
  files: Record<string, FileOptions>;
}

/**
 * The catalogs ostopo ships, oldest release first, each loaded on first use (the data is large and most
 * sessions never need it). A profile row names its own in `optionCatalog`.
 */
const CATALOGS: Record<string, () => unknown> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  zed: () => (require('./zed') as { default: unknown }).default,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  '2025.1': () => (require('./release-2025.1') as { default: unknown }).default,
};
const loaded = new Map<string, CatalogData>();

function load(release: string): CatalogData | undefined {
  const make = own(CATALOGS, release);
  if (!make) return undefined;
  let data = loaded.get(release);
  if (!data) loaded.set(release, (data = make() as CatalogData));
  return data;
}

/** The option catalog a topology of this profile uses. */
export interface CatalogChoice {
  release: string;
  /**
   * The row's own catalog: overrides are checked against it (unknown options and sections, types). A row
   * without one borrows the catalog of the nearest later release (else the newest) for completion, hover
   * and multi-valued options only, since options come and go between releases: an option missing there
   * may well exist in the row's release.
   */
  own: boolean;
}

/** The one place that decides which catalog a profile gets (none without a profile). */
export function catalogFor(profile: Profile | undefined): CatalogChoice | undefined {
  if (!profile) return undefined;
  if (profile.optionCatalog && own(CATALOGS, profile.optionCatalog)) return { release: profile.optionCatalog, own: true };
  const order: string[] = RELEASES.map((r) => r.id);
  const withCatalog = order.filter((r) => own(CATALOGS, r));
  const borrowed = withCatalog.find((r) => order.indexOf(r) > order.indexOf(profile.release)) ?? withCatalog[withCatalog.length - 1];
  return borrowed ? { release: borrowed, own: false } : undefined;
}

/** Sections and options of a service's file (`nova`, `nova.conf`) in a release's catalog. */
export function fileOptions(release: string, service: string, file: string): FileOptions | undefined {
  return load(release)?.files[`${service}/${file}`];
}

export const TYPE_NAMES: Record<OptionType, string> = {
  s: 'string',
  i: 'integer',
  b: 'boolean',
  l: 'list',
  f: 'float',
  m: 'multi-valued (repeat the key)',
  p: 'port',
  u: 'URI',
  h: 'host address',
  d: 'host domain',
  D: 'dict (key:value,...)',
  a: 'any value',
};

/** Options of a keystoneauth1 plugin (`password` by default), valid in sections that have `auth_type`. */
export function authPluginOptions(release: string, plugin = 'password'): Record<string, OptionInfo> | undefined {
  const data = load(release) as (CatalogData & { authPlugins?: Record<string, Record<string, OptionInfo>> }) | undefined;
  return data?.authPlugins?.[plugin];
}

/** Type of an option, looking at the auth plugin options for sections that take them. */
export function optionInfo(release: string, service: string, file: string, section: string, option: string): OptionInfo | undefined {
  const sec = own(fileOptions(release, service, file), section);
  if (!sec) return undefined;
  return own(sec, option) ?? (own(sec, 'auth_type') ? own(authPluginOptions(release), option) : undefined);
}

/**
 * The settings of files without sections, by `<service>/<file>`: libvirt's qemu.conf, from the file Debian
 * ships (scripts/gen-libvirt-catalog.mjs), and horizon's Django settings (scripts/gen-horizon-catalog.mjs).
 * One catalog for every profile row: settings come and go between versions, so an unknown key is a
 * warning, not an error.
 */
const KEY_CATALOGS: Record<string, { source: string; keys: Record<string, OptionInfo> }> = {
  'libvirt/qemu.conf': libvirtQemu as { source: string; keys: Record<string, OptionInfo> },
  // Django settings of horizon's local_settings (scripts/gen-horizon-catalog.mjs): 2025.1's horizon and Django.
  'horizon/local_settings': horizonSettings as { source: string; keys: Record<string, OptionInfo> },
};

/** The settings of a `key = value` file, and where they come from. */
export function keyOptions(service: string, file: string): { source: string; keys: Record<string, OptionInfo> } | undefined {
  return own(KEY_CATALOGS, `${service}/${file}`);
}

/** A `key = value` setting's default as the topology writes it: a list as `["a", "b"]`. */
export function keyDefaultText(d: unknown): string {
  return Array.isArray(d) ? `[${d.map((x) => JSON.stringify(x)).join(', ')}]` : String(d);
}
