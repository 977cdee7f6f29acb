import { HelpRequested, UsageError } from './cli-args';
import { parseRecoverArgs } from './webhooks-recover';

const ID = '3f1c2a9e-8a59-4c59-9f0e-4f7f2f6c1d2b';

describe('cli webhooks recover: arguments', () => {
  it('takes the webhook id first, then --since and an optional --until', () => {
    expect(parseRecoverArgs([ID, '--since', '2026-11-30T10:00:00Z'])).toEqual({ webhookId: ID, since: new Date('2026-11-30T10:00:00Z'), until: undefined });
    expect(parseRecoverArgs([ID, '--since=2026-11-30', '--until', '2026-11-30T12:00:00+01:00'])).toEqual({
      webhookId: ID,
      since: new Date('2026-11-30T00:00:00Z'),
      until: new Date('2026-11-30T11:00:00Z'),
    });
  });

  it.each([
    [[], 'the webhook id is required'],
    [['--since', '2026-11-30'], 'the webhook id is required'],
    [['nope', '--since', '2026-11-30'], 'the webhook id must be a UUID'],
    [[ID], '--since is required'],
    [[ID, '--since', 'yesterday'], '--since must be an ISO 8601 date or date-time'],
    [[ID, '--since', '2026-02-30'], '--since must be an ISO 8601 date or date-time'],
    [[ID, '--since', '2026-11-30', '--until', '2026-11-29'], '--until must be after since'],
    [[ID, '--since', '9999-01-01'], '--since must be in the past'],
    [[ID, '--since', '2026-11-30', 'extra'], 'unexpected argument "extra"'],
    [[ID, '--since', '2026-11-30', '--limit', '3'], 'unknown option --limit'],
  ])('%j is a usage error: %s', (args, message) => {
    expect(() => parseRecoverArgs(args)).toThrow(new UsageError(message));
  });

  it('--help asks for the usage', () => {
    expect(() => parseRecoverArgs([ID, '--help'])).toThrow(HelpRequested);
    expect(() => parseRecoverArgs(['--help'])).toThrow(HelpRequested);
  });
});
