import { STARTED_APPS } from './apps';
import { STARTED_GATEWAYS } from './fake-providers';
import { Http, until } from './http';

/**
 * Reading the SMS codes the apps send, the way a person reads their phone: the development sender
 * (SMS_PROVIDER=log) writes `[dev SMS] 137****1234 登录验证码 123456` to the api's output, and with
 * SMS_PROVIDER=http the fake gateway (fake-providers.ts) keeps every code it received. Codes are
 * looked for in every api and gateway this test file started, after a mark taken before the send.
 */
export interface SmsMark {
  apps: Map<unknown, number>;
  gateways: Map<unknown, number>;
}

export function smsMark(): SmsMark {
  return {
    apps: new Map(STARTED_APPS.map((a) => [a, a.output.length])),
    gateways: new Map(STARTED_GATEWAYS.map((g) => [g, g.codes.length])),
  };
}

const masked = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;

/** The latest code sent to this phone after `mark` (waits for it). */
export async function readSmsCode(phone: string, mark: SmsMark, timeoutMs = 10000): Promise<string> {
  const m = masked(phone);
  return until(`SMS code for ${m}`, async () => {
    let found: string | undefined;
    for (const g of STARTED_GATEWAYS) {
      for (const c of g.codes.slice(mark.gateways.get(g) ?? 0)) if (c.phone === phone) found = c.code;
    }
    if (found) return found;
    for (const a of STARTED_APPS) {
      if (a.name !== 'api') continue;
      const text = a.output.slice(mark.apps.get(a) ?? 0).join('');
      for (const match of text.matchAll(/\[dev SMS\] (\d{3}\*{4}\d{4}) 登录验证码 (\d{6})/g)) if (match[1] === m) found = match[2];
    }
    return found;
  }, timeoutMs);
}

/** Asks the api to send a code to this phone and reads it (`headers`: e.g. X-Forwarded-For). */
export async function sendSmsCode(api: Http, phone: string, headers?: Record<string, string>): Promise<string> {
  const mark = smsMark();
  let res = await api.post('/api/v1/auth/sms/send', { phone }, headers);
  for (let i = 0; i < 3 && res.status === 429 && res.body?.code === 'OTP_RESEND_COOLDOWN'; i++) {
    await new Promise((r) => setTimeout(r, 1000 * Number(res.body.retryAfterSeconds ?? 1) + 100));
    res = await api.post('/api/v1/auth/sms/send', { phone }, headers);
  }
  if (res.status !== 200) throw new Error(`sms send ${phone}: ${res.status} ${JSON.stringify(res.body)}`);
  return readSmsCode(phone, mark);
}

/** The last four digits of phones handed out in this file, so that masked phones in the log never collide. */
const usedSuffixes = new Set<string>();

/** A random phone whose masked form (137****1234) no other phone of this test file has. */
export function uniquePhone(prefix: string, random: () => string): string {
  for (;;) {
    const phone = random();
    const key = `${prefix}:${phone.slice(-4)}`;
    if (usedSuffixes.has(key) && usedSuffixes.size < 9000) continue;
    usedSuffixes.add(key);
    return phone;
  }
}
