/**
 * Last line of defence for logs: whatever a message says, mainland mobile numbers (also with +86
 * or separators), bearer tokens, JWTs, refresh tokens and webhook secrets never reach a log line.
 * Code must not log addresses or phones in the first place; this catches what slips through.
 */
const RULES: [RegExp, (m: string, ...groups: string[]) => string][] = [
  // JWTs (three base64url parts, the first a JSON header)
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, () => '[jwt]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, (_m, scheme) => `${scheme} [redacted]`],
  [/whsec_[A-Za-z0-9+/=]{8,}/g, () => 'whsec_[redacted]'],
  [/("?(?:refreshToken|accessToken|password|smsCode|secret|token)"?\s*[:=]\s*"?)([^"\s,}]{4,})/gi, (_m, key) => `${key}[redacted]`],
  // mobile numbers: 1[3-9]x xxxx xxxx, optionally +86 / 0086 and spaces or dashes
  [/(?<![\dA-Za-z])(?:\+?86[\s-]?|0086[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?![\dA-Za-z])/g, (m) => maskPhone(m)],
];

function maskPhone(match: string): string {
  const digits = match.replace(/\D/g, '').slice(-11);
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

export function scrubLogText(text: string): string {
  let out = text;
  for (const [re, replace] of RULES) out = out.replace(re, replace as (m: string, ...g: string[]) => string);
  return out;
}
