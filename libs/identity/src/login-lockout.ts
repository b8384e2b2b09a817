import { Injectable } from '@nestjs/common';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { AuthRedis } from './auth-redis';
import { lockoutSeconds, LockoutPolicy } from './lockout-policy';

/** Who is trying: the phone's blind index (never the clear number) and the client IP. */
export interface LoginSubject {
  phoneIndex: string;
  ip?: string | null;
}

/** One counted attempt: the failure counts it was charged with (settled by `succeeded` / `failed`). */
export interface LoginAttempt {
  subject: LoginSubject;
  counts: number[];
}

/**
 * Atomically: refuse while a lock is live; else count the attempt as a failure first (INCR) and,
 * when that count reaches the threshold, lock at once for its back-off, so attempts made in parallel
 * with this one are refused before their secret is checked. A success lifts what it set.
 * KEYS: per target its lock and failure keys. ARGV: window seconds, base and max seconds of the
 * back-off, then per target its threshold. Returns {0, counts…} or {1, wait ms}.
 */
const ATTEMPT_SCRIPT = `
local n = #KEYS / 2
local wait = 0
for i = 1, n do
  local ttl = redis.call('PTTL', KEYS[2 * i - 1])
  if ttl > wait then wait = ttl end
end
if wait > 0 then return {1, wait} end
local base = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local result = {0}
for i = 1, n do
  local c = redis.call('INCR', KEYS[2 * i])
  redis.call('EXPIRE', KEYS[2 * i], ARGV[1])
  result[i + 1] = c
  local threshold = tonumber(ARGV[i + 3])
  if c >= threshold then
    local exponent = c - threshold
    local seconds = max
    if exponent < 31 then seconds = math.min(max, base * 2 ^ exponent) end
    redis.call('SET', KEYS[2 * i - 1], tostring(c), 'EX', math.floor(seconds))
  end
end
return result`;

/**
 * Lockout with exponential back-off after failed logins — wrong passwords and wrong SMS codes
 * count alike — per phone and per client IP, kept in Redis so every api replica sees it. It is
 * keyed by the phone whether or not an account exists, so a lock says nothing about registration.
 *
 * Every attempt is counted before the secret is checked (`begin`), so parallel guesses cannot slip
 * past the threshold between a check and a count; a success takes its count back (`succeeded`).
 */
@Injectable()
export class LoginLockout {
  private readonly phonePolicy: LockoutPolicy;
  private readonly ipPolicy: LockoutPolicy;

  constructor(
    private readonly redis: AuthRedis,
    private readonly config: AppConfig,
  ) {
    const base = { baseSeconds: config.LOGIN_LOCKOUT_BASE_SECONDS, maxSeconds: config.LOGIN_LOCKOUT_MAX_SECONDS };
    this.phonePolicy = { ...base, threshold: config.LOGIN_LOCKOUT_THRESHOLD };
    this.ipPolicy = { ...base, threshold: config.LOGIN_LOCKOUT_IP_THRESHOLD };
  }

  /** Throws 429 LOGIN_LOCKED with `retryAfterSeconds` while the phone or the IP is locked. */
  async assertNotLocked(subject: LoginSubject): Promise<void> {
    const keys = this.targets(subject).map(([, lock]) => lock);
    const ttls = await this.redis.run('lockout check', async (r) => Promise.all(keys.map((k) => r.pttl(k))));
    const remainingMs = Math.max(0, ...ttls);
    if (remainingMs > 0) throw DomainException.tooManyRequests(ErrorCode.LoginLocked, remainingMs / 1000);
  }

  /**
   * Counts an attempt (as a failure, until `succeeded` says otherwise) before the secret is checked,
   * locking already when its count reaches the threshold. Throws 429 LOGIN_LOCKED while locked.
   */
  async begin(subject: LoginSubject): Promise<LoginAttempt> {
    const targets = this.targets(subject);
    const keys = targets.flatMap(([fail, lock]) => [lock, fail]);
    const result = (await this.redis.run('lockout attempt', (r) =>
      r.eval(ATTEMPT_SCRIPT, keys.length, ...keys, this.config.LOGIN_FAILURE_WINDOW_SECONDS, this.config.LOGIN_LOCKOUT_BASE_SECONDS,
        this.config.LOGIN_LOCKOUT_MAX_SECONDS, ...targets.map(([, , p]) => p.threshold)),
    )) as number[];
    if (result[0] !== 0) throw DomainException.tooManyRequests(ErrorCode.LoginLocked, Number(result[1]) / 1000);
    return { subject, counts: result.slice(1).map(Number) };
  }

  /** The attempt failed: it stays counted (and the lock `begin` set, if any, stays). */
  async failed(attempt: LoginAttempt): Promise<void> {
    await this.redis.run('lockout failure', async (r) => {
      const multi = r.multi();
      this.targets(attempt.subject).forEach(([, lock, policy], i) => {
        const seconds = lockoutSeconds(attempt.counts[i] ?? 0, policy);
        // NX: a parallel attempt may have set a longer one meanwhile
        if (seconds > 0) multi.set(lock, String(attempt.counts[i]), 'EX', seconds, 'NX');
      });
      await multi.exec();
    });
  }

  /**
   * The attempt succeeded: the phone's failures are forgotten; the IP's count loses this attempt
   * only (one success must not reset a sweep over many phones).
   */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    const [phone, ip] = this.targets(attempt.subject);
    await this.redis.run('lockout reset', async (r) => {
      const multi = r.multi().del(phone[0], phone[1]);
      if (ip) {
        multi.decr(ip[0]);
        // the lock this very attempt set (a successful login is not a reason to hold the address)
        if ((attempt.counts[1] ?? 0) >= ip[2].threshold) multi.del(ip[1]);
      }
      await multi.exec();
    });
  }

  /** An admin set a new password for this phone's account: its failures and its lock are forgotten. */
  async forgetPhone(phoneIndex: string): Promise<void> {
    await this.redis.run('lockout forget', async (r) => {
      await r.del(this.failKey('phone', phoneIndex), this.lockKey('phone', phoneIndex));
    });
  }

  private targets(subject: LoginSubject): [string, string, LockoutPolicy][] {
    const targets: [string, string, LockoutPolicy][] = [[this.failKey('phone', subject.phoneIndex), this.lockKey('phone', subject.phoneIndex), this.phonePolicy]];
    if (subject.ip) targets.push([this.failKey('ip', subject.ip), this.lockKey('ip', subject.ip), this.ipPolicy]);
    return targets;
  }

  private failKey(kind: 'phone' | 'ip', id: string): string {
    return this.redis.key('login-failures', kind, id);
  }

  private lockKey(kind: 'phone' | 'ip', id: string): string {
    return this.redis.key('login-lock', kind, id);
  }
}
