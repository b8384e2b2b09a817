import { Global, Module } from '@nestjs/common';
import { AppConfig, loadConfig } from './app-config';

/**
 * The validated environment. (The `PiiCipher` keyed from it is provided by the global
 * IdentityModule: @xinyuan/common imports this library, so this one cannot import common back.)
 */
@Global()
@Module({
  providers: [{ provide: AppConfig, useFactory: () => loadConfig() }],
  exports: [AppConfig],
})
export class ConfigModule {}
