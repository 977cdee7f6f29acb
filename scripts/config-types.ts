import type * as Joi from 'joi';
import type { KeyMeta } from './config-docs';

/**
 * Renders libs/config/src/env.generated.ts, the `Env` interface and the `ENV_KEYS` list, from the Joi schema's own
 * description, so the schema is the one source of the configuration's keys and types. Generated at
 * `npm run docs:config` time beside the docs: `describe()` is too slow for the fail-fast path, which only reads the
 * generated constants. Pure: `generate-config-docs.ts` writes, the spec compares.
 *
 * Each key's type: `boolean`, `number`, `string`, or the union of the `.valid(...)` literals (less the aliases in
 * `meta.aliases`, which `validateEnv` maps to their target). Optional exactly when the key has neither a default
 * (literal or computed) nor `.required()`; a `.when('$strict', { then: required })` leaves it optional, since outside
 * strict mode it may be unset.
 */

interface TypeDescription {
  type: string;
  flags?: { default?: unknown; description?: string; only?: boolean; presence?: string };
  allow?: unknown[];
  metas?: KeyMeta[];
}

/** Keys `validateEnv` adds to the schema's output: not variables, never read from the environment. */
export const DERIVED_KEYS = [
  { name: 'STRICT', type: 'boolean', doc: 'Strict mode: ENV is `staging`, `prod` or `production`, or CI_STRICT is on.' },
  { name: 'SECRET_KEY_GENERATED', type: 'boolean', doc: 'SECRET_KEY was not set: the random per-process key is in use.' },
] as const;

export interface TypedKey {
  name: string;
  group: string;
  tsType: string;
  optional: boolean;
  doc: string[];
}

export function collectTypedKeys(schema: Joi.ObjectSchema): TypedKey[] {
  const described = schema.describe() as { keys?: Record<string, TypeDescription> };
  return Object.entries(described.keys ?? {}).map(([name, d]) => toTypedKey(name, d));
}

function toTypedKey(name: string, d: TypeDescription): TypedKey {
  const meta: KeyMeta = Object.assign({}, ...(d.metas ?? []));
  const presence = d.flags?.presence;
  if (presence === 'forbidden') throw new Error(`${name}: a forbidden key has no place in Env`);
  const rawDefault = d.flags?.default;
  const doc = [d.flags?.description ?? '(no description)'];
  if (meta.parsedBy) doc.push(`Raw text, validated at boot: parse it with \`${meta.parsedBy}\`.`);
  // A secret's literal default is never written out (as in the docs).
  if (meta.docDefault) doc.push(`@default ${meta.docDefault}`);
  else if (typeof rawDefault === 'function') doc.push('@default computed');
  else if (rawDefault !== undefined && !meta.secret) doc.push(`@default ${literal(rawDefault)}`);
  return {
    name,
    group: meta.group ?? 'Other',
    tsType: tsTypeOf(name, d, meta.aliases ?? {}),
    optional: rawDefault === undefined && presence !== 'required',
    doc,
  };
}

function tsTypeOf(name: string, d: TypeDescription, aliases: Record<string, string>): string {
  if (d.flags?.only) {
    const allowed = d.allow ?? [];
    for (const v of allowed) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) throw new Error(`${name}: .valid() value ${JSON.stringify(v)} has no literal type`);
    }
    for (const [alias, target] of Object.entries(aliases)) {
      if (!allowed.includes(alias) || !allowed.includes(target)) throw new Error(`${name}: alias ${alias} -> ${target} must map one valid value to another`);
    }
    const values = allowed.filter((v) => !(typeof v === 'string' && v in aliases));
    if (values.length === 0) throw new Error(`${name}: .valid() lists no value`);
    return values.map(literal).join(' | ');
  }
  if (Object.keys(aliases).length) throw new Error(`${name}: meta.aliases needs .valid()`);
  if (d.type === 'string' || d.type === 'number' || d.type === 'boolean') return d.type;
  throw new Error(`${name}: no TypeScript type for Joi type '${d.type}': teach scripts/config-types.ts, or use string/number/boolean`);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A value as a TypeScript literal, single-quoted like the rest of the code base. */
function literal(v: unknown): string {
  return typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : String(v);
}

function jsDoc(lines: string[], indent: string, width = 118): string[] {
  const words = lines.map((l) => l.replace(/\*\//g, '*\\/').split(/\s+/).filter(Boolean));
  const out: string[] = [];
  for (const paragraph of words) {
    let line = `${indent} *`;
    for (const word of paragraph) {
      if (line.length + word.length + 1 > width && line !== `${indent} *`) {
        out.push(line);
        line = `${indent} *`;
      }
      line += ` ${word}`;
    }
    out.push(line);
  }
  return [`${indent}/**`, ...out, `${indent} */`];
}

export function renderEnvTypes(schema: Joi.ObjectSchema): string {
  const keys = collectTypedKeys(schema);
  for (const k of keys) if (!IDENTIFIER.test(k.name)) throw new Error(`${k.name}: a configuration key must be an identifier`);
  const derivedNames = new Set<string>(DERIVED_KEYS.map((k) => k.name));
  for (const k of keys) if (derivedNames.has(k.name)) throw new Error(`${k.name}: derived by validateEnv, cannot be a schema key`);

  const lines: string[] = [
    '// Generated from libs/config/src/env.schema.ts by `npm run docs:config`. Do not edit by hand: a unit test',
    '// (scripts/generate-config-docs.spec.ts) fails when this file differs from what the schema generates.',
    '',
    ...jsDoc(
      ["The typed view of the validated environment: the schema's keys, then the ones `validateEnv` derives.", 'Read it through `ConfigService<Env, true>`.'],
      '',
    ),
    'export interface Env {',
  ];
  let group: string | undefined;
  for (const k of keys) {
    if (k.group !== group) {
      if (group !== undefined) lines.push('');
      lines.push(`  // --- ${k.group} ---`);
      group = k.group;
    }
    lines.push(...jsDoc(k.doc, '  '), `  ${k.name}${k.optional ? '?' : ''}: ${k.tsType};`);
  }
  lines.push('', '  // --- derived by validateEnv ---');
  for (const k of DERIVED_KEYS) lines.push(...jsDoc([k.doc], '  '), `  ${k.name}: ${k.type};`);
  lines.push(
    '}',
    '',
    "/** The schema's keys in schema order: what `validateEnv` keeps of the environment, beside the derived keys. */",
    'export const ENV_KEYS = [',
    ...keys.map((k) => `  '${k.name}',`),
    '] as const satisfies ReadonlyArray<keyof Env>;',
    '',
    'export type SchemaEnvKey = (typeof ENV_KEYS)[number];',
    `export type DerivedEnvKey = ${DERIVED_KEYS.map((k) => `'${k.name}'`).join(' | ')};`,
  );
  return `${lines.join('\n')}\n`;
}
