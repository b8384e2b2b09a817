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

/**
 * Lockout with exponential back-off after failed logins — wrong passwords and wrong SMS codes
 * count alike — per phone and per client IP, kept in Redis so every api replica sees it. It is
 * keyed by the phone whether or not an account exists, so a lock says nothing about registration.
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
    const keys = this.lockKeys(subject);
    const ttls = await this.redis.run('lockout check', async (r) => Promise.all(keys.map((k) => r.pttl(k))));
    const remainingMs = Math.max(0, ...ttls);
    if (remainingMs > 0) throw DomainException.tooManyRequests(ErrorCode.LoginLocked, remainingMs / 1000);
  }

  /** Counts a failure; from the threshold on, locks for the back-off of the new count. */
  async recordFailure(subject: LoginSubject): Promise<void> {
    const window = this.config.LOGIN_FAILURE_WINDOW_SECONDS;
    await this.redis.run('lockout failure', async (r) => {
      const targets: [string, string, LockoutPolicy][] = [[this.failKey('phone', subject.phoneIndex), this.lockKey('phone', subject.phoneIndex), this.phonePolicy]];
      if (subject.ip) targets.push([this.failKey('ip', subject.ip), this.lockKey('ip', subject.ip), this.ipPolicy]);
      const counted = await r
        .multi(targets.flatMap(([fail]) => [['incr', fail], ['expire', fail, window]]))
        .exec();
      const multi = r.multi();
      targets.forEach(([, lock, policy], i) => {
        const failures = Number(counted?.[i * 2]?.[1] ?? 0);
        const seconds = lockoutSeconds(failures, policy);
        if (seconds > 0) multi.set(lock, String(failures), 'EX', seconds);
      });
      await multi.exec();
    });
  }

  /** A successful login forgets the phone's failures (the IP's stay: one success must not reset a sweep). */
  async recordSuccess(subject: LoginSubject): Promise<void> {
    await this.redis.run('lockout reset', (r) => r.del(this.failKey('phone', subject.phoneIndex), this.lockKey('phone', subject.phoneIndex)));
  }

  private lockKeys(subject: LoginSubject): string[] {
    const keys = [this.lockKey('phone', subject.phoneIndex)];
    if (subject.ip) keys.push(this.lockKey('ip', subject.ip));
    return keys;
  }

  private failKey(kind: 'phone' | 'ip', id: string): string {
    return this.redis.key('login-failures', kind, id);
  }

  private lockKey(kind: 'phone' | 'ip', id: string): string {
    return this.redis.key('login-lock', kind, id);
  }
}
