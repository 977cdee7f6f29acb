import type * as Joi from 'joi';

/**
 * Renders docs/CONFIGURATION.md and .env.example from the Joi schema's own description (`schema.describe()`), so
 * every variable the schema gets is documented with its default and rule without anyone editing the docs by hand.
 * Each key carries `.description()`, `.default()` (or `meta.docDefault` when the default is computed) and
 * `.meta({ group, secret?, example?, docDefault? })`. Pure: `generate-config-docs.ts` writes, the spec compares.
 */

export interface KeyMeta {
  group?: string;
  secret?: boolean;
  example?: string;
  docDefault?: string;
  /** A strict-mode rule enforced in a custom validator (which the schema description cannot show). */
  strictRule?: string;
  /** Read by config-types.ts only: valid values `validateEnv` maps to another (`production` -> `prod`). */
  aliases?: Record<string, string>;
  /** Read by config-types.ts only: the function that parses this raw string (`parseTrustProxy.name`). */
  parsedBy?: string;
}

interface RuleDescription {
  name: string;
  args?: Record<string, unknown>;
}

interface WhenDescription {
  ref?: { path?: string[] };
  then?: KeyDescription;
}

interface KeyDescription {
  type: string;
  flags?: { default?: unknown; description?: string; only?: boolean; presence?: string };
  allow?: unknown[];
  rules?: RuleDescription[];
  metas?: KeyMeta[];
  whens?: WhenDescription[];
  truthy?: unknown[];
  falsy?: unknown[];
}

export interface ConfigKey {
  name: string;
  group: string;
  description: string;
  secret: boolean;
  example?: string;
  /** The default as shown to people (already formatted). */
  defaultText: string;
  /** The literal default usable in an env file, when there is one. */
  defaultValue?: string;
  rule: string;
  /** What strict mode adds, when anything. */
  strictRule?: string;
}

const OTHER_GROUP = 'Other';

export function collectKeys(schema: Joi.ObjectSchema): ConfigKey[] {
  const described = schema.describe() as { keys?: Record<string, KeyDescription> };
  return Object.entries(described.keys ?? {}).map(([name, d]) => toConfigKey(name, d));
}

/** Groups in the order the schema first mentions them; keys in schema order inside each. */
export function groupKeys(keys: ConfigKey[]): Array<[string, ConfigKey[]]> {
  const groups = new Map<string, ConfigKey[]>();
  for (const key of keys) {
    const list = groups.get(key.group) ?? [];
    list.push(key);
    groups.set(key.group, list);
  }
  return [...groups.entries()];
}

function toConfigKey(name: string, d: KeyDescription): ConfigKey {
  const meta: KeyMeta = Object.assign({}, ...(d.metas ?? []));
  const rawDefault = d.flags?.default;
  // A computed default (a function) has no literal value: its doc comes from `meta.docDefault`.
  const hasLiteralDefault = ['string', 'number', 'boolean'].includes(typeof rawDefault);
  const defaultValue = hasLiteralDefault ? String(rawDefault) : undefined;
  let defaultText: string;
  if (meta.docDefault) defaultText = meta.docDefault;
  else if (meta.secret) defaultText = defaultValue === undefined ? 'unset' : 'built in (not shown)';
  else if (defaultValue === '') defaultText = 'empty';
  else if (defaultValue !== undefined) defaultText = `\`${defaultValue}\``;
  else defaultText = 'unset';
  return {
    name,
    group: meta.group ?? OTHER_GROUP,
    description: d.flags?.description ?? '(no description)',
    secret: meta.secret === true,
    example: meta.example,
    defaultText,
    defaultValue: meta.secret ? undefined : defaultValue,
    rule: describeRule(d),
    strictRule: describeStrict(d, meta),
  };
}

function describeRule(d: KeyDescription): string {
  const parts: string[] = [];
  if (d.type === 'boolean') {
    const truthy = ['true', ...(d.truthy ?? []).map(String)];
    const falsy = ['false', ...(d.falsy ?? []).map(String)];
    parts.push(`boolean: ${truthy.map((v) => `\`${v}\``).join('/')} or ${falsy.map((v) => `\`${v}\``).join('/')}`);
  } else if (d.flags?.only && d.allow?.length) {
    parts.push(`one of ${d.allow.map((v) => `\`${String(v)}\``).join(', ')}`);
  } else {
    parts.push(numberOrStringRule(d));
  }
  return parts.filter(Boolean).join('; ');
}

function numberOrStringRule(d: KeyDescription): string {
  const rules = d.rules ?? [];
  const arg = (name: string) => rules.find((r) => r.name === name)?.args?.limit as number | undefined;
  const min = arg('min');
  const max = arg('max');
  if (d.type === 'number') {
    if (rules.some((r) => r.name === 'port')) return 'TCP port `0`–`65535`';
    const kind = rules.some((r) => r.name === 'integer') ? 'integer' : 'number';
    // Exclusive bounds (`greater`/`less`, also what `.positive()` means) read differently from inclusive ones.
    const above = arg('greater');
    const below = arg('less');
    const bounds: string[] = [];
    if (min !== undefined && max !== undefined) return `${kind} \`${min}\`–\`${max}\``;
    if (min !== undefined) bounds.push(`≥ \`${min}\``);
    if (above !== undefined) bounds.push(`> \`${above}\``);
    if (max !== undefined) bounds.push(`≤ \`${max}\``);
    if (below !== undefined) bounds.push(`< \`${below}\``);
    return bounds.length ? `${kind} ${bounds.join(', ')}` : kind;
  }
  if (d.type === 'string') {
    if (min !== undefined && max !== undefined) return `string, \`${min}\`–\`${max}\` characters`;
    if (min !== undefined) return `string, at least \`${min}\` characters`;
    if (max !== undefined) return `string, at most \`${max}\` characters`;
    return 'string';
  }
  return d.type;
}

