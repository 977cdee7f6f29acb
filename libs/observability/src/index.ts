export * from './logger.module';
export * from './metrics.module';
export * from './metrics.service';
export * from './request-log';
export * from './http-metrics';
export * from './request-path';
