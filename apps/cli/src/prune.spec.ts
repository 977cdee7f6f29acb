import { HelpRequested, UsageError } from './cli-args';
import { parsePruneArgs, PRUNE_USAGE } from './prune';

describe('cli prune arguments', () => {
  it('runs a pass by default; --dry-run only counts', () => {
    expect(parsePruneArgs([])).toEqual({ dryRun: false });
    expect(parsePruneArgs(['--dry-run'])).toEqual({ dryRun: true });
  });

  it('refuses anything else with a one-line usage error; --help is help', () => {
    expect(() => parsePruneArgs(['--dry-run=yes'])).toThrow(new UsageError('--dry-run takes no value'));
    expect(() => parsePruneArgs(['now'])).toThrow(new UsageError('unexpected argument "now"'));
    expect(() => parsePruneArgs(['--force'])).toThrow(new UsageError('unknown option --force'));
    expect(() => parsePruneArgs(['-h'])).toThrow(HelpRequested);
    expect(PRUNE_USAGE).toContain('--dry-run');
  });
});