/** Reads `.when('$strict', { is: true, then })` clauses. */
function describeStrict(d: KeyDescription, meta: KeyMeta): string | undefined {
  const out: string[] = [];
  if (meta.strictRule) out.push(meta.strictRule);
  for (const w of d.whens ?? []) {
    if (w.ref?.path?.[0] !== 'strict' || !w.then) continue;
    const t = w.then;
    if (t.flags?.presence === 'required') out.push('required');
    if (t.flags?.only && t.allow?.length) out.push(`must be ${t.allow.map((v) => `\`${String(v)}\``).join(' or ')}`);
    const min = t.rules?.find((r) => r.name === 'min')?.args?.limit;
    if (min !== undefined) out.push(t.type === 'string' ? `at least \`${String(min)}\` characters` : `at least \`${String(min)}\``);
  }
  return out.length ? out.join(', ') : undefined;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderConfigurationMd(schema: Joi.ObjectSchema): string {
  const keys = collectKeys(schema);
  const lines: string[] = [
    '# Configuration',
    '',
    '<!-- Generated from libs/config/src/env.schema.ts by `npm run docs:config`. Do not edit by hand: a unit test',
    '     (scripts/generate-config-docs.spec.ts) fails when this file differs from what the schema generates. -->',
    '',
    'Signalgate reads its configuration from environment variables, and from a `.env` file in the current working',
    'directory when there is one (`cp .env.example .env` to start one; it is git-ignored). The real environment always',
    'wins over `.env`, and the process says which file it read. Both targets, the API (`dist/apps/api/main.js`) and',
    'the CLI (`dist/apps/cli/main.js`), read the same way and validate the result against the same Joi schema before',
    'anything else is loaded; a malformed `.env` line is reported like any invalid variable (by line number, its',
    'content never printed).',
    '',
    '**Strict mode** is on when `ENV` is `staging`, `prod` or `production`, or when `CI_STRICT` is `1`/`true`.',
    'It turns the development conveniences off: `DATABASE_URL`, `REDIS_URL` and a `SECRET_KEY` of at least 32',
    'characters become required, no embedded PostgreSQL is started, and the API never migrates on boot (run',
    '`cli migrate up` first; `scripts/start-prod.sh` does).',
    '',
    '**Fail fast.** An invalid configuration is reported before any database or Redis connection is attempted and',
    'before any port is opened: the process prints every problem at once, one line each naming the variable and the',
    'rule (values masked), and exits with code `2`. `node dist/apps/cli/main.js config check` prints the effective',
    'configuration, masked, and exits `0` when it is valid.',
    '',
    'Empty values (`REDIS_URL=` in an env file) count as unset. Credentials inside URLs must be percent-encoded',
    '(`#` as `%23`, `/` as `%2F`, `@` as `%40`, `:` as `%3A`); they are masked as `***` in every log line, error',
    'and evidence file.',
    '',
  ];

  const strictKeys = keys.filter((k) => k.strictRule);
  if (strictKeys.length) {
    lines.push('## Strict-mode rules', '', '| variable | in strict mode |', '| --- | --- |');
    for (const k of strictKeys) lines.push(`| \`${k.name}\` | ${cell(k.strictRule ?? '')} |`);
    lines.push('');
  }

  for (const [group, groupKeysList] of groupKeys(keys)) {
    lines.push(`## ${group}`, '', '| variable | default | rule | description |', '| --- | --- | --- | --- |');
    for (const k of groupKeysList) {
      const rule = k.strictRule ? `${k.rule}; **strict: ${k.strictRule}**` : k.rule;
      const secret = k.secret ? ' *Secret: masked in all output.*' : '';
      lines.push(`| \`${k.name}\` | ${cell(k.defaultText)} | ${cell(rule)} | ${cell(k.description)}${secret} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** A value safe to show for a secret: the schema's placeholder example, never a default or a real value. */
function secretPlaceholder(k: ConfigKey): string {
  return k.example ?? 'change-me';
}

export function renderEnvExample(schema: Joi.ObjectSchema): string {
  const keys = collectKeys(schema);
  const lines: string[] = [
    '# Signalgate environment: every variable the service reads, with its default.',
    '# Generated from libs/config/src/env.schema.ts by `npm run docs:config`; do not edit by hand.',
    '# Full reference: docs/CONFIGURATION.md.',
    '#',
    '# `cp .env.example .env`: both targets read .env from the current working directory (the real environment',
    '# wins over it). Everything is commented out: unset variables take the default shown. Secrets are',
    "# placeholders: never commit real values (.env and .env.staging are git-ignored; or use your orchestrator's",
    '# secret store).',
    '',
  ];
  for (const [group, list] of groupKeys(keys)) {
    lines.push(`# ----- ${group} -----`, '');
    for (const k of list) {
      lines.push(...wrapComment(k.description));
      const facts = [`default: ${k.defaultText.replace(/`/g, '')}`, `rule: ${k.rule.replace(/`/g, '')}`];
      if (k.strictRule) facts.push(`strict: ${k.strictRule.replace(/`/g, '')}`);
      lines.push(`# (${facts.join('; ')})`);
      let value: string;
      if (k.secret) value = secretPlaceholder(k);
      else value = k.defaultValue ?? k.example ?? '';
      lines.push(`# ${k.name}=${value}`, '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function wrapComment(text: string, width = 110): string[] {
  const out: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > width && line !== '#') {
      out.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  if (line !== '#') out.push(line);
  return out;
}
