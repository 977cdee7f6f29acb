export * from './check-result';
export * from './deep-health-section';
export * from './drain-state.service';
export * from './health.module';
export * from './health.service';
export * from './readiness.service';
export * from './single-inflight-call';
export { registerBuildInfo } from './health-metrics';
