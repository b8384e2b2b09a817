import { Global, Module } from '@nestjs/common';
import { PiiCipher } from '@xinyuan/common';
import { AppConfig, loadConfig } from './app-config';

/** The validated environment, and the cipher of personal data at rest keyed from it. */
@Global()
@Module({
  providers: [
    { provide: AppConfig, useFactory: () => loadConfig() },
    { provide: PiiCipher, inject: [AppConfig], useFactory: (config: AppConfig) => PiiCipher.fromConfig(config.PII_ENCRYPTION_KEY) },
  ],
  exports: [AppConfig, PiiCipher],
})
export class ConfigModule {}
