import { clearRegisteredSecrets, maskText, maskUrl, registerSecret, registerUrlSecrets } from './mask';

describe('maskUrl (CONTRACT §6)', () => {
  it.each([
    ['postgresql://user:PASS@host:5432/db', 'postgresql://user:***@host:5432/db'],
    ['postgresql+asyncpg://user:PASS@host:5432/db', 'postgresql+asyncpg://user:***@host:5432/db'],
    ['redis://:PASS@host:6379/0', 'redis://:***@host:6379/0'],
    ['rediss://default:PASS@cache.example.com:6380/1', 'rediss://default:***@cache.example.com:6380/1'],
    ['postgres://u:p%40ss%21%23%24%25%2F%3A@db:5432/app', 'postgres://u:***@db:5432/app'],
    ['postgres://u:p@ss!#$%/:w@db:5432/app', 'postgres://u:***@db:5432/app'],
    ['postgres://u:pw@[::1]:5432/app', 'postgres://u:***@[::1]:5432/app'],
    ['postgres://u:pw@[2001:db8::7]:6432/app?sslmode=require', 'postgres://u:***@[2001:db8::7]:6432/app?sslmode=require'],
  ])('%s → %s', (input, expected) => {
    expect(maskUrl(input)).toBe(expected);
  });

  it('keeps a user-only URL as it is: there is no password to hide', () => {
    expect(maskUrl('postgres://readonly@db:5432/app')).toBe('postgres://readonly@db:5432/app');
  });

  it('masks a password-only URL', () => {
    expect(maskUrl('redis://:only-a-password@r:6379')).toBe('redis://:***@r:6379');
  });

  it('leaves URLs without credentials alone', () => {
    expect(maskUrl('postgresql://db:5432/app')).toBe('postgresql://db:5432/app');
    expect(maskUrl('redis://127.0.0.1:6379/0')).toBe('redis://127.0.0.1:6379/0');
  });

  it('masks passwords in query strings', () => {
    expect(maskUrl('postgresql://db/app?user=u&password=hunter22&sslmode=require')).toBe('postgresql://db/app?user=u&password=***&sslmode=require');
    expect(maskUrl('postgresql://u@db/app?sslpassword=certpw')).toBe('postgresql://u@db/app?sslpassword=***');
  });

  it('masks a malformed URL rather than leaking it', () => {
    const out = maskUrl('postgres://user:pa ss@word@host/db');
    expect(out).not.toContain('pa ss');
    expect(out).not.toContain('word@host');
    expect(out).toBe('postgres://user:***@host/db');
    expect(maskUrl('user:secretpw@host:5432')).toBe('user:***@host:5432');
  });
});

describe('maskText', () => {
  afterEach(() => clearRegisteredSecrets());

  it('masks several URLs inside one error message', () => {
    const msg = 'could not connect to postgresql://app:pg-Secret1@db:5432/app, fallback redis://:rd-Secret2@cache:6379/0 also failed';
    const out = maskText(msg);
    expect(out).toBe('could not connect to postgresql://app:***@db:5432/app, fallback redis://:***@cache:6379/0 also failed');
  });

  it('masks URLs inside JSON and quotes', () => {
    const out = maskText(JSON.stringify({ a: 'postgres://u:jsonpw@h/db', b: "'redis://:qpw@h:1/0'" }));
    expect(out).not.toMatch(/jsonpw|qpw/);
    expect(out).toContain('postgres://u:***@h/db');
  });

  it('masks two URLs written back to back', () => {
    const out = maskText('postgres://u:first@h/db?next=redis://:second@h2:6379');
    expect(out).not.toMatch(/first|second/);
  });

  it('replaces registered secrets wherever they appear, raw or percent-encoded', () => {
    registerSecret('sup3r/s3cr@t');
    expect(maskText('key is sup3r/s3cr@t here')).toBe('key is *** here');
    expect(maskText('encoded sup3r%2Fs3cr%40t here')).toBe('encoded *** here');
  });

  it('learns the password of a registered URL, even when a driver prints it bare', () => {
    registerUrlSecrets('postgresql://app:p%23ss%2Fw0rd@db:5432/app');
    expect(maskText('password authentication failed: p#ss/w0rd')).toBe('password authentication failed: ***');
    expect(maskText('password authentication failed: p%23ss%2Fw0rd')).toBe('password authentication failed: ***');
  });

  it('leaves ordinary text untouched', () => {
    expect(maskText('GET /api/ready 200 in 3 ms')).toBe('GET /api/ready 200 in 3 ms');
  });
});
