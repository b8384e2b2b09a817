export * from './queue-contracts';
export * from './redis-connection';
export * from './dispatch-queue';
export * from './queue.module';
export * from './notify-queue';
