import { parseArgs, type ParseArgsConfig } from 'node:util';
import { maskText } from '@app/config/mask';

/** EX_USAGE (sysexits.h): a bad command or option. Configuration errors exit 2, failures 1 (docs/PROOF-PACK.md). */
export const EXIT_USAGE = 64;

/** A bad command line: the CLI prints the message and the command's usage, and exits EXIT_USAGE. */
export class UsageError extends Error {}

/** `--help` / `-h` was given: the CLI prints the command's usage and exits 0. */
export class HelpRequested extends Error {
  constructor() {
    super('help requested');
  }
}

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

type Values<O extends OptionSpecs> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>['values'];

/**
 * One command's arguments through strict `node:util.parseArgs`: no positionals, no unknown options, no option
 * without its value (nor an empty one). `--help`/`-h` is understood by every command. Problems are thrown as a
 * UsageError with a one-line message naming the option, never its value (a value may be a credential).
 */
export function parseOptions<O extends OptionSpecs>(args: string[], options: O): Values<O> {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as const;
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args, options: all, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError(explain(args, all) ?? firstLine(e));
  }
  if (values.help) throw new HelpRequested();
  delete values.help;
  for (const [name, value] of Object.entries(values)) {
    if (value === '') throw new UsageError(`--${name} needs a value`);
  }
  return values as Values<O>;
}

/** parseArgs's own messages are multi-line and vary by Node version: say the same thing in one stable line. */
function explain(args: string[], options: OptionSpecs): string | undefined {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind === 'positional') return `unexpected argument "${maskText(t.value)}"`;
    if (t.kind !== 'option') continue;
    const spec = options[t.name];
    if (!spec) return `unknown option ${t.rawName}`;
    if (spec.type === 'boolean' && t.value !== undefined) return `${t.rawName} takes no value`;
    if (spec.type === 'string' && t.value === undefined) return `${t.rawName} needs a value`;
    if (spec.type === 'string' && !t.inlineValue && t.value?.startsWith('-')) {
      return `${t.rawName} needs a value (one starting with "-" is written ${t.rawName}=-...)`;
    }
  }
  return undefined;
}

function firstLine(e: unknown): string {
  return maskText((e instanceof Error ? e.message : String(e)).split('\n')[0]);
}
