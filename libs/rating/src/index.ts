export * from './rating.tables';
export * from './reputation';
export * from './rate-order.use-case';
export * from './rating.module';
