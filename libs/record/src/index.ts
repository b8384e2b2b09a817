export * from './record.tables';
export * from './record-rules';
export * from './credits';
export * from './service-record.service';
export * from './certificates.service';
export * from './record.module';
