export * from './webhooks.tables';
export * from './webhook-events';
export * from './signing';
export * from './address-guard';
export * from './guarded-post';
export * from './webhook-endpoints.service';
export * from './webhook-relay';
export * from './webhooks.module';
