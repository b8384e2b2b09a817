export * from './outbox.tables';
export * from './outbox-events';
export * from './outbox-reader';
export * from './outbox.module';
