import { isIP } from 'node:net';

/**
 * The rate-limit identity of a client address. IPv4 (also written IPv4-mapped, `::ffff:a.b.c.d`)
 * counts per address. IPv6 counts per /64: one subscriber usually holds a whole /64, so counting
 * per address would let a single client rotate through 2^64 fresh buckets.
 */
export function clientBucketOf(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family !== 6) return 'unknown';
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, lower-case, without leading zeros. */
function expandIpv6(ip: string): string[] {
  let address = ip.split('%')[0].toLowerCase();
  // a trailing embedded IPv4 (::1.2.3.4) becomes two groups
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    address = address.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16).toString(16));
}

/**
 * Fastify's `trustProxy` from TRUSTED_PROXIES: `false` (believe no X-Forwarded-For) when the list is
 * empty, otherwise the list itself (addresses, CIDRs and the keywords of proxy-addr).
 */
export function trustProxySetting(list: string[]): false | string[] {
  return list.length ? list : false;
}
