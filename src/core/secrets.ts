import { SecretValue } from './model';
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

function defaultRandom(n: number): Uint8Array {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  return new Uint8Array(randomBytes(n));
}

/** Lookup for `materialize`: the value of a secret, or undefined when it has none. */
export function secretLookup(secrets: Map<string, SecretValue>): (name: string) => string | undefined {
  return (name) => secrets.get(name)?.value;
}
