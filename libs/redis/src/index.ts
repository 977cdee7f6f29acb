export * from './redis-options';
export * from './redis-ping';
export * from './redis.module';
