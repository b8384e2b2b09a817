import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's logger for the apps and the command-line tools. TypeORM's own loggers print a failed
 * query with its parameters — addresses, descriptions, phone ciphertexts — and the driver's error
 * with its stack. Here a failed query is not logged at all: the error reaches the caller, and the
 * HTTP error filter or the job worker logs it (a bug with a correlation id and its stack; an outage
 * as one line). Pool warnings (a connection dropped by the server) are one line each.
 */
export class QuietSqlLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');

  logQuery(): void {}
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message).split('\n')[0]);
  }
}
