import { SecretValue } from './model';
import { own } from './own';
import { SECRET_FORMATS } from './services/registry';
import { t } from './l10n';

/** Passwords that the guide itself or habit puts in clouds: never fine for a real one. */
const COMMON = new Set([
  '123456',
  '1234567',
  '12345678',
  '123456789',
  '1234567890',
  'password',
  'passw0rd',
  'secret',
  'changeme',
  'admin',
  'openstack',
  'root',
  'toor',
  'qwerty',
  'letmein',
  'welcome',
  'stack',
  'devstack',
  'nova',
  'glance',
  'keystone',
  'placement',
  'rabbit',
  'guest',
]);

export const MIN_SECRET_LENGTH = 12;

/** Why a secret value is weak, or undefined when it is fine. Never includes the value itself. */
export function weakness(name: string, value: string): string | undefined {
  const v = value.trim();
  if (v.length === 0) return t('it is empty');
  if (own(SECRET_FORMATS, name) === 'cephx') return isCephxKey(v) ? undefined : t('it is not a cephx key (40 characters of base64, as `ceph-authtool --gen-print-key` prints)');
  if (COMMON.has(v.toLowerCase())) return t('it is a well-known password');
  if (v === name || /_(DB)?PASS$|_SECRET$/.test(v)) return t('it is the placeholder name from the install guide');
  if (v.length < MIN_SECRET_LENGTH) return t('it is shorter than {0} characters', MIN_SECRET_LENGTH);
  if (/^(.)\1*$/.test(v)) return t('it repeats one character');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(v)).length;
  if (classes < 2 && v.length < 20) return t('it uses one kind of character only (mix letters and digits, or make it 20+ long)');
  return undefined;
}

/** A strong random secret for quick fixes and `secrets` generation: 24 URL- and shell-safe characters. */
export function generateSecret(random: (n: number) => Uint8Array = defaultRandom): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = random(48);
  let out = '';
  for (let i = 0; i < bytes.length && out.length < 24; i++) {
    const b = bytes[i]!;
    if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length]!;
  }
  return out.length === 24 ? out : out + generateSecret(random).slice(0, 24 - out.length);
}

/**
 * A Ceph (cephx) key as ceph-authtool makes one: base64 of the key type (1, AES), its creation time
 * (seconds, nanoseconds), the key's length (16) and 16 random bytes, little-endian.
 */
export function generateCephxKey(random: (n: number) => Uint8Array = defaultRandom, now = Date.now()): string {
  const b = new Uint8Array(28);
  const v = new DataView(b.buffer);
  v.setUint16(0, 1, true);
  v.setUint32(2, Math.floor(now / 1000), true);
  v.setUint32(6, (now % 1000) * 1_000_000, true);
  v.setUint16(10, 16, true);
  b.set(random(16).subarray(0, 16), 12);
  return btoa(String.fromCharCode(...b));
}

/** Whether a value is a cephx key: base64 of type 1 (AES) and a 16-byte secret. */
export function isCephxKey(value: string): boolean {
  if (!/^[A-Za-z0-9+/]{38}==$/.test(value)) return false;
  const b = atob(value);
  const u16 = (i: number) => b.charCodeAt(i) | (b.charCodeAt(i + 1) << 8);
  return b.length === 28 && u16(0) === 1 && u16(10) === 16;
}

/** A generated value for a secret of this name: a cephx key for Ceph's keys, else a strong password. */
export function generateSecretFor(name: string, random: (n: number) => Uint8Array = defaultRandom): string {
  return own(SECRET_FORMATS, name) === 'cephx' ? generateCephxKey(random) : generateSecret(random);
}

function defaultRandom(n: number): Uint8Array {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  return new Uint8Array(randomBytes(n));
}

/** Lookup for `materialize`: the value of a secret, or undefined when it has none. */
export function secretLookup(secrets: Map<string, SecretValue>): (name: string) => string | undefined {
  return (name) => secrets.get(name)?.value;
}
