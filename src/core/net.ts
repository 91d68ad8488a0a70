/** IPv4 helpers for the semantic checks. */
export function ipv4ToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  const [a = 0, b = 0, c = 0, d = 0] = parts;
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export interface Cidr {
  network: number;
  prefix: number;
  mask: number;
}

export function parseCidr(cidr: string): Cidr | undefined {
  const [ip, p] = cidr.split('/');
  const n = ipv4ToInt(ip ?? '');
  const prefix = Number(p);
  if (n === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (n & mask) >>> 0, prefix, mask };
}

export function inCidr(ip: string, c: Cidr): boolean {
  const n = ipv4ToInt(ip);
  return n !== undefined && (n & c.mask) >>> 0 === c.network;
}

/** The network or broadcast address of a subnet with room for hosts (prefix < 31). */
export function isNetworkOrBroadcast(ip: string, c: Cidr): boolean {
  const n = ipv4ToInt(ip);
  if (n === undefined || c.prefix >= 31) return false;
  const broadcast = (c.network | (~c.mask >>> 0)) >>> 0;
  return n === c.network || n === broadcast;
}
