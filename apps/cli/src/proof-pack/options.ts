import { maskText } from '@app/config/mask';
import { parseOptions, UsageError } from '../cli-args';

export const PROOF_PACK_USAGE = `usage: signalgate-cli proof-pack [--out DIR] [--base-url URL] [--skip-failfast] [--wait-ms N]

  --out DIR          where evidence.md and evidence.json go (default ./evidence/<UTC timestamp>)
  --base-url URL     run step 2 against this running instance instead of one started here
  --skip-failfast    skip step 4 (strict mode without REDIS_URL exits without listening)
  --wait-ms N        how long to wait for /api/ready to settle in steps 2 and 3 (default 30000)

Exit 0 only for GO. Needs DATABASE_URL and REDIS_URL, and the built API beside the CLI (npm run build).
`;

export interface ProofPackOptions {
  out?: string;
  baseUrl?: string;
  skipFailfast: boolean;
  waitMs: number;
}

const OPTIONS = {
  out: { type: 'string' },
  'base-url': { type: 'string' },
  'skip-failfast': { type: 'boolean' },
  'wait-ms': { type: 'string' },
} as const;

/** `proof-pack` arguments; throws UsageError (or HelpRequested for --help). */
export function readProofPackOptions(args: string[]): ProofPackOptions {
  const values = parseOptions(args, OPTIONS);
  const opts: ProofPackOptions = { skipFailfast: values['skip-failfast'] ?? false, waitMs: 30_000 };
  if (values.out !== undefined) opts.out = values.out;
  if (values['base-url'] !== undefined) {
    const v = values['base-url'].replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]+/.test(v)) throw new UsageError(`--base-url must be an http(s) URL (got ${maskText(v)})`);
    opts.baseUrl = v;
  }
  if (values['wait-ms'] !== undefined) {
    const n = Number(values['wait-ms']);
    if (!Number.isInteger(n) || n < 1000 || n > 600_000) throw new UsageError('--wait-ms must be an integer between 1000 and 600000');
    opts.waitMs = n;
  }
  return opts;
}

/** As readProofPackOptions, with a usage problem returned as its message. */
export function parseProofPackArgs(args: string[]): ProofPackOptions | string {
  try {
    return readProofPackOptions(args);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
}
