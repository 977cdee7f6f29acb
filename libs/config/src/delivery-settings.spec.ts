import { parseDnsServers } from './delivery-settings';
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

  it("DELIVERY_DNS_SERVERS: IP addresses with optional ports, empty for the system's; anything else fails fast", () => {
    expect(parseDnsServers('')).toEqual([]);
    expect(parseDnsServers('10.0.0.2, 127.0.0.1:5353,[fd00::53]:53, ::1')).toEqual(['10.0.0.2', '127.0.0.1:5353', '[fd00::53]:53', '::1']);
    for (const bad of ['dns.example.com', '10.0.0.2:0', '10.0.0.2:70000', '[fd00::53', '127.1', '10.0.0.2:53:53']) expect(parseDnsServers(bad)).toBeUndefined();
    expect(validateEnv({}).env).toMatchObject({
      DELIVERY_DNS_SERVERS: '',
      DELIVERY_DNS_TIMEOUT_MS: 1000,
      DELIVERY_DNS_TRIES: 2,
      DELIVERY_DNS_MAX_CONCURRENT: 128,
    });
    expect(validateEnv({ DELIVERY_DNS_SERVERS: 'dns.example.com' }).errors).toEqual([
      expect.stringMatching(/^DELIVERY_DNS_SERVERS: must be a comma-separated list of IP addresses/),
    ]);
  });
});
