export * from './open311.tables';
export * from './georeport';
export * from './open311-keys.service';
export * from './open311.service';
export * from './open311.module';
