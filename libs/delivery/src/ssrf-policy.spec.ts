import { parseCidrList } from '@app/config';
import { SsrfPolicy } from './ssrf-policy';

describe('SsrfPolicy', () => {
  const strict = new SsrfPolicy(true, []);
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:8.8.8.8', '::',
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
    strict.lookup('localhost', {}, (err) => {
      expect((err as { code?: string } | null)?.code).toBe('ESSRF');
      done();
    });
  });
});
