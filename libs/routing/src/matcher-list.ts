import { formatMatcher, MATCHER_LIMITS, MatcherError, toMatcher } from './matcher';

/** What is wrong with a matcher list from a request (naming the matcher by index), or undefined. */
export function matcherListProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'must be an array of matchers (strings like team="db" or objects {name, value, is_regex, is_equal})';
  if (value.length > MATCHER_LIMITS.count) return `at most ${MATCHER_LIMITS.count} matchers (got ${value.length})`;
  for (const [i, item] of value.entries()) {
    try {
      toMatcher(item);
    } catch (e) {
      if (!(e instanceof MatcherError)) throw e;
      return `matcher ${i}${typeof item === 'string' ? ` (${JSON.stringify(item.length > 80 ? item.slice(0, 80) + '…' : item)})` : ''}: ${e.message}`;
    }
  }
  return undefined;
}

/** A validated list in the one form stored and shown (`name="value"`, Alertmanager's own string form), in request order. */
export function canonicalMatchers(value: unknown[]): string[] {
  return value.map((item) => formatMatcher(toMatcher(item)));
}
