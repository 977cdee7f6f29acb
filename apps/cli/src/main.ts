// The separate CLI target (CONTRACT §1). Like the API, it validates the environment before loading anything else.
import { loadEnvOrExit } from '@app/config/load-env';

const USAGE = `usage: signalgate-cli <command>

commands:
  config check           print the effective configuration (masked); exit 0 when valid
  migrate up             apply pending migrations under the advisory lock
  migrate status         current/head/pending; exit 0 only at head
  migrate down           revert the last applied migration
  db verify              connect, print server version, table count, current migration
  token --sub NAME [--scope "..."] [--ttl 1h]
                         print an API bearer token (HS256, SECRET_KEY); scopes: alerts:read alerts:write
                         webhooks:read webhooks:write deliveries:write, or admin
  worker                 run delivery workers without the HTTP server (SIGTERM drains)
  proof-pack [options]   run the Go/No-Go gate, write masked evidence; exit 0 only for GO
                         (--out DIR, --base-url URL, --skip-failfast, --wait-ms N; see proof-pack --help)
`;

async function main(argv: string[]): Promise<number> {
  const [group, sub] = argv;
  // Single-word commands take options after them (token --sub x); two-word ones are "group sub".
  const command = ['token', 'worker'].includes(group) ? group : [group, sub].filter(Boolean).join(' ');
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    process.stdout.write(USAGE);
    return group ? 0 : 64;
  }
  if (group === 'proof-pack' && (sub === '--help' || sub === '-h')) {
    process.stdout.write((await import('./proof-pack')).PROOF_PACK_USAGE);
    return 0;
  }
  const env = loadEnvOrExit('cli');
  if (group === 'proof-pack') return (await import('./proof-pack')).proofPack(env, argv.slice(1));
  switch (command) {
    case 'config check':
      return (await import('./config-check')).configCheck(env);
    case 'migrate up':
    case 'migrate status':
    case 'migrate down':
      return (await import('./migrate')).migrate(env, sub as 'up' | 'status' | 'down');
    case 'db verify':
      return (await import('./db-verify')).dbVerify(env);
    case 'token':
      return (await import('./token')).token(env, argv.slice(1));
    case 'worker':
      return (await import('./worker')).worker(env);
    default:
      process.stderr.write(`signalgate cli: unknown command "${command}"\n\n${USAGE}`);
      return 64;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    // Masked: a driver error can carry a DSN.
    void import('@app/config/mask').then(({ maskText }) => {
      process.stderr.write(`signalgate cli: ${maskText(e instanceof Error ? e.message : String(e))}\n`);
      process.exit(1);
    });
  },
);
