export * from './cache.module';
export * from './two-tier-cache';
export * from './cache-namespaces';
