export * from './error-code';
export * from './domain.exception';
export * from './http-exception.filter';
export * from './validation';
export * from './pagination';
export * from './uuid';
export * from './http-app';
export * from './pii';
