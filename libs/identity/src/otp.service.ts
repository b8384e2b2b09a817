import { Injectable } from '@nestjs/common';
import { DomainException, ErrorCode, PiiCipher } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { AuthRedis } from './auth-redis';
import { generateOtpCode } from './otp-code';
import { SmsSender } from './sms-sender';

/**
 * Atomically: refuse past a per-minute cap (KEYS[3..5]: this client address, this number block, the
 * whole deployment; ARGV[4..6] their caps, 0 = off), inside the resend cooldown, or past the 24-hour
 * cap; else count the send against all of them and start the cooldown.
 * Returns {0, sent}, {1, cooldown ms}, {2, ms until the day's cap resets} or {3, ms, which cap}.
 */
const SEND_SCRIPT = `
for i = 3, 5 do
  local cap = tonumber(ARGV[i + 1])
  if cap > 0 and tonumber(redis.call('GET', KEYS[i]) or '0') >= cap then
    return {3, redis.call('PTTL', KEYS[i]), i - 2}
  end
end
local cooldown = redis.call('PTTL', KEYS[1])
if cooldown > 0 then return {1, cooldown} end
for i = 3, 5 do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], 61)
end
local sent = redis.call('INCR', KEYS[2])
if sent == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
if sent > tonumber(ARGV[2]) then return {2, redis.call('PTTL', KEYS[2])} end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
return {0, sent}`;

/**
 * Atomically: 0 = right code (consumed), -1 = no live code, -2 = wrong and no attempts left (the code
 * is dropped), n > 0 = wrong, n attempts left. Concurrent guesses cannot exceed the attempt limit.
 */
const VERIFY_SCRIPT = `
local digest = redis.call('HGET', KEYS[1], 'd')
if not digest then return -1 end
if digest == ARGV[1] then redis.call('DEL', KEYS[1]) return 0 end
local attempts = redis.call('HINCRBY', KEYS[1], 'a', 1)
if attempts >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) return -2 end
return tonumber(ARGV[2]) - attempts`;

const DAY_SECONDS = 24 * 3600;

export interface OtpSent {
  expiresInSeconds: number;
  resendAfterSeconds: number;
}

/**
 * One-time SMS login codes. Redis holds, per phone (by blind index, never the clear number), the
 * code's keyed hash with its wrong-attempt counter (TTL = code lifetime), the resend cooldown, and
 * the 24-hour send counter.
 */
@Injectable()
export class OtpService {
  constructor(
    private readonly redis: AuthRedis,
    private readonly cipher: PiiCipher,
    private readonly sender: SmsSender,
    private readonly config: AppConfig,
  ) {}

  /**
   * Sends a code to the phone. `ip` is the client asking (the per-address cap); the caps per number
   * block and per deployment hold whoever asks.
   */
  async send(phone: string, phoneIndex: string, ip?: string | null): Promise<OtpSent> {
    const cooldownKey = this.redis.key('otp-cooldown', phoneIndex);
    const codeKey = this.redis.key('otp', phoneIndex);
    const minute = Math.floor(Date.now() / 60000);
    const capKeys = [
      this.redis.key('sms-cap', 'ip', ip ?? 'none', String(minute)),
      // the number block (the first 7 digits name the carrier and the area, not a person)
      this.redis.key('sms-cap', 'prefix', phone.slice(0, 7), String(minute)),
      this.redis.key('sms-cap', 'all', String(minute)),
    ];
    const c = this.config;
    const [verdict, value, which] = (await this.redis.run('otp send', (r) =>
      r.eval(SEND_SCRIPT, 5, cooldownKey, this.redis.key('otp-sent', phoneIndex), ...capKeys, c.OTP_RESEND_COOLDOWN_SECONDS, c.OTP_DAILY_LIMIT, DAY_SECONDS,
        ip ? c.SMS_SEND_PER_IP_PER_MINUTE : 0, c.SMS_SEND_PER_PREFIX_PER_MINUTE, c.SMS_SEND_GLOBAL_PER_MINUTE),
    )) as [number, number, number?];
    if (verdict === 1) throw DomainException.tooManyRequests(ErrorCode.OtpResendCooldown, value / 1000);
    if (verdict === 2) throw DomainException.tooManyRequests(ErrorCode.OtpDailyLimit, value / 1000);
    if (verdict === 3) {
      const seconds = Math.max(1, Math.ceil(Math.max(value, 1000) / 1000));
      throw new DomainException(ErrorCode.SmsRateLimited, 429, undefined, undefined, { retryAfterSeconds: seconds, limit: ['ip', 'prefix', 'global'][(which ?? 1) - 1] });
    }

    const code = generateOtpCode();
    const ttl = this.config.OTP_TTL_SECONDS;
    // a new code replaces the previous one, with a fresh attempt counter
    await this.redis.run('otp store', (r) => r.multi().del(codeKey).hset(codeKey, 'd', this.digest(phone, code), 'a', '0').expire(codeKey, ttl).exec());
    try {
      await this.sender.sendLoginCode(phone, code, ttl);
    } catch (e) {
      // nothing was delivered: let the person try again at once (the send still counts toward the cap)
      await this.redis.client.del(codeKey, cooldownKey).catch(() => undefined);
      throw e;
    }
    return { expiresInSeconds: ttl, resendAfterSeconds: this.config.OTP_RESEND_COOLDOWN_SECONDS };
  }

  /** Consumes the code when right; throws 401 OTP_INVALID / OTP_ATTEMPTS_EXCEEDED when not. */
  async verify(phone: string, phoneIndex: string, code: string): Promise<void> {
    const result = Number(
      await this.redis.run('otp verify', (r) =>
        r.eval(VERIFY_SCRIPT, 1, this.redis.key('otp', phoneIndex), this.digest(phone, code), this.config.OTP_MAX_ATTEMPTS),
      ),
    );
    if (result === 0) return;
    if (result === -2) throw new DomainException(ErrorCode.OtpAttemptsExceeded, 401);
    throw new DomainException(ErrorCode.OtpInvalid, 401, undefined, undefined, result > 0 ? { attemptsLeft: result } : undefined);
  }

  /** Keyed hash (the PII blind-index key): a leaked Redis dump does not give codes away. */
  private digest(phone: string, code: string): string {
    return this.cipher.blindIndex(`otp:${phone}:${code}`);
  }
}
