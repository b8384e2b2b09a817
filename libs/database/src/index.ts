export * from './data-source-options';
export * from './database.module';
export * from './migrate';
export * from './create-database';
export * from './query-deadline';
export * from './quiet-sql-logger';
