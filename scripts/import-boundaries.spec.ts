import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The lint rule that keeps imports one way (apps -> libs -> migrations; the CLI never reaches into the API).
 * ESLint runs as a child process: its flat config is ESM, which Jest's CommonJS runtime cannot import.
 */
const root = resolve(__dirname, '..');
function restricted(file: string, code: string): number {
  const r = spawnSync(process.execPath, [resolve(root, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: root,
    input: code,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(r.stdout) as Array<{ messages: Array<{ ruleId: string | null }> }>;
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').length;
}

describe('import boundaries (eslint.config.mjs)', () => {
  jest.setTimeout(30_000);

  it('refuses a lib importing from apps/', () => {
    expect(restricted('libs/delivery/src/x.ts', "import { AppModule } from '../../../apps/api/src/app.module';\nexport const y = AppModule;\n")).toBe(1);
  });

  it('refuses the CLI importing from apps/api', () => {
    expect(restricted('apps/cli/src/x.ts', "import { AlertsService } from '../../api/src/alerts/alerts.service';\nexport const y = AlertsService;\n")).toBe(1);
  });

  it('refuses a migration importing from libs/', () => {
    expect(restricted('migrations/x.ts', "import { maskText } from '@app/config';\nexport const y = maskText;\n")).toBe(1);
  });

  it('allows apps importing libs', () => {
    expect(restricted('apps/cli/src/x.ts', "import { DeliveryWorkerModule } from '@app/delivery';\nexport const y = DeliveryWorkerModule;\n")).toBe(0);
  });
});
