import { UsageError } from './cli-args';
import { parseTokenArgs } from './token';

describe('token options', () => {
  it('reads --sub, --scope and --ttl, with defaults', () => {
    expect(parseTokenArgs(['--sub', 'ci-bot'])).toEqual({ sub: 'ci-bot', scopes: ['alerts:read', 'alerts:write', 'webhooks:read'], ttl: 3600 });
    expect(parseTokenArgs(['--sub=ops', '--scope', ' alerts:read  deliveries:write ', '--ttl=15m'])).toEqual({
      sub: 'ops',
      scopes: ['alerts:read', 'deliveries:write'],
      ttl: 900,
    });
    expect(parseTokenArgs(['--sub', 'root', '--scope', 'admin']).scopes).toEqual(['admin']);
  });

  it.each([
    [[], '--sub is required'],
    [['--sub'], '--sub needs a value'],
    [['--sub', 'a', '--ttl', 'forever'], '--ttl must look like 90s, 15m, 1h or 7d (at most 366d)'],
    [['--sub', 'a', '--scope', 'alerts:read root'], /^unknown scope\(s\) root; known: /],
    [['--sub', 'a', '--scope', ''], '--scope needs a value'],
    [['--sub', 'a', '--nope'], 'unknown option --nope'],
    [['--sub', 'a', 'extra'], 'unexpected argument "extra"'],
  ])('%j is a usage error: %s', (args, message) => {
    expect(() => parseTokenArgs(args as string[])).toThrow(UsageError);
    expect(() => parseTokenArgs(args as string[])).toThrow(message);
  });
});
