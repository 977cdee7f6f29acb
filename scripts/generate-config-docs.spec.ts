import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as Joi from 'joi';
import { envSchema } from '../libs/config/src/env.schema';
import { collectKeys, renderConfigurationMd, renderEnvExample } from './config-docs';
import { CONFIG_DOC_FILES, ROOT } from './generate-config-docs';

describe('generated configuration docs', () => {
  it.each(Object.keys(CONFIG_DOC_FILES))('%s matches what the schema generates', (file) => {
    const committed = readFileSync(resolve(ROOT, file), 'utf8');
    const generated = CONFIG_DOC_FILES[file as keyof typeof CONFIG_DOC_FILES]();
    if (committed !== generated) {
      const a = committed.split('\n');
      const b = generated.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      throw new Error(
        `${file} is out of date with libs/config/src/env.schema.ts: run \`npm run docs:config\` and commit the result.\n` +
          `first difference at line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n  generated: ${b[line] ?? '(end of file)'}`,
      );
    }
  });

  it('documents every key of the schema in both files, with a group, a description and a default', () => {
    const md = renderConfigurationMd(envSchema);
    const example = renderEnvExample(envSchema);
    const keys = collectKeys(envSchema);
    expect(keys.length).toBe(Object.keys(envSchema.describe().keys ?? {}).length);
    for (const key of keys) {
      expect(md).toContain(`| \`${key.name}\` |`);
      expect(example).toMatch(new RegExp(`^# ${key.name}=`, 'm'));
      expect(key.group).not.toBe('Other');
      expect(key.description).not.toBe('(no description)');
      expect(key.defaultText).not.toBe('unset');
    }
  });

  it('calls out the strict-mode rules', () => {
    const md = renderConfigurationMd(envSchema);
    expect(md).toContain('| `REDIS_URL` | required |');
    expect(md).toContain('| `SECRET_KEY` | required, at least `32` characters |');
    expect(md).toContain('| `MIGRATE_ON_BOOT` | must be `false` |');
  });

  it('handles a key added later without metadata, and never prints a secret default', () => {
    const schema = Joi.object({
      NEW_LIMIT: Joi.number().integer().min(1).max(9).default(3).description('A new limit.'),
      API_TOKEN: Joi.string().default('real-token-value').description('A token.').meta({ group: 'Security', secret: true }),
    });
    const md = renderConfigurationMd(schema);
    const example = renderEnvExample(schema);
    expect(md).toContain('## Other');
    expect(md).toContain('| `NEW_LIMIT` | `3` | integer `1`–`9` | A new limit. |');
    expect(example).toContain('# NEW_LIMIT=3');
    expect(md).not.toContain('real-token-value');
    expect(example).not.toContain('real-token-value');
    expect(example).toContain('# API_TOKEN=change-me');
  });
});
