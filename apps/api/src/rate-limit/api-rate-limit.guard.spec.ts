import { isLimitedRoute } from './api-rate-limit.guard';

describe('isLimitedRoute (by the route template Fastify matched)', () => {
  it.each(['/api/v1', '/api/v1/alerts', '/api/v1/alerts/:id/acknowledge', '/api/v1/webhooks/:id/recoveries/:rid'])('%s is limited', (r) =>
    expect(isLimitedRoute(r)).toBe(true),
  );
  it.each([undefined, '/api/health/live', '/api/version', '/metrics', '/api/docs', '/api/v10/x', '/api/v1x', '/dashboard'])('%s is not', (r) =>
    expect(isLimitedRoute(r)).toBe(false),
  );
});
