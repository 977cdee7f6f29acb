import { existsSync } from 'node:fs';
import { type Env, registerSecret, registerUrlSecrets } from '@app/config';
import { builtTargets, warn } from './gate-context';
import type { ProofPackOptions } from './options';
import { ProofPackRun } from './runner';

/**
 * `cli proof-pack` (CONTRACT §7): the Go/No-Go gate of seeds/000_10ec4dc567bf47f2.txt, run by the service itself
 * against the configured PostgreSQL and Redis, with masked evidence (evidence.md + evidence.json) and GO only when
 * steps 1–3 (and 4 unless skipped) pass. Every step runs the built targets as child processes, as an operator would:
 * the CLI for migrations, the API for the ready gate, the negative proof and the fail-fast check.
 */
export async function proofPack(env: Env, opts: ProofPackOptions): Promise<number> {
  if (!env.DATABASE_URL || !env.REDIS_URL) {
    warn('needs DATABASE_URL and REDIS_URL: the gate runs against the external PostgreSQL and Redis the deployment will use');
    return 2;
  }
  // Validation registered these already; registering here keeps the guarantee local to what writes the evidence.
  registerUrlSecrets(env.DATABASE_URL);
  registerUrlSecrets(env.REDIS_URL);
  registerSecret(env.SECRET_KEY);
  const targets = builtTargets();
  for (const file of [targets.cliMain, targets.apiMain]) {
    if (!existsSync(file)) {
      warn(`${file} not found: run \`npm run build\` (the proof pack runs the built targets)`);
      return 2;
    }
  }
  return new ProofPackRun(env, opts).run();
}

export { builtTargets, dependencyState } from './gate-context';
export { parseProofPackArgs, PROOF_PACK_USAGE, type ProofPackOptions, readProofPackOptions } from './options';
export { maskHost } from './runner';
