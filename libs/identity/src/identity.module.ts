import { createSecretKey } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { Clock, createClock, PiiCipher } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { AuthRedis } from './auth-redis';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { IdentityService } from './identity.service';
import { LoginLockout } from './login-lockout';
import { OtpService } from './otp.service';
import { SessionRevocations } from './session-revocations';
import { SessionService } from './session.service';
import { createSmsSender, SmsSender } from './sms-sender';
import { HttpWeChatAdapter, WeChatAuthAdapter } from './wechat-auth';

/**
 * JWT verification with session revocation for every app (global guard); logins, sessions, SMS
 * codes and WeChat are used by the api only. Also provides the `PiiCipher` (key from
 * PII_ENCRYPTION_KEY) the apps encrypt personal data with, and the `Clock` time-based rules read
 * (CLOCK_FILE in tests): every app imports this module, and common cannot be provided by config.
 */
@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // a KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse it
        // as a public key on every sign and verify, which was the largest single cost of a request
        secret: createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8')) as unknown as string,
        signOptions: { expiresIn: config.JWT_TTL_SECONDS, issuer: 'xinyuan', algorithm: 'HS256' },
        verifyOptions: { issuer: 'xinyuan', algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [
    { provide: PiiCipher, inject: [AppConfig], useFactory: (config: AppConfig) => PiiCipher.fromConfig(config.PII_ENCRYPTION_KEY) },
    { provide: Clock, inject: [AppConfig], useFactory: (config: AppConfig) => createClock(config) },
    { provide: SmsSender, inject: [AppConfig], useFactory: createSmsSender },
    { provide: WeChatAuthAdapter, useClass: HttpWeChatAdapter },
    AuthRedis,
    SessionRevocations,
    SessionService,
    LoginLockout,
    OtpService,
    IdentityService,
    AuthService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [IdentityService, AuthService, SessionService, SessionRevocations, LoginLockout, PiiCipher, Clock, JwtModule, AuthRedis],
})
export class IdentityModule {}
