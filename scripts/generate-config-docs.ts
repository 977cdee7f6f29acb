// `npm run docs:config`: regenerates docs/CONFIGURATION.md, .env.example and the `Env` type from the Joi schema.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { envSchema } from '../libs/config/src/env.schema';
import { renderConfigurationMd, renderEnvExample } from './config-docs';
import { renderEnvTypes } from './config-types';

export const ROOT = resolve(__dirname, '..');
export const CONFIG_DOC_FILES = {
  'docs/CONFIGURATION.md': () => renderConfigurationMd(envSchema),
  '.env.example': () => renderEnvExample(envSchema),
  'libs/config/src/env.generated.ts': () => renderEnvTypes(envSchema),
} as const;

if (require.main === module) {
  for (const [file, render] of Object.entries(CONFIG_DOC_FILES)) {
    writeFileSync(resolve(ROOT, file), render());
    process.stdout.write(`wrote ${file}\n`);
  }
}
