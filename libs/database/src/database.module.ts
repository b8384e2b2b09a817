import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@xinyuan/config';
import { dataSourceOptions } from './data-source-options';
import { LaggingReads } from './lagging-reads';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), migrationsRun: false }),
    }),
  ],
  providers: [LaggingReads],
  exports: [LaggingReads],
})
export class DatabaseModule {}
