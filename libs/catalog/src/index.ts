export * from './service-item.entity';
export * from './catalog.service';
export * from './skill-labels';
