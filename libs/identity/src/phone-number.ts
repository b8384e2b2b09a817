/**
 * The one normal form of a phone number before it is indexed (blind index) or encrypted, so that
 * "138 1234 1234", "+86 138-1234-1234" and "13812341234" find the same account.
 */
export function normalizePhone(raw: string): string {
  let p = raw.trim().replace(/[\s\-()]/g, '');
  if (p.startsWith('+86')) p = p.slice(3);
  else if (p.startsWith('0086')) p = p.slice(4);
  return p;
}

/** 11-digit mainland mobile number (after normalisation). */
export const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
