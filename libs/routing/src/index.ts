export * from './matcher';
export * from './matcher-set';
