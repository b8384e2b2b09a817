export * from './data-source-options';
export * from './database.module';
export * from './migrate';
export * from './create-database';
export * from './entities';
export * from './session-settings';
export * from './lagging-reads';
export * from './replica-staleness';
