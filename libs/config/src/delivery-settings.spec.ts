import { validateEnv } from './validate-env';

describe('delivery settings validation', () => {
  it('accepts the defaults and fast test schedules', () => {
    const r = validateEnv({ WEBHOOK_RETRY_SCHEDULE: '0,50ms,1s', WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8, fd00::/8' });
    expect(r.errors).toEqual([]);
    expect(r.env?.WEBHOOK_RETRY_SCHEDULE).toBe('0,50ms,1s');
    expect(validateEnv({}).env).toMatchObject({ WEBHOOK_RETRY_SCHEDULE: '0,5s,5m,30m,2h,5h,10h,10h', WEBHOOK_TIMEOUT_MS: 10000, DELIVERY_CONCURRENCY: 2 });
  });

  it('fails fast with one clear line per bad schedule or CIDR', () => {
    const r = validateEnv({ WEBHOOK_RETRY_SCHEDULE: '0,5 minutes', WEBHOOK_ALLOWED_CIDRS: '10.0.0.0/33', DELIVERY_CONCURRENCY: '-1' });
    expect(r.env).toBeUndefined();
    expect(r.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^WEBHOOK_RETRY_SCHEDULE: must be a comma-separated list/),
        expect.stringMatching(/^WEBHOOK_ALLOWED_CIDRS: must be a comma-separated list of CIDRs/),
        expect.stringMatching(/^DELIVERY_CONCURRENCY: must be at least 0/),
      ]),
    );
  });

  it('DELIVERY_PAUSED_EXPIRE_HOURS: 72 by default, 0 (never) and fractions accepted, negative refused', () => {
    expect(validateEnv({}).env?.DELIVERY_PAUSED_EXPIRE_HOURS).toBe(72);
    expect(validateEnv({ DELIVERY_PAUSED_EXPIRE_HOURS: '0' }).env?.DELIVERY_PAUSED_EXPIRE_HOURS).toBe(0);
    expect(validateEnv({ DELIVERY_PAUSED_EXPIRE_HOURS: '0.0005' }).env?.DELIVERY_PAUSED_EXPIRE_HOURS).toBe(0.0005);
    const r = validateEnv({ DELIVERY_PAUSED_EXPIRE_HOURS: '-1' });
    expect(r.env).toBeUndefined();
    expect(r.errors).toEqual([expect.stringMatching(/^DELIVERY_PAUSED_EXPIRE_HOURS: must be at least 0/)]);
  });
});
