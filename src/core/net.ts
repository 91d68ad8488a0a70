/** IPv4 helpers for the semantic checks. */
/** A dotted quad (four decimal numbers of 1-3 digits, each at most 255) as a number; undefined otherwise. */
export function ipv4ToInt(ip: string): number | undefined {
  // One pass without allocation: validation calls this for every node's address.
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= ip.length; i++) {
    const c = i < ip.length ? ip.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      part = part * 10 + (c - 48);
    } else if (c === 46) {
      if (digits === 0 || part > 255) return undefined;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      if (i < ip.length && ++dots > 3) return undefined;
    } else return undefined;
  }
  return dots === 3 ? n : undefined;
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
