import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '@xinyuan/config';
import { AuthGuard } from './auth.guard';
import { IdentityService } from './identity.service';

/** JWT verification for every app (global guard); issuing tokens is used by the api only. */
@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.JWT_SECRET,
        signOptions: { expiresIn: config.JWT_TTL_SECONDS, issuer: 'xinyuan' },
        verifyOptions: { issuer: 'xinyuan', algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [IdentityService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [IdentityService, JwtModule],
})
export class IdentityModule {}
