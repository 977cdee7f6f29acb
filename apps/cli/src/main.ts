// The separate CLI target (CONTRACT §1). Like the API, it validates the environment before loading anything else.
import { loadEnvOrExit } from '@app/config/load-env';
import { runCommandLine } from './cli';

runCommandLine(process.argv.slice(2), {
  loadEnv: () => loadEnvOrExit('cli'),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => process.exit(code),
  (e: unknown) => {
    // Masked: a driver error can carry a DSN.
    void import('@app/config/mask').then(({ maskText }) => {
      process.stderr.write(`signalgate cli: ${maskText(e instanceof Error ? e.message : String(e))}\n`);
      process.exit(1);
    });
  },
);
