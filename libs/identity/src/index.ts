export * from './user.entity';
export * from './auth-user';
export * from './auth.decorators';
export * from './auth.guard';
export * from './password-hasher';
export * from './identity.service';
export * from './identity.module';
