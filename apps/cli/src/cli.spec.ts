import type { Env } from '@app/config';
import { type CliIo, runCommandLine } from './cli';
import { COMMANDS, findCommand, USAGE } from './commands';

/** An io whose configuration must not be needed: a usage answer comes before the environment is validated. */
function io(): CliIo & { stdout: string; stderr: string; envLoaded: boolean } {
  const x = {
    stdout: '',
    stderr: '',
    envLoaded: false,
    loadEnv: (): Env => {
      x.envLoaded = true;
      throw new Error('the configuration was loaded');
    },
    out: (t: string) => void (x.stdout += t),
    err: (t: string) => void (x.stderr += t),
  };
  return x;
}

describe('the CLI command line', () => {
  it('finds every command by its words, the rest being its arguments', () => {
    expect(COMMANDS.map((c) => c.words.join(' '))).toEqual([
      'config check',
      'migrate up',
      'migrate status',
      'migrate down',
      'db verify',
      'token',
      'webhooks recover',
      'worker',
      'prune',
      'proof-pack',
    ]);
    expect(findCommand(['migrate', 'status', '--x'])).toEqual({ command: COMMANDS[2], args: ['--x'] });
    expect(findCommand(['token', '--sub', 'a'])?.args).toEqual(['--sub', 'a']);
    expect(findCommand(['migrate'])).toBeUndefined();
    expect(findCommand(['migrate', 'sideways'])).toBeUndefined();
  });

  it('no command: the usage, exit 64; help, --help, -h: the usage, exit 0', async () => {
    for (const [argv, code] of [
      [[], 64],
      [['help'], 0],
      [['--help'], 0],
      [['-h'], 0],
    ] as const) {
      const x = io();
      expect(await runCommandLine([...argv], x)).toBe(code);
      expect(x.stdout).toBe(USAGE);
      expect(x.envLoaded).toBe(false);
    }
    for (const c of COMMANDS) expect(USAGE).toContain(`  ${c.synopsis}`);
  });

  it('an unknown command exits 64 with the usage on stderr, before the configuration is read', async () => {
    const x = io();
    expect(await runCommandLine(['migrate', 'sideways'], x)).toBe(64);
    expect(x.stderr).toBe(`signalgate cli: unknown command "migrate sideways"\n\n${USAGE}`);
    expect(x.envLoaded).toBe(false);
  });

  it.each(COMMANDS.map((c) => [c.words.join(' '), c] as const))('%s: --help prints its usage (exit 0); an unknown option exits 64', async (name, c) => {
    const help = io();
    expect(await runCommandLine([...c.words, '--help'], help)).toBe(0);
    expect(help.stdout.startsWith(`usage: signalgate-cli ${name}`)).toBe(true);
    expect(help.stdout).toBe(await c.usage());

    const helpCommand = io();
    expect(await runCommandLine(['help', ...c.words], helpCommand)).toBe(0);
    expect(helpCommand.stdout).toBe(help.stdout);

    const bad = io();
    expect(await runCommandLine([...c.words, '--no-such-option'], bad)).toBe(64);
    expect(bad.stderr).toBe(`signalgate cli: ${name}: unknown option --no-such-option\n\n${await c.usage()}`);
    expect(bad.stdout).toBe('');
    expect([help.envLoaded, bad.envLoaded]).toEqual([false, false]);
  });

  it.each(['config check', 'migrate up', 'migrate status', 'migrate down', 'db verify', 'worker'])('%s takes no arguments', async (name) => {
    const x = io();
    expect(await runCommandLine([...name.split(' '), 'extra'], x)).toBe(64);
    expect(x.stderr).toContain(`signalgate cli: ${name}: unexpected argument "extra"`);
  });

  it('a good command line loads the configuration and runs the command with its options', async () => {
    const env = { SECRET_KEY: 'k'.repeat(40), SECRET_KEY_GENERATED: true } as Env;
    const x = { ...io(), loadEnv: () => env };
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      // A generated SECRET_KEY is refused by `token` itself (exit 2): proof that the command ran with that env.
      expect(await runCommandLine(['token', '--sub', 'ci'], x)).toBe(2);
      expect(String(write.mock.calls[0]?.[0])).toContain('SECRET_KEY is not set');
    } finally {
      write.mockRestore();
    }
  });
});
