import type { Env } from '@app/config';
import { EXIT_USAGE, HelpRequested, UsageError } from './cli-args';
import { findCommand, type PreparedCommand, USAGE } from './commands';

export interface CliIo {
  /** Validates the configuration (exits 2 when invalid): called only once the command line is known to be good. */
  loadEnv(): Env;
  out(text: string): void;
  err(text: string): void;
}

const HELP = new Set(['help', '--help', '-h']);

/**
 * The command line of the CLI target: find the command, parse its arguments, and only then validate the
 * configuration and run it. Exit codes: the command's own; EXIT_USAGE (64) for a bad command line; 0 for --help.
 */
export async function runCommandLine(argv: string[], io: CliIo): Promise<number> {
  const [first] = argv;
  if (first === undefined) {
    io.out(USAGE);
    return EXIT_USAGE;
  }
  if (HELP.has(first)) {
    // `help <command>` is the command's --help.
    const named = first === 'help' && argv.length > 1 ? findCommand(argv.slice(1)) : undefined;
    io.out(named ? await named.command.usage() : USAGE);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const words = argv.slice(0, 2).filter((a) => !a.startsWith('-'));
    io.err(`signalgate cli: unknown command "${words.join(' ') || first}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const { command, args } = found;
  let run: PreparedCommand;
  try {
    run = await command.prepare(args);
  } catch (e) {
    if (e instanceof HelpRequested) {
      io.out(await command.usage());
      return 0;
    }
    if (e instanceof UsageError) {
      io.err(`signalgate cli: ${command.words.join(' ')}: ${e.message}\n\n${await command.usage()}`);
      return EXIT_USAGE;
    }
    throw e;
  }
  return run(io.loadEnv());
}
