/**
 * Access tokens whose signature this process has verified, with their payload: the same token comes
 * back on every request of a session, and checking its HMAC, decoding and parsing it again each time
 * was a few percent of the api's CPU per order (issue 17). A remembered token is still refused once
 * its `exp` has passed (as jsonwebtoken does: expired when now ≥ exp, in whole seconds); anything not
 * remembered, or expired, goes through `verify` again. Only tokens that verified are remembered, at
 * most `max` of them (the oldest forgotten first). Tokens carry no `nbf` (see identity.module.ts),
 * and the secret and options are fixed for the life of the process.
 */
export class VerifiedTokens<P extends { exp?: unknown }> {
  private readonly known = new Map<string, P>();

  constructor(private readonly max = 10_000) {}

  /** The payload of `token`, from memory while unexpired, else from `verify` (which throws when invalid). */
  payload(token: string, verify: (token: string) => P, nowMs = Date.now()): P {
    const known = this.known.get(token);
    if (known && unexpired(known, nowMs)) return known;
    if (known) this.known.delete(token);
    const payload = verify(token);
    // a token without exp is not remembered: it would be valid forever here, whatever verify says later
    if (unexpired(payload, nowMs)) {
      if (this.known.size >= this.max) this.known.delete(this.known.keys().next().value as string);
      // handed to every later request with this token: frozen, so that no request can change it for the next
      for (const value of Object.values(payload)) if (value && typeof value === 'object') Object.freeze(value);
      this.known.set(token, Object.freeze(payload));
    }
    return payload;
  }
}

function unexpired(payload: { exp?: unknown }, nowMs: number): boolean {
  return typeof payload.exp === 'number' && Math.floor(nowMs / 1000) < payload.exp;
}
