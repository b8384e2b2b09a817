import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { IdentityService, UserView } from './identity.service';
import { LoginLockout } from './login-lockout';
import { OtpSent, OtpService } from './otp.service';
import { PasswordHasher } from './password-hasher';
import { normalizePhone } from './phone-number';
import { ClientMeta, SessionService, Tokens } from './session.service';
import { WeChatAuthAdapter } from './wechat-auth';

/** What every login answers: the contract's `{user, accessToken}` plus the refresh token and lifetime. */
export interface Session extends Tokens {
  user: UserView;
}

/**
 * The ways to sign in — password (staff, volunteers), SMS code and WeChat (residents) — and the
 * session lifecycle after it (refresh, logout). Every login is one transaction: the user (when
 * first seen) and the session are written together or not at all.
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
  ) {}

  async register(input: { phone: string; password: string; name: string }, meta: ClientMeta): Promise<Session> {
    return this.dataSource.transaction(async (m) => {
      const user = await this.users.createResident(m, input);
      if (!user) throw DomainException.conflict(ErrorCode.PhoneTaken);
      return { user: this.users.view(user), ...(await this.sessions.open(m, user, 'register', meta)) };
    });
  }

  /** Password login. Locked phones/IPs get 429 before the password is even looked at. */
  async passwordLogin(input: { phone: string; password: string }, meta: ClientMeta): Promise<Session> {
    const subject = { phoneIndex: this.users.phoneIndex(input.phone), ip: meta.ip };
    await this.lockout.assertNotLocked(subject);
    const user = await this.users.findByPhoneWithPassword(subject.phoneIndex);
    const ok = await PasswordHasher.verify(user?.passwordHash ?? (await this.dummyHash), input.password);
    if (!user || !user.passwordHash || !ok) {
      await this.lockout.recordFailure(subject);
      throw new DomainException(ErrorCode.InvalidCredentials, 401);
    }
    await this.lockout.recordSuccess(subject);
    // one statement writes the session and its first refresh token
    return { user: this.users.view(user), ...(await this.sessions.open(this.dataSource.manager, user, 'password', meta)) };
  }

  /** Sends a login code. Answers the same whether or not the phone has an account. */
  async sendSmsCode(phone: string, meta: ClientMeta): Promise<OtpSent> {
    const normal = normalizePhone(phone);
    const phoneIndex = this.users.phoneIndex(normal);
    // a locked phone gets no new codes either: they could not be used
    await this.lockout.assertNotLocked({ phoneIndex, ip: meta.ip });
    return this.otp.send(normal, phoneIndex);
  }

  /** SMS login; the first login with a phone creates a resident account. */
  async smsLogin(input: { phone: string; code: string; name?: string }, meta: ClientMeta): Promise<Session & { isNewUser: boolean }> {
    const normal = normalizePhone(input.phone);
    const subject = { phoneIndex: this.users.phoneIndex(normal), ip: meta.ip };
    await this.lockout.assertNotLocked(subject);
    try {
      await this.otp.verify(normal, subject.phoneIndex, input.code);
    } catch (e) {
      await this.lockout.recordFailure(subject);
      throw e;
    }
    await this.lockout.recordSuccess(subject);
    return this.dataSource.transaction(async (m) => {
      const { user, created } = await this.users.findOrCreateByPhone(m, normal, input.name);
      return { user: this.users.view(user), ...(await this.sessions.open(m, user, 'sms', meta)), isNewUser: created };
    });
  }

  /** WeChat mini-program login: `wx.login()` code → openid (+unionid) → the linked or a new user. */
  async wechatLogin(code: string, meta: ClientMeta): Promise<Session & { isNewUser: boolean }> {
    if (!this.wechat.enabled) throw new DomainException(ErrorCode.WeChatNotConfigured, 404);
    const identity = await this.wechat.codeToIdentity(code);
    return this.dataSource.transaction(async (m) => {
      const { user, created } = await this.users.findOrCreateByWeChat(m, identity);
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
}
