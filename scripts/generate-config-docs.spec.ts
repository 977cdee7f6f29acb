import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as Joi from 'joi';
import { ENV_KEYS } from '../libs/config/src/env';
import { envSchema } from '../libs/config/src/env.schema';
import { clearRegisteredSecrets } from '../libs/config/src/mask';
import { validateEnv } from '../libs/config/src/validate-env';
import { collectKeys, renderConfigurationMd, renderEnvExample } from './config-docs';
import { collectTypedKeys, DERIVED_KEYS, renderEnvTypes, type TypedKey } from './config-types';
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

describe('generated Env type (libs/config/src/env.generated.ts)', () => {
  afterEach(() => clearRegisteredSecrets());

  const member = (ts: string, name: string) =>
    ts
      .split('\n')
      .find((l) => l.startsWith(`  ${name}: `) || l.startsWith(`  ${name}?: `))
      ?.trim();

  it('types each key from the schema: number, boolean, string, .valid() literals; optional only without a default or .required()', () => {
    const schema = Joi.object({
      COUNT: Joi.number().integer().min(1).default(3).description('A count.').meta({ group: 'G' }),
      FLAG: Joi.boolean().truthy('1').default(false).description('A flag.'),
      NAME: Joi.string().allow('').description('Unset means none.'),
      MODE: Joi.string()
        .valid('a', 'b', 'long-form')
        .default('a')
        .description('A mode.')
        .meta({ aliases: { 'long-form': 'b' } }),
      LEVEL: Joi.string().valid('x', "it's").required().description('A level.'),
      COMPUTED: Joi.number()
        .default(() => 7)
        .description('Computed */ default.')
        .meta({ docDefault: '`7` or so' }),
      STRICT_ONLY: Joi.string().when('$strict', { is: true, then: Joi.required() }).description('Required in strict mode.'),
      TOKEN: Joi.string().default('real-token-value').description('A token.').meta({ secret: true }),
      RAW: Joi.string().default('0').description('Raw.').meta({ parsedBy: 'parseRaw' }),
    });
    const ts = renderEnvTypes(schema);
    expect(member(ts, 'COUNT')).toBe('COUNT: number;');
    expect(member(ts, 'FLAG')).toBe('FLAG: boolean;');
    expect(member(ts, 'NAME')).toBe('NAME?: string;');
    expect(member(ts, 'MODE')).toBe("MODE: 'a' | 'b';");
    expect(member(ts, 'LEVEL')).toBe("LEVEL: 'x' | 'it\\'s';");
    expect(member(ts, 'COMPUTED')).toBe('COMPUTED: number;');
    expect(member(ts, 'STRICT_ONLY')).toBe('STRICT_ONLY?: string;');
    expect(member(ts, 'STRICT')).toBe('STRICT: boolean;');
    expect(member(ts, 'SECRET_KEY_GENERATED')).toBe('SECRET_KEY_GENERATED: boolean;');
    // JSDoc from .description(), with the default; a `*/` cannot end the comment; a secret default is never written.
    expect(ts).toContain('   * A count.\n   * @default 3\n   */\n  COUNT: number;');
    expect(ts).toContain('   * Computed *\\/ default.\n   * @default `7` or so\n');
    expect(ts).toContain('Raw text, validated at boot: parse it with `parseRaw`.');
    expect(ts).not.toContain('real-token-value');
    expect(ts).toContain(
      "export const ENV_KEYS = [\n  'COUNT',\n  'FLAG',\n  'NAME',\n  'MODE',\n  'LEVEL',\n  'COMPUTED',\n  'STRICT_ONLY',\n  'TOKEN',\n  'RAW',\n] as const",
    );
    expect(ts).toContain('  // --- G ---\n');
  });

  it('refuses what it cannot type instead of guessing', () => {
    expect(() => renderEnvTypes(Joi.object({ LIST: Joi.array().description('x') }))).toThrow(/LIST: no TypeScript type for Joi type 'array'/);
    expect(() =>
      renderEnvTypes(
        Joi.object({
          M: Joi.string()
            .valid('a')
            .meta({ aliases: { b: 'a' } }),
        }),
      ),
    ).toThrow(/alias b -> a/);
    expect(() => renderEnvTypes(Joi.object({ STRICT: Joi.boolean().default(false) }))).toThrow(/derived by validateEnv/);
    expect(() => renderEnvTypes(Joi.object({ 'A-B': Joi.string().default('') }))).toThrow(/must be an identifier/);
  });

  it("ENV_KEYS is the schema's key list, and Env adds exactly the derived keys", () => {
    expect([...ENV_KEYS]).toEqual(Object.keys(envSchema.describe().keys ?? {}));
    expect(DERIVED_KEYS.map((k) => k.name)).toEqual(['STRICT', 'SECRET_KEY_GENERATED']);
  });

  /** The one cast in validateEnv is honest: every value it returns has the type the generated Env gives its key. */
  function expectTypes(env: Record<string, unknown>, keys: TypedKey[]) {
    const wrong: string[] = [];
    for (const k of keys) {
      const value = env[k.name];
      if (value === undefined && k.optional) continue;
      const literals = k.tsType.includes("'") ? k.tsType.split(' | ').map((l) => l.slice(1, -1)) : undefined;
      const ok = literals ? literals.includes(value as string) : typeof value === k.tsType && (k.tsType !== 'number' || Number.isFinite(value));
      if (!ok) wrong.push(`${k.name}: ${JSON.stringify(value)} is not ${k.tsType}`);
    }
    for (const d of DERIVED_KEYS) if (typeof env[d.name] !== d.type) wrong.push(`${d.name}: ${String(env[d.name])}`);
    expect(wrong).toEqual([]);
  }

  it.each([
    ['defaults, not strict', {}],
    [
      'strict, ENV=production (an alias)',
      { ENV: 'production', DATABASE_URL: 'postgresql+asyncpg://u:p@h/db', REDIS_URL: 'redis://h', SECRET_KEY: 'k'.repeat(32) },
    ],
    [
      'everything converted from text',
      {
        CI_STRICT: 'yes',
        LOG_LEVEL: 'debug',
        LOG_PRETTY: 'on',
        PORT: '9000',
        HEALTH_DISK_THRESHOLD_PERCENT: '0.5',
        CORS_ORIGINS: 'https://a.example.com',
        TRUST_PROXY: '2',
        DATABASE_URL: 'postgres://u:p@h/db',
        REDIS_URL: 'redis://h',
        SECRET_KEY: 'k'.repeat(32),
      },
    ],
  ])('validateEnv output matches the generated types (%s)', (_label, raw) => {
    const r = validateEnv(raw);
    expect(r.errors).toEqual([]);
    expectTypes(r.env as unknown as Record<string, unknown>, collectTypedKeys(envSchema));
  });
});
