import fc from 'fast-check';
import { formatMatcher, type Matcher, parseMatcher } from './matcher';
import { compileMatchers, type RoutableAlert, routingLabels } from './matcher-set';

const decide = (matchers: string[], alert: RoutableAlert) => compileMatchers(matchers.map(parseMatcher))(routingLabels(alert));
const alert = (labels: Record<string, string>, severity = 'warning', source: string | null = null): RoutableAlert => ({ labels, severity, source });

describe('compileMatchers (Alertmanager semantics)', () => {
  it('no matchers: every alert', () => {
    expect(decide([], alert({}))).toBe(true);
  });

  it('ANDs the matchers', () => {
    expect(decide(['team="db"', 'env=~"prod|staging"'], alert({ team: 'db', env: 'staging' }))).toBe(true);
    expect(decide(['team="db"', 'env=~"prod|staging"'], alert({ team: 'db', env: 'dev' }))).toBe(false);
  });

  it('a missing label equals the empty string', () => {
    expect(decide(['team=""'], alert({}))).toBe(true);
    expect(decide(['team!="db"'], alert({}))).toBe(true);
    expect(decide(['team=~".*"'], alert({}))).toBe(true);
    expect(decide(['team=~".+"'], alert({}))).toBe(false);
    expect(decide(['team!~""'], alert({}))).toBe(false);
  });

  it('anchors regexes fully, as ^(?:re)$', () => {
    expect(decide(['env=~"prod"'], alert({ env: 'production' }))).toBe(false);
    expect(decide(['env=~"prod|staging"'], alert({ env: 'xstaging' }))).toBe(false);
    expect(decide(['env=~"prod.*"'], alert({ env: 'production' }))).toBe(true);
    expect(decide(['env!~"prod"'], alert({ env: 'production' }))).toBe(true);
  });

  it('follows RE2: . stops at a newline unless (?s); (?i) works; \\pL is a Unicode class', () => {
    expect(decide(['m=~"a.b"'], alert({ m: 'a\nb' }))).toBe(false);
    expect(decide(['m=~"(?s)a.b"'], alert({ m: 'a\nb' }))).toBe(true);
    expect(decide(['m=~"(?i)ERROR"'], alert({ m: 'error' }))).toBe(true);
    expect(decide(['m=~"\\\\pL+"'], alert({ m: 'héllo' }))).toBe(true);
  });

  it('severity and source are labels where the alert has none of that name; its own label wins', () => {
    expect(decide(['severity="critical"'], alert({}, 'critical'))).toBe(true);
    expect(decide(['source="probe"'], alert({}, 'info', 'probe'))).toBe(true);
    expect(decide(['source=""'], alert({}, 'info', null))).toBe(true);
    expect(decide(['severity="page"'], alert({ severity: 'page' }, 'critical'))).toBe(true);
    expect(decide(['severity="critical"'], alert({ severity: 'page' }, 'critical'))).toBe(false);
    expect(decide(['source="am"'], alert({ source: 'am' }, 'info', 'alertmanager'))).toBe(true);
  });
});

/**
 * The property: Signalgate's decision (parse the canonical string, compile, evaluate on routingLabels) equals a reference
 * written here from Alertmanager's documented semantics, independently: look each label up by hand (a missing one is
 * ''), compare, and for regexes use JavaScript's own engine on `^(?:re)$`. The generated regexes use only constructs
 * where RE2 and JavaScript agree (literals, ., [..], [^..], |, *, +, ?, {m,n}, groups) and values only characters where
 * `.` means the same (no \r, \u2028, \u2029).
 */
describe('property: Signalgate vs a reference evaluator', () => {
  const NAMES = ['team', 'env', 'severity', 'source', 'x'];
  const CHARS = ['a', 'b', 'c', '-', '.', '\n', 'é'];
  const value = fc.array(fc.constantFrom(...CHARS), { maxLength: 4 }).map((cs) => cs.join(''));
  const atom = fc.oneof(fc.constantFrom('a', 'b', 'c', '-', 'é', '.', '[ab]', '[^a]', '\\.', '[a-c]'), fc.constantFrom('(a|b)', '(ab|c)', '(?:b)', ''));
  const piece = fc.tuple(atom, fc.constantFrom('', '', '*', '+', '?', '{1,2}')).map(([a, q]) => (a === '' ? '' : a + q));
  const regex = fc
    .tuple(fc.array(piece, { maxLength: 4 }), fc.array(piece, { maxLength: 3 }), fc.boolean())
    .map(([l, r, alt]) => (alt ? `${l.join('')}|${r.join('')}` : l.join('')));
  const matcher = fc.oneof(
    fc.record({ name: fc.constantFrom(...NAMES), type: fc.constantFrom('=' as const, '!=' as const), value }),
    fc.record({ name: fc.constantFrom(...NAMES), type: fc.constantFrom('=~' as const, '!~' as const), value: regex }),
  );
  const labels = fc.dictionary(fc.constantFrom(...NAMES), value, { maxKeys: 5 });
  const routable = fc.record({ labels, severity: fc.constantFrom('critical', 'high', 'warning', 'info', 'a'), source: fc.option(value, { nil: null }) });

  function reference(ms: Matcher[], a: RoutableAlert): boolean {
    return ms.every(({ name, type, value: v }) => {
      let actual: string;
      if (name in a.labels) actual = a.labels[name];
      else if (name === 'severity') actual = a.severity;
      else if (name === 'source') actual = a.source ?? '';
      else actual = '';
      if (type === '=') return actual === v;
      if (type === '!=') return actual !== v;
      const hit = new RegExp(`^(?:${v})$`, 'u').test(actual);
      return type === '=~' ? hit : !hit;
    });
  }

  it('agrees on generated label sets and matchers', () => {
    fc.assert(
      fc.property(fc.array(matcher, { maxLength: 4 }), routable, (ms, a) => {
        expect(decide(ms.map(formatMatcher), a)).toBe(reference(ms, a));
      }),
      { numRuns: 3000 },
    );
  });
});
