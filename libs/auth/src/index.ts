export * from './jwt-token';
