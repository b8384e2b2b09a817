export * from './catalog.tables';
export * from './catalog.service';
export * from './catalog.module';
export * from './menu-jurisdiction';
export * from './skill-labels';
