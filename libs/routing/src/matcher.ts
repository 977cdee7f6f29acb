import { RE2JS } from 're2js';

/** Alertmanager's four match types. */
export const MATCH_TYPES = ['=', '!=', '=~', '!~'] as const;
export type MatchType = (typeof MATCH_TYPES)[number];

/** Bounds of a webhook's matcher list (docs/DELIVERY.md, "Routing: label matchers"). */
export const MATCHER_LIMITS = { count: 32, name: 128, value: 1024 } as const;

/** One label matcher: `name` compared with `value` by `type`. */
export interface Matcher {
  name: string;
  type: MatchType;
  value: string;
}

/** Alertmanager API v2's shape of a matcher (`is_equal` defaults to true, as Alertmanager's does). */
export interface StructuredMatcher {
  name: string;
  value: string;
  is_regex?: boolean;
  is_equal?: boolean;
}

/** A matcher that cannot be used, and why (the message names no index: the caller knows it). */
export class MatcherError extends Error {}

// Alertmanager's classic parser (pkg/labels/parse.go): Go's \s is [\t\n\f\r ]; '=~' before '=' so '~' is not part of the value.
const WS = '[\\t\\n\\f\\r ]*';
const MATCHER_RE = new RegExp(`^${WS}([a-zA-Z_:][a-zA-Z0-9_:]*)${WS}(=~|=|!=|!~)${WS}([\\s\\S]*?)${WS}$`);
const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * One matcher in Alertmanager's syntax, as its classic `ParseMatcher` reads it: a label name, an operator, and a value
 * that may be double-quoted, with OpenMetrics escapes (`\"`, `\\`, `\n`; any other backslash is literal).
 */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_RE.exec(text);
  if (!m) throw new MatcherError('bad matcher format: expected name, then one of = != =~ !~, then a value');
  const [, name, type, raw] = m;
  let rawValue = raw;
  let expectTrailingQuote = false;
  if (rawValue.startsWith('"')) {
    rawValue = rawValue.slice(1);
    expectTrailingQuote = true;
  }
  let value = '';
  let escaped = false;
  for (let i = 0; i < rawValue.length; i++) {
    const c = rawValue[i];
    if (escaped) {
      escaped = false;
      if (c === 'n') value += '\n';
      else if (c === '"' || c === '\\') value += c;
      else value += '\\' + c; // a spurious escape: the backslash is literal
      continue;
    }
    if (c === '\\') {
      if (i < rawValue.length - 1) escaped = true;
      else value += '\\';
    } else if (c === '"') {
      if (!expectTrailingQuote || i < rawValue.length - 1) throw new MatcherError('value contains an unescaped double quote');
      expectTrailingQuote = false;
    } else {
      value += c;
    }
  }
  if (expectTrailingQuote) throw new MatcherError('value contains an unescaped double quote');
  return checked({ name, type: type as MatchType, value });
}

/** Alertmanager API v2's object form. */
export function fromStructured(input: StructuredMatcher): Matcher {
  const regex = input.is_regex ?? false;
  const equal = input.is_equal ?? true;
  const type: MatchType = regex ? (equal ? '=~' : '!~') : equal ? '=' : '!=';
  return checked({ name: input.name, type, value: input.value });
}

/** Either form, as the API accepts it. */
export function toMatcher(input: unknown): Matcher {
  if (typeof input === 'string') return parseMatcher(input);
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const o = input as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !['name', 'value', 'is_regex', 'is_equal'].includes(k));
    if (extra.length) throw new MatcherError(`unknown field ${extra[0]} (expected name, value, is_regex, is_equal)`);
    if (typeof o.name !== 'string') throw new MatcherError('name must be a string');
    if (typeof o.value !== 'string') throw new MatcherError('value must be a string');
    for (const flag of ['is_regex', 'is_equal'] as const) {
      if (o[flag] !== undefined && typeof o[flag] !== 'boolean') throw new MatcherError(`${flag} must be a boolean`);
    }
    return fromStructured(o as unknown as StructuredMatcher);
  }
  throw new MatcherError('must be a string like team="db" or an object {name, value, is_regex, is_equal}');
}

/** The one form views return and the database stores: `name="value"` with `\\`, `\"` and `\n` escaped (round-trips through `parseMatcher`). */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.type}"${m.value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`;
}

function checked(m: Matcher): Matcher {
  if (!NAME_RE.test(m.name)) throw new MatcherError('name must match [a-zA-Z_:][a-zA-Z0-9_:]*');
  if (m.name.length > MATCHER_LIMITS.name) throw new MatcherError(`name is longer than ${MATCHER_LIMITS.name} characters`);
  if (m.value.length > MATCHER_LIMITS.value) throw new MatcherError(`value is longer than ${MATCHER_LIMITS.value} characters`);
  if (!(m.value as string & { isWellFormed(): boolean }).isWellFormed()) throw new MatcherError('value is not valid Unicode (lone surrogate)');
  if (m.type === '=~' || m.type === '!~') compileAnchored(m.value);
  return m;
}

/** Alertmanager's regex: RE2 syntax, fully anchored exactly as it anchors (`^(?:re)$`). */
export function compileAnchored(source: string): RE2JS {
  try {
    return RE2JS.compile(`^(?:${source})$`);
  } catch (e) {
    throw new MatcherError(`invalid regular expression (RE2 syntax): ${e instanceof Error ? e.message : String(e)}`);
  }
}
