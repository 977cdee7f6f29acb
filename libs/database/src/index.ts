export * from './database-options';
export * from './embedded-postgres';
export * from './migration-runner';
export * from './migration-state';
export * from './net';
export * from './resolve-database-url';
export * from './database-connector.service';
export * from './database.module';
