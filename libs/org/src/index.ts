export * from './org.tables';
export * from './team-directory';
export * from './org-admin.service';
export * from './jurisdiction';
export * from './jurisdiction.service';
export * from './staff-change';
export * from './staff-admin.service';
export * from './org.module';
