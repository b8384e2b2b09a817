import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { isForbiddenAddress } from './address-guard';

/** Response bodies are read up to this many bytes and kept for the delivery log; the rest is dropped. */
export const RESPONSE_EXCERPT_BYTES = 2048;

export interface PostOutcome {
  statusCode: number | null;
  /** Network, timeout or guard failure (no HTTP answer). */
  error: string | null;
  excerpt: string | null;
}

export class ForbiddenTargetError extends Error {}

/**
 * Resolves `host` and refuses it when any address it resolves to is forbidden (unless
 * `allowPrivate`). Used when an endpoint is registered and again on every connection — the check
 * and the connection use the same answer (the `lookup` below), so DNS rebinding cannot slip past.
 */
export async function resolveAllowed(host: string, allowPrivate: boolean): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses: string[] = isIP(bare)
    ? [bare]
    : await new Promise((resolve, reject) =>
        dnsLookup(bare, { all: true }, (err, list) => (err ? reject(err) : resolve((list as LookupAddress[]).map((a) => a.address)))),
      );
  if (!allowPrivate && addresses.some(isForbiddenAddress)) throw new ForbiddenTargetError(`${host} resolves to a private, loopback or link-local address`);
  return addresses;
}

/**
 * One POST of a webhook: no redirects followed (a 3xx is an answer like any other), an overall
 * timeout, the answer body cut to RESPONSE_EXCERPT_BYTES, and the address checked at connect time.
 */
export function guardedPost(url: string, headers: Record<string, string>, body: string, opts: { timeoutMs: number; allowPrivate: boolean }): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const target = new URL(url);
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    // an address literal is never looked up: check it here
    if (isIP(literal) && !opts.allowPrivate && isForbiddenAddress(literal)) {
      settled = true;
      return resolve({ statusCode: null, error: `forbidden target: ${literal} is a private, loopback or link-local address`, excerpt: null });
    }
    const client = target.protocol === 'https:' ? https : http;
    const lookup = (hostname: string, options: unknown, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
      resolveAllowed(hostname, opts.allowPrivate).then(
        (addresses) => {
          const address = addresses[0];
          if ((options as { all?: boolean })?.all) cb(null, addresses.map((a) => ({ address: a, family: isIP(a) })));
          else cb(null, address, isIP(address));
        },
        (err: Error) => cb(err, ''),
      );
    };
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Xinyuan-Webhooks/1' },
        lookup: lookup as never,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < RESPONSE_EXCERPT_BYTES) chunks.push(c.subarray(0, RESPONSE_EXCERPT_BYTES - size));
          size += c.length;
          if (size >= RESPONSE_EXCERPT_BYTES) {
            // enough for the log: stop reading, a receiver cannot make us download a large answer
            res.destroy();
            done({ statusCode: res.statusCode ?? null, error: null, excerpt: Buffer.concat(chunks).toString('utf8') });
          }
        });
        res.on('end', () => done({ statusCode: res.statusCode ?? null, error: null, excerpt: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => done({ statusCode: res.statusCode ?? null, error: null, excerpt: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ statusCode: null, error: `timeout after ${opts.timeoutMs} ms`, excerpt: null });
    }, opts.timeoutMs);
    req.on('error', (err) =>
      done({ statusCode: null, error: err instanceof ForbiddenTargetError ? `forbidden target: ${err.message}` : `network: ${err.message}`, excerpt: null }),
    );
    req.end(body);
  });
}
