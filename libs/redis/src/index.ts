export * from './deadline';
export * from './live-event-bus';
export * from './redis-breaker';
export * from './redis-options';
export * from './redis-ping';
export * from './redis.module';
