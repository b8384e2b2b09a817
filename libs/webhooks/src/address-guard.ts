import { BlockList, isIP } from 'node:net';

/**
 * SSRF guard: addresses a webhook may never reach unless WEBHOOK_ALLOW_PRIVATE=true — loopback,
 * private (RFC 1918, unique local), link-local (cloud metadata at 169.254.169.254), carrier-grade
 * NAT, "this network", multicast and reserved ranges. IPv4-mapped IPv6 addresses are judged as IPv4;
 * the other ways of writing an IPv4 address in IPv6 (compatible, translated, 6to4, Teredo) are refused.
 */
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32],
  // IPv4 inside IPv6 that is not the mapped form judged below: IPv4-compatible (::7f00:1), IPv4-translated
  // (::ffff:0:7f00:1), and the tunnels that carry an IPv4 address in their prefix (6to4, Teredo)
  ['::', 96], ['::ffff:0:0:0', 96], ['2002::', 16], ['2001::', 32],
] as const) blocked.addSubnet(net, bits, 'ipv6');

export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1], 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return blocked.check(address, 'ipv4');
}

/** What is wrong with a target URL before any lookup: scheme, credentials, shape. */
export function urlShapeProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'url must use http or https';
  if (url.username || url.password) return 'url must not carry credentials';
  if (!url.hostname) return 'url must name a host';
  return null;
}
