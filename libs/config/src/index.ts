export * from './env';
export * from './env.schema';
export * from './mask';
export * from './validate-env';
export * from './load-env';
export * from './dotenv';
export * from './child-env';
export * from './delivery-settings';
