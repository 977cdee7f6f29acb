import { HelpRequested, parseOptions, UsageError } from './cli-args';

const OPTIONS = { out: { type: 'string' }, quiet: { type: 'boolean' } } as const;

const problem = (args: string[]) => {
  try {
    parseOptions(args, OPTIONS);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`no usage error for ${JSON.stringify(args)}`);
};

describe('parseOptions (strict node:util.parseArgs)', () => {
  it('reads string and boolean options, with or without =, the last occurrence winning', () => {
    expect(parseOptions([], OPTIONS)).toEqual({});
    expect(parseOptions(['--out', 'a', '--quiet', '--out=b'], OPTIONS)).toEqual({ out: 'b', quiet: true });
    // A value may contain "=" and start with "-" when written inline.
    expect(parseOptions(['--out=-x=1'], OPTIONS)).toEqual({ out: '-x=1' });
  });

  it('names the problem in one line: unknown option, missing or empty value, value on a flag, stray argument', () => {
    expect(problem(['--nope'])).toBe('unknown option --nope');
    expect(problem(['-x'])).toBe('unknown option -x');
    expect(problem(['--out'])).toBe('--out needs a value');
    expect(problem(['--out='])).toBe('--out needs a value');
    expect(problem(['--out', '--quiet'])).toMatch(/^--out needs a value \(one starting with "-" is written --out=-\.\.\.\)$/);
    expect(problem(['--quiet=yes'])).toBe('--quiet takes no value');
    expect(problem(['extra'])).toBe('unexpected argument "extra"');
    expect(problem(['--', '--out'])).toBe('unexpected argument "--out"');
  });

  it('never echoes the value of an unknown option, and masks a stray argument', () => {
    expect(problem(['--password=hunter2-secret'])).toBe('unknown option --password');
    expect(problem(['postgresql://u:hunter2-secret@db/x'])).not.toContain('hunter2-secret');
  });

  it('understands --help and -h for every command', () => {
    expect(() => parseOptions(['--help'], OPTIONS)).toThrow(HelpRequested);
    expect(() => parseOptions(['--out', 'a', '-h'], {})).toThrow(UsageError);
    expect(() => parseOptions(['-h'], {})).toThrow(HelpRequested);
  });
});
