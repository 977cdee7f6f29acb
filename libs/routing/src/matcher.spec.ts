import { formatMatcher, type Matcher, MatcherError, MATCHER_LIMITS, parseMatcher, toMatcher } from './matcher';

const m = (name: string, type: Matcher['type'], value: string): Matcher => ({ name, type, value });

/** Cases from Alertmanager's pkg/labels/parse_test.go that apply to one matcher (its list syntax, braces and commas, is not ours). */
describe('parseMatcher (Alertmanager classic syntax)', () => {
  it.each<[string, Matcher]>([
    [`foo=bar`, m('foo', '=', 'bar')],
    [`foo="bar"`, m('foo', '=', 'bar')],
    [`foo=~bar.*`, m('foo', '=~', 'bar.*')],
    [`foo=~"bar.*"`, m('foo', '=~', 'bar.*')],
    [`foo!=bar`, m('foo', '!=', 'bar')],
    [`foo!="bar"`, m('foo', '!=', 'bar')],
    [`foo!~bar.*`, m('foo', '!~', 'bar.*')],
    [`foo!~"bar.*"`, m('foo', '!~', 'bar.*')],
    [`instance=~"some-api.*"`, m('instance', '=~', 'some-api.*')],
    [`foo=""`, m('foo', '=', '')],
    [`foo="bar,quux"`, m('foo', '=', 'bar,quux')],
    [` foo = "bar" `, m('foo', '=', 'bar')],
    [`quote="She said: \\"Hi, ladies! That's gender-neutral…\\""`, m('quote', '=', `She said: "Hi, ladies! That's gender-neutral…"`)],
    [`statuscode=~"5.."`, m('statuscode', '=~', '5..')],
    [`tricky=~~~`, m('tricky', '=~', '~~')],
    [`trickier==\\\\=\\=\\"`, m('trickier', '=', `=\\=\\="`)],
    [`contains_quote != "\\"" `, m('contains_quote', '!=', '"')],
    [`contains_comma !~ "foo,bar" `, m('contains_comma', '!~', 'foo,bar')],
    [`foo=bar}`, m('foo', '=', 'bar}')],
    [`foo=bar\\t`, m('foo', '=', 'bar\\t')],
    [`foo=bar\\n`, m('foo', '=', 'bar\n')],
    [`foo=bar\\`, m('foo', '=', 'bar\\')],
    [`foo=bar\\\\`, m('foo', '=', 'bar\\')],
    [`foo=bar\\"`, m('foo', '=', 'bar"')],
    [`job=`, m('job', '=', '')],
    [`foo='`, m('foo', '=', `'`)],
    ['foo=`', m('foo', '=', '`')],
    [`a:b_c=x`, m('a:b_c', '=', 'x')],
  ])('%s', (input, want) => {
    expect(parseMatcher(input)).toEqual(want);
  });

  it.each<[string, RegExp]>([
    [`job="value`, /unescaped double quote/],
    [`job=value"`, /unescaped double quote/],
    [`trickier==\\\\=\\=\\""`, /unescaped double quote/],
    [`contains_unescaped_quote = foo"bar`, /unescaped double quote/],
    [`invalid-name = "valid label"`, /bad matcher format/],
    [`foo=~"invalid[regexp"`, /missing closing \]/],
    [`"foo=\\"bar"`, /bad matcher format/],
    [`,`, /bad matcher format/],
    [`{foo=bar}`, /bad matcher format/],
    [`foo`, /bad matcher format/],
    [`foo=~"(?=x)"`, /invalid or unsupported Perl syntax/],
    [`foo=~"a{1001}"`, /invalid repeat count/],
    [`foo=~"\\1"`, /invalid escape sequence/],
  ])('refuses %s', (input, why) => {
    expect(() => parseMatcher(input)).toThrow(MatcherError);
    expect(() => parseMatcher(input)).toThrow(why);
  });

  it('bounds name and value length', () => {
    expect(() => parseMatcher(`${'a'.repeat(MATCHER_LIMITS.name + 1)}=x`)).toThrow(/name is longer than 128/);
    expect(parseMatcher(`${'a'.repeat(MATCHER_LIMITS.name)}=x`).name).toHaveLength(128);
    expect(() => parseMatcher(`a="${'x'.repeat(MATCHER_LIMITS.value + 1)}"`)).toThrow(/value is longer than 1024/);
    expect(() => parseMatcher(`a=~"${'x'.repeat(MATCHER_LIMITS.value + 1)}"`)).toThrow(/value is longer than 1024/);
  });

  it('refuses a lone surrogate', () => {
    expect(() => parseMatcher('a="\ud800"')).toThrow(/not valid Unicode/);
  });
});

describe('toMatcher (both accepted forms)', () => {
  it.each<[object, Matcher]>([
    [{ name: 'team', value: 'db' }, m('team', '=', 'db')],
    [{ name: 'team', value: 'db', is_equal: false }, m('team', '!=', 'db')],
    [{ name: 'env', value: 'prod|staging', is_regex: true }, m('env', '=~', 'prod|staging')],
    [{ name: 'env', value: 'prod.*', is_regex: true, is_equal: false }, m('env', '!~', 'prod.*')],
  ])('structured %j', (input, want) => {
    expect(toMatcher(input)).toEqual(want);
  });

  it.each<[unknown, RegExp]>([
    [{ name: 'a-b', value: 'x' }, /name must match/],
    [{ name: 'a', value: 1 }, /value must be a string/],
    [{ value: 'x' }, /name must be a string/],
    [{ name: 'a', value: 'x', is_regex: 'yes' }, /is_regex must be a boolean/],
    [{ name: 'a', value: 'x', isRegex: true }, /unknown field isRegex/],
    [{ name: 'a', value: '(', is_regex: true }, /invalid regular expression/],
    [42, /must be a string like/],
    [null, /must be a string like/],
  ])('refuses %j', (input, why) => {
    expect(() => toMatcher(input)).toThrow(why);
  });
});

describe('formatMatcher (the canonical form)', () => {
  it.each([`team="db"`, `env=~"prod|staging"`, `x!="a\\"b\\\\c\\nd"`, `y!~""`])('%s is already canonical', (s) => {
    expect(formatMatcher(parseMatcher(s))).toBe(s);
  });

  it('round-trips any value through the parser', () => {
    for (const value of ['', ' ', '"', '\\', '\\n', '\n', 'a,b', '"quoted"', ' spaced ', '\\"', 'x\\']) {
      const matcher = m('k', '=', value);
      expect(parseMatcher(formatMatcher(matcher))).toEqual(matcher);
    }
  });

  it('gives one form for the string and the object', () => {
    expect(formatMatcher(toMatcher('env =~ prod'))).toBe(formatMatcher(toMatcher({ name: 'env', value: 'prod', is_regex: true })));
  });
});
