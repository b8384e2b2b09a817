import { Injectable } from '@nestjs/common';
import { clientBucketOf, DomainException, emissionInterval, ErrorCode, GCRA_LUA, PiiCipher } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { AuthRedis } from './auth-redis';
import { generateOtpCode } from './otp-code';
import { SmsSender } from './sms-sender';

/** Atomically: refuse inside the resend cooldown, count against the 24-hour cap, start the cooldown. */
const SEND_SCRIPT = `
local cooldown = redis.call('PTTL', KEYS[1])
if cooldown > 0 then return {1, cooldown} end
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
   * Sends a code to the phone. Before anything else the per-minute caps (toll fraud: one client
   * sending codes to many numbers) are charged: from this client address, to this number block (the
   * first 7 digits: the carrier and area, not a person), over the whole deployment — each a GCRA
   * bucket (a burst of its cap, refilled evenly over the minute), so there is no window edge to
   * time a burst around. Past one: 429 SMS_RATE_LIMITED with `limit` (`ip`, `prefix`, `global`).
   */
  async send(phone: string, phoneIndex: string, ip?: string | null): Promise<OtpSent> {
    await this.chargeCaps(phone, ip);
    const cooldownKey = this.redis.key('otp-cooldown', phoneIndex);
    const codeKey = this.redis.key('otp', phoneIndex);
    const [verdict, value] = (await this.redis.run('otp send', (r) =>
      r.eval(SEND_SCRIPT, 2, cooldownKey, this.redis.key('otp-sent', phoneIndex), this.config.OTP_RESEND_COOLDOWN_SECONDS, this.config.OTP_DAILY_LIMIT, DAY_SECONDS),
    )) as [number, number];
    if (verdict === 1) throw DomainException.tooManyRequests(ErrorCode.OtpResendCooldown, value / 1000);
    if (verdict === 2) throw DomainException.tooManyRequests(ErrorCode.OtpDailyLimit, value / 1000);

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

  private async chargeCaps(phone: string, ip: string | null | undefined): Promise<void> {
    const c = this.config;
    const caps = [
      { name: 'ip', key: this.redis.key('sms-cap', 'ip', ip ? clientBucketOf(ip) : ''), limit: ip ? c.SMS_SEND_PER_IP_PER_MINUTE : 0 },
      { name: 'prefix', key: this.redis.key('sms-cap', 'prefix', phone.slice(0, 7)), limit: c.SMS_SEND_PER_PREFIX_PER_MINUTE },
      { name: 'global', key: this.redis.key('sms-cap', 'all'), limit: c.SMS_SEND_GLOBAL_PER_MINUTE },
    ].filter((b) => b.limit > 0);
    if (!caps.length) return;
    const args = caps.flatMap((b) => [emissionInterval({ limit: b.limit, windowMs: 60_000 }), b.limit]);
    const [allowed, waitMs, worst] = (await this.redis.run('sms caps', (r) => r.eval(GCRA_LUA, caps.length, ...caps.map((b) => b.key), ...args))) as number[];
    if (Number(allowed) === 1) return;
    throw new DomainException(ErrorCode.SmsRateLimited, 429, undefined, undefined, {
      retryAfterSeconds: Math.max(1, Math.ceil(Number(waitMs) / 1000)),
      limit: caps[Number(worst) - 1]?.name,
    });
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
