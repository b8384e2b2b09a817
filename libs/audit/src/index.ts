export * from './audit-policy';
export * from './audit-log';
export * from './audit-http';
export * from './audit.module';
export * from './audit.tables';
