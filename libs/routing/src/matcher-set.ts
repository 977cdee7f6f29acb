import { compileAnchored, type Matcher } from './matcher';

/** An alert as matchers see it: its labels, plus severity and source where it has no label of that name. */
export interface RoutableAlert {
  labels: Record<string, string>;
  severity: string;
  source: string | null;
}

/**
 * The label set matchers run on. The alert's own labels win: a `severity` or `source` label (as Alertmanager payloads
 * carry) is matched as sent, and the alert's severity and source fields stand in only where no such label exists, so
 * one Alertmanager routing config means the same here.
 */
export function routingLabels(alert: RoutableAlert): Record<string, string> {
  const labels: Record<string, string> = { severity: alert.severity, ...alert.labels };
  if (alert.source !== null && !Object.hasOwn(alert.labels, 'source')) labels.source = alert.source;
  return labels;
}

type Test = (labels: Record<string, string>) => boolean;

/** Cheapest first: equality tests, then regexes, so most non-matching webhooks are ruled out by a string compare. */
const COST: Record<Matcher['type'], number> = { '=': 0, '!=': 0, '=~': 1, '!~': 1 };

/**
 * Matchers compiled once: true when every matcher holds (AND; none holds for every alert). A missing label is the
 * empty string, as in Alertmanager.
 */
export function compileMatchers(matchers: Matcher[]): Test {
  const tests = [...matchers].sort((a, b) => COST[a.type] - COST[b.type]).map(compileOne);
  return (labels) => {
    for (const test of tests) if (!test(labels)) return false;
    return true;
  };
}

function compileOne({ name, type, value }: Matcher): Test {
  const get = (labels: Record<string, string>) => (Object.hasOwn(labels, name) ? labels[name] : '');
  switch (type) {
    case '=':
      return (labels) => get(labels) === value;
    case '!=':
      return (labels) => get(labels) !== value;
    case '=~': {
      const re = compileAnchored(value);
      return (labels) => re.matches(get(labels));
    }
    case '!~': {
      const re = compileAnchored(value);
      return (labels) => !re.matches(get(labels));
    }
  }
}
