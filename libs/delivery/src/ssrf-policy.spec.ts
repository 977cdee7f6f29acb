import type { LookupAddress, LookupOptions } from 'node:dns';
import { parseCidrList } from '@app/config';
import { SsrfPolicy } from './ssrf-policy';

describe('SsrfPolicy', () => {
  const strict = new SsrfPolicy(true, []);
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:8.8.8.8',
    '::',
    // IPv4-compatible (::/96), as typed and as WHATWG URL normalizes it; NAT64, 6to4 and Teredo embed v4 too
    '::127.0.0.1',
    '::7f00:1',
    '[::7f00:1]',
    '::a00:1',
    '::808:808',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    '2001::1',
  ])('refuses %s in strict mode', (ip) => expect(strict.allows(ip)).toBe(false));

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'])('allows public %s', (ip) => expect(strict.allows(ip)).toBe(true));

  it('allows listed CIDRs (and their IPv4-mapped form), and everything outside strict mode', () => {
    const p = new SsrfPolicy(true, parseCidrList('127.0.0.0/8, fd00::/8')!);
    expect(p.allows('127.0.0.1')).toBe(true);
    expect(p.allows('::ffff:127.0.0.1')).toBe(true);
    expect(p.allows('fd00::5')).toBe(true);
    expect(p.allows('10.0.0.1')).toBe(false);
    expect(new SsrfPolicy(false, []).allows('127.0.0.1')).toBe(true);
  });

  it('checks literals and resolved names', (done) => {
    expect(strict.checkLiteral('127.0.0.1')?.code).toBe('ESSRF');
    expect(strict.checkLiteral('[::1]')?.code).toBe('ESSRF');
    expect(strict.checkLiteral('example.com')).toBeUndefined();
    strict.lookupVia(async () => [{ address: '127.0.0.1', family: 4 }])('localhost', {}, (err) => {
      expect((err as { code?: string } | null)?.code).toBe('ESSRF');
      done();
    });
  });

  describe('lookupVia (the lookup http.request uses)', () => {
    const answers = [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800::1', family: 6 },
    ];
    const call = (policy: SsrfPolicy, options: LookupOptions, resolved: LookupAddress[] | Error = answers) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((ok) =>
        policy.lookupVia(async () => {
          if (resolved instanceof Error) throw resolved;
          return resolved;
        })('hooks.example.com', options, (err, address, family) => ok({ err, address, family })),
      );

    it('hands over the checked addresses: the first, all of them, or one family', async () => {
      expect(await call(strict, {})).toEqual({ err: null, address: '93.184.216.34', family: 4 });
      expect(await call(strict, { all: true })).toEqual({ err: null, address: answers, family: undefined });
      expect(await call(strict, { family: 6 })).toEqual({ err: null, address: '2606:2800::1', family: 6 });
      expect((await call(strict, { family: 4 }, [answers[1]])).err?.code).toBe('ENOTFOUND');
    });

    it('refuses the name when any answer is forbidden (a rebinding answer cannot slip in beside a public one)', async () => {
      const r = await call(strict, { all: true }, [answers[0], { address: '10.0.0.7', family: 4 }]);
      expect(r.err).toMatchObject({ code: 'ESSRF', rule: 'private' });
      expect(r.address).toEqual([]);
    });

    it('passes resolver errors on', async () => {
      const e = Object.assign(new Error('no DNS lookup slot within 1000 ms'), { code: 'EDNSBUSY' });
      expect((await call(strict, {}, e)).err).toBe(e);
    });
  });

  it('names the rule that refused an address', () => {
    expect(strict.blockedRule('127.0.0.1')).toBe('loopback');
    expect(strict.blockedRule('10.0.0.1')).toBe('private');
    expect(strict.blockedRule('::7f00:1')).toBe('ipv4Compatible');
    expect(strict.blockedRule('::ffff:7f00:1')).toBe('ipv4Mapped');
    expect(strict.blockedRule('not-an-ip')).toBe('invalid');
    expect(strict.blockedRule('8.8.8.8')).toBeUndefined();
    expect(strict.checkLiteral('[::7f00:1]')?.message).toMatch(/ipv4Compatible/);
    // an allowlisted IPv6 range still covers ::/96 explicitly
    expect(new SsrfPolicy(true, parseCidrList('::/96')!).allows('::7f00:1')).toBe(true);
  });

  it.each([
    ['http://127.0.0.1:8080/hook', 'loopback'],
    ['http://[::127.0.0.1]/hook', 'ipv4Compatible'],
    ['http://[::ffff:169.254.169.254]/', 'ipv4Mapped'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['https://user:pw@10.0.0.1/x', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'linkLocal'],
    ['http://[fe80::1]/', 'linkLocal'],
  ])('refuses the literal-address URL %s at registration (%s)', (url, rule) => {
    expect(strict.checkUrl(url)?.rule).toBe(rule);
  });

  it('leaves hostnames, public literals and non-URLs to other checks, and allows everything outside strict mode', () => {
    expect(strict.checkUrl('http://localhost:8080/')).toBeUndefined(); // resolved and checked at connect time
    expect(strict.checkUrl('https://hooks.example.com/x')).toBeUndefined();
    expect(strict.checkUrl('https://8.8.8.8/x')).toBeUndefined();
    expect(strict.checkUrl('not a url')).toBeUndefined();
    expect(new SsrfPolicy(false, []).checkUrl('http://127.0.0.1/')).toBeUndefined();
    expect(new SsrfPolicy(true, parseCidrList('127.0.0.0/8')!).checkUrl('http://127.0.0.1:9/')).toBeUndefined();
  });
});
