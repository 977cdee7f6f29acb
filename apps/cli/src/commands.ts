import type { Env } from '@app/config';
import { parseOptions } from './cli-args';

/** Runs a command whose arguments have been parsed; only now is the configuration loaded. */
export type PreparedCommand = (env: Env) => Promise<number> | number;

export interface CliCommand {
  /** The words that select it: `migrate up`, `token`. */
  words: readonly string[];
  /** The synopsis and description lines of the overall usage. */
  synopsis: string;
  summary: readonly string[];
  /**
   * Parses the command's arguments (strict node:util.parseArgs), throwing UsageError or HelpRequested, and returns
   * what runs it. Runs before the configuration is validated, so it loads no more than parsing needs: the command's
   * own module (NestJS, TypeORM) is imported only when it runs.
   */
  prepare(args: string[]): Promise<PreparedCommand>;
  /** What `<command> --help` prints, and what follows a usage error. */
  usage(): Promise<string>;
}

/** A command without options: any argument is a usage error. */
function plain(words: string, summary: string, run: PreparedCommand): CliCommand {
  return {
    words: words.split(' '),
    synopsis: words,
    summary: [summary],
    prepare: async (args) => {
      parseOptions(args, {});
      return run;
    },
    usage: async () => `usage: signalgate-cli ${words}\n\n  ${summary}\n`,
  };
}

const migrate = (action: 'up' | 'status' | 'down') => async (env: Env) => (await import('./migrate')).migrate(env, action);

export const COMMANDS: readonly CliCommand[] = [
  plain('config check', 'print the effective configuration (masked); exit 0 when valid', async (env) => (await import('./config-check')).configCheck(env)),
  plain('migrate up', 'apply pending migrations under the advisory lock', migrate('up')),
  plain('migrate status', 'current/head/pending; exit 0 only at head', migrate('status')),
  plain('migrate down', 'revert the last applied migration', migrate('down')),
  plain('db verify', 'connect, print server version, table count, current migration', async (env) => (await import('./db-verify')).dbVerify(env)),
  {
    words: ['token'],
    synopsis: 'token --sub NAME [--scope "..."] [--ttl 1h]',
    summary: [
      'print an API bearer token (HS256, SECRET_KEY); scopes: alerts:read alerts:write',
      'webhooks:read webhooks:write deliveries:write cache:admin, or admin',
    ],
    prepare: async (args) => {
      const { parseTokenArgs, token } = await import('./token');
      const opts = parseTokenArgs(args);
      return (env) => token(env, opts);
    },
    usage: async () => (await import('./token')).TOKEN_USAGE,
  },
  {
    words: ['webhooks', 'recover'],
    synopsis: 'webhooks recover ID --since TS [--until TS]',
    summary: ["requeue the webhook's deliveries that failed in the window (in the background); prints the recovery"],
    prepare: async (args) => {
      const { parseRecoverArgs, webhooksRecover } = await import('./webhooks-recover');
      const opts = parseRecoverArgs(args);
      return (env) => webhooksRecover(env, opts);
    },
    usage: async () => (await import('./webhooks-recover')).RECOVER_USAGE,
  },
  plain('worker', 'run delivery workers without the HTTP server (SIGTERM drains)', async (env) => (await import('./worker')).worker(env)),
  {
    words: ['prune'],
    synopsis: 'prune [--dry-run]',
    summary: ['one retention pass now (old finished deliveries, resolved alerts);', '--dry-run prints the cutoffs and counts, deletes nothing'],
    prepare: async (args) => {
      const { parsePruneArgs, prune } = await import('./prune');
      const opts = parsePruneArgs(args);
      return (env) => prune(env, opts);
    },
    usage: async () => (await import('./prune')).PRUNE_USAGE,
  },
  {
    words: ['proof-pack'],
    synopsis: 'proof-pack [options]',
    summary: [
      'run the Go/No-Go gate, write masked evidence; exit 0 only for GO',
      '(--out DIR, --base-url URL, --skip-failfast, --wait-ms N; see proof-pack --help)',
    ],
    prepare: async (args) => {
      const opts = (await import('./proof-pack/options')).readProofPackOptions(args);
      return async (env) => (await import('./proof-pack')).proofPack(env, opts);
    },
    usage: async () => (await import('./proof-pack/options')).PROOF_PACK_USAGE,
  },
];

const SYNOPSIS_WIDTH = 23;

export const USAGE = `usage: signalgate-cli <command> [--help]

commands:
${COMMANDS.map((c) => {
  const [first, ...rest] = c.summary;
  const head =
    c.synopsis.length < SYNOPSIS_WIDTH ? `  ${c.synopsis.padEnd(SYNOPSIS_WIDTH)}${first}` : `  ${c.synopsis}\n${' '.repeat(SYNOPSIS_WIDTH + 2)}${first}`;
  return [head, ...rest.map((l) => `${' '.repeat(SYNOPSIS_WIDTH + 2)}${l}`)].join('\n');
}).join('\n')}
`;

/** The command `argv` names, and the arguments after its words; undefined when it names none. */
export function findCommand(argv: readonly string[]): { command: CliCommand; args: string[] } | undefined {
  const command = COMMANDS.find((c) => c.words.every((w, i) => argv[i] === w));
  return command && { command, args: argv.slice(command.words.length) };
}
