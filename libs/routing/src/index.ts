export * from './matcher';
export * from './matcher-set';
export * from './matcher-list';
