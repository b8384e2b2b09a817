import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { IdentityService, UserView } from './identity.service';
import { LoginLockout } from './login-lockout';
import { OtpSent, OtpService } from './otp.service';
import { PasswordHasher } from './password-hasher';
import { normalizePhone } from './phone-number';
import { isPasswordOnly } from './roles';
import { ClientMeta, SessionService, Tokens } from './session.service';
import { WeChatAuthAdapter } from './wechat-auth';

/** What every login answers: the contract's `{user, accessToken}` plus the refresh token and lifetime. */
export interface Session extends Tokens {
  user: UserView;
}

/**
 * The ways to sign in — password (staff, volunteers; staff add an SMS code where
 * STAFF_SECOND_FACTOR=sms), SMS code and WeChat (residents and volunteers) — the session lifecycle
 * after it (refresh, logout), and the password's own life (change, SMS-verified reset). Every
 * login is one transaction: the user (when first seen) and the session are written together or
 * not at all. Every attempt is counted by the lockout before its secret is checked.
 */
@Injectable()
export class AuthService {
  /** Verified against when the phone is unknown, so response time does not reveal registered phones. */
  private readonly dummyHash = PasswordHasher.hash(randomUUID());

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: IdentityService,
    private readonly sessions: SessionService,
    private readonly lockout: LoginLockout,
    private readonly otp: OtpService,
    private readonly wechat: WeChatAuthAdapter,
    private readonly config: AppConfig,
  ) {}

  /**
   * Registration needs the SMS code sent to the phone (`POST /auth/sms/send`): nobody can claim a
   * number they do not hold. A wrong code answers the same whether or not the phone has an account;
   * only the phone's owner (right code) learns that it already has one (409 PHONE_TAKEN).
   */
  async register(input: { phone: string; password: string; name: string; smsCode: string }, meta: ClientMeta): Promise<Session> {
    const phone = normalizePhone(input.phone);
    const passwordHash = await PasswordHasher.hash(input.password);
    await this.proveCode(phone, input.smsCode, meta);
    return this.dataSource.transaction(async (m) => {
      const user = await this.users.createResident(m, { phone, passwordHash, name: input.name });
      if (!user) throw DomainException.conflict(ErrorCode.PhoneTaken, '该手机号已有账号，请直接登录（可用短信验证码登录或找回密码）');
      return { user: this.users.view(user), ...(await this.sessions.open(m, user, 'register', meta)) };
    });
  }

  /**
   * Password login. Locked phones/IPs get 429 before the password is even looked at. Staff where
   * STAFF_SECOND_FACTOR=sms also need the SMS code: without one (right password) a code is sent and
   * the answer is 401 SECOND_FACTOR_REQUIRED; with it, the code is checked like an SMS login's.
   */
  async passwordLogin(input: { phone: string; password: string; smsCode?: string }, meta: ClientMeta): Promise<Session> {
    const phone = normalizePhone(input.phone);
    const subject = { phoneIndex: this.users.phoneIndex(phone), ip: meta.ip };
    const attempt = await this.lockout.begin(subject);
    const user = await this.users.findByPhoneWithPassword(subject.phoneIndex);
    const ok = await PasswordHasher.verify(user?.passwordHash ?? (await this.dummyHash), input.password);
    if (!user || !user.passwordHash || !ok) {
      await this.lockout.failed(attempt);
      throw new DomainException(ErrorCode.InvalidCredentials, 401);
    }
    const secondFactor = this.config.STAFF_SECOND_FACTOR === 'sms' && isPasswordOnly(user.roles);
    if (secondFactor) {
      if (!input.smsCode) {
        // the password was right: this attempt does not count as a failure
        await this.lockout.succeeded(attempt);
        const sent = await this.otp.send(phone, subject.phoneIndex, meta.ip);
        throw new DomainException(ErrorCode.SecondFactorRequired, 401, undefined, undefined, { ...sent });
      }
      try {
        await this.otp.verify(phone, subject.phoneIndex, input.smsCode);
      } catch (e) {
        await this.lockout.failed(attempt);
        throw e;
      }
    }
    await this.lockout.succeeded(attempt);
    return this.dataSource.transaction(async (m) => {
      if (secondFactor) await this.users.markPhoneVerified(m, user.id);
      return { user: this.users.view(user), ...(await this.sessions.open(m, user, 'password', meta)) };
    });
  }

  /** Sends a code. Answers the same whether or not the phone has an account. */
  async sendSmsCode(phone: string, meta: ClientMeta): Promise<OtpSent> {
    const normal = normalizePhone(phone);
    const phoneIndex = this.users.phoneIndex(normal);
    // a locked phone gets no new codes either: they could not be used
    await this.lockout.assertNotLocked({ phoneIndex, ip: meta.ip });
    return this.otp.send(normal, phoneIndex, meta.ip);
  }

  /**
   * SMS login for residents and volunteers; the first login with a phone creates a resident account.
   * A staff account is never signed in by a code alone (401 PASSWORD_LOGIN_REQUIRED, told only to
   * whoever holds the right code). The code proves the phone: a password the account had without that
   * proof is dropped and its other sessions end (a number claimed in advance is taken back).
   */
  async smsLogin(input: { phone: string; code: string; name?: string }, meta: ClientMeta): Promise<Session & { isNewUser: boolean }> {
    const normal = normalizePhone(input.phone);
    await this.proveCode(normal, input.code, meta);
    const { session, revoked } = await this.dataSource.transaction(async (m) => {
      const { user, created, droppedPassword } = await this.users.findOrCreateByPhone(m, normal, input.name);
      if (isPasswordOnly(user.roles)) throw new DomainException(ErrorCode.PasswordLoginRequired, 401);
      await this.users.markPhoneVerified(m, user.id, droppedPassword);
      const revoked = droppedPassword ? await this.sessions.revokeAllOf(m, user.id, 'password_changed') : [];
      const opened = await this.sessions.open(m, user, 'sms', meta);
      return { session: { user: this.users.view(user), ...opened, isNewUser: created }, revoked };
    });
    await this.sessions.markRevoked(revoked);
    return session;
  }

  /** Changes the caller's password (the current one is needed); every other session of theirs ends. */
  async changePassword(userId: string, sessionId: string | undefined, input: { currentPassword: string; newPassword: string }, meta: ClientMeta): Promise<void> {
    const newHash = await PasswordHasher.hash(input.newPassword);
    const [row] = await this.dataSource.query(`SELECT phone_bidx FROM users WHERE id = $1`, [userId]);
    if (!row) throw DomainException.unauthenticated();
    const attempt = await this.lockout.begin({ phoneIndex: row.phone_bidx ?? `user:${userId}`, ip: meta.ip });
    const revoked = await this.dataSource.transaction(async (m) => {
      const user = await this.users.findWithPassword(m, userId);
      if (!user) throw DomainException.unauthenticated();
      const ok = user.passwordHash ? await PasswordHasher.verify(user.passwordHash, input.currentPassword) : false;
      if (!ok) return null;
      await this.users.setPasswordHash(m, userId, newHash);
      return this.sessions.revokeAllOf(m, userId, 'password_changed', sessionId);
    });
    if (revoked === null) {
      await this.lockout.failed(attempt);
      throw new DomainException(ErrorCode.CurrentPasswordWrong, 403, undefined, [{ field: 'currentPassword', messages: ['currentPassword is wrong'] }]);
    }
    // the new password is committed: the other sessions' revocation goes to Redis first, and a Redis
    // failure in forgetting the failed attempts must not turn that success into a 503 (logged by run)
    await this.sessions.markRevoked(revoked);
    await this.lockout.succeeded(attempt).catch(() => undefined);
  }

  /**
   * Sets a new password with an SMS code sent to the phone (`POST /auth/sms/send`); every session of
   * the account ends. Answers the same (204) whether or not the phone has an account. Staff passwords
   * are reset by their admin, not by a code alone (401 PASSWORD_LOGIN_REQUIRED, told only to the
   * holder of the right code).
   */
  async resetPassword(input: { phone: string; smsCode: string; newPassword: string }, meta: ClientMeta): Promise<void> {
    const phone = normalizePhone(input.phone);
    const newHash = await PasswordHasher.hash(input.newPassword);
    await this.proveCode(phone, input.smsCode, meta);
    const revoked = await this.dataSource.transaction(async (m) => {
      const user = await this.users.findByPhoneWithPassword(this.users.phoneIndex(phone));
      if (!user) return [];
      if (isPasswordOnly(user.roles)) throw new DomainException(ErrorCode.PasswordLoginRequired, 401, '工作人员的密码请联系管理员重置');
      await this.users.setPasswordHash(m, user.id, newHash);
      await this.users.markPhoneVerified(m, user.id);
      return this.sessions.revokeAllOf(m, user.id, 'password_changed');
    });
    await this.sessions.markRevoked(revoked);
  }

  /** WeChat mini-program login: `wx.login()` code → openid (+unionid) → the linked or a new user. */
  async wechatLogin(code: string, meta: ClientMeta): Promise<Session & { isNewUser: boolean }> {
    if (!this.wechat.enabled) throw new DomainException(ErrorCode.WeChatNotConfigured, 404);
    const identity = await this.wechat.codeToIdentity(code);
    return this.dataSource.transaction(async (m) => {
      const { user, created } = await this.users.findOrCreateByWeChat(m, identity);
      if (isPasswordOnly(user.roles)) throw new DomainException(ErrorCode.PasswordLoginRequired, 401);
      return { user: this.users.view(user), ...(await this.sessions.open(m, user, 'wechat', meta)), isNewUser: created };
    });
  }

  async refresh(refreshToken: string): Promise<Session> {
    const { userId, tokens } = await this.sessions.refresh(refreshToken);
    const user = await this.users.findById(this.dataSource.manager, userId);
    if (!user) throw new DomainException(ErrorCode.RefreshTokenInvalid, 401);
    return { user: this.users.view(user), ...tokens };
  }

  async logout(sessionId: string | undefined): Promise<void> {
    if (sessionId) await this.sessions.revoke(sessionId);
  }

  /** Checks an SMS code for this phone, counted by the lockout like a password (401 OTP_INVALID …). */
  private async proveCode(phone: string, code: string, meta: ClientMeta): Promise<void> {
    const subject = { phoneIndex: this.users.phoneIndex(phone), ip: meta.ip };
    const attempt = await this.lockout.begin(subject);
    try {
      await this.otp.verify(phone, subject.phoneIndex, code);
    } catch (e) {
      await this.lockout.failed(attempt);
      throw e;
    }
    await this.lockout.succeeded(attempt);
  }
}
