import {
  CACHE_MAX_ENTRIES,
  clearUserAgentCache,
  deviceClass,
  parseUserAgent,
  translatePythonRegex,
  UAP_CORE_VERSION,
  UapParser,
  userAgentCacheSize,
  type ParsedUserAgent,
} from './uap-parser';
import {
  UAP_CORE_REGEXES,
  type UapDeviceRule,
  type UapOsRule,
  type UapUserAgentRule,
} from './regexes/uap-core-regexes';

const CHROME_WIN =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SAFARI_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';
const CHROME_PIXEL =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

type Expect = [
  string,
  [string, string | null, string | null, string | null],
  [string, string | null, string | null, string | null, string | null],
  [string, string | null, string | null],
];

function build([s, ua, os, dev]: Expect): ParsedUserAgent {
  return {
    string: s,
    user_agent: { family: ua[0], major: ua[1], minor: ua[2], patch: ua[3] },
    os: { family: os[0], major: os[1], minor: os[2], patch: os[3], patch_minor: os[4] },
    device: { family: dev[0], brand: dev[1], model: dev[2] },
  };
}

const OTHER_OS: Expect[2] = ['Other', null, null, null, null];
const OTHER_DEV: Expect[3] = ['Other', null, null];

// Outputs of Python ua-parser's legacy Parse() (authentik's names).
const EXPECTED: Expect[] = [
  [CHROME_WIN, ['Chrome', '120', '0', '0'], ['Windows', '10', null, null, null], OTHER_DEV],
  [SAFARI_MAC, ['Safari', '17', '2', null], ['Mac OS X', '10', '15', '7', null], ['Mac', 'Apple', 'Mac']],
  [SAFARI_IPHONE, ['Mobile Safari', '17', '2', null], ['iOS', '17', '2', null, null], ['iPhone', 'Apple', 'iPhone']],
  [
    CHROME_PIXEL,
    ['Chrome Mobile', '120', '0', '6099'],
    ['Android', '14', null, null, null],
    ['Pixel 8', 'Google', 'Pixel 8'],
  ],
  [FIREFOX_LINUX, ['Firefox', '121', '0', null], ['Linux', null, null, null, null], OTHER_DEV],
  ['curl/8.5.0', ['curl', '8', '5', '0'], OTHER_OS, OTHER_DEV],
  ['python-requests/2.31.0', ['Python Requests', '2', '31', null], OTHER_OS, OTHER_DEV],
  ['goauthentik.io/outpost/2026.2.0', ['Other', null, null, null], OTHER_OS, OTHER_DEV],
  ['', ['Other', null, null, null], OTHER_OS, OTHER_DEV],
];

describe('parseUserAgent (ua-parser legacy Parse compatible)', () => {
  beforeEach(() => clearUserAgentCache());

  it.each(EXPECTED.map((e) => [e[0], e] as const))('parses %j exactly', (_ua, e) => {
    const expected = build(e);
    const got = parseUserAgent(e[0]);
    expect(got).toEqual(expected);
    // same key order as the Python dicts (string, user_agent, os, device, ...)
    expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
    // and again from the cache
    expect(JSON.stringify(parseUserAgent(e[0]))).toBe(JSON.stringify(expected));
  });

  it('uses the vendored uap-core data of authentik 2026.x (commit 69fe63b)', () => {
    expect(UAP_CORE_VERSION).toBe('69fe63b (2025-12-30)');
  });

  it('translates and compiles every vendored regex (ASCII and Unicode variants)', () => {
    const diag = new UapParser(getUapParserData()).compileAll();
    expect(diag.failed).toEqual([]);
    expect(diag.rules).toBe(397 + 204 + 633);
    // JS resets captures inside repeated groups on each iteration, Python does not:
    // no vendored regex depends on that.
    expect(diag.repeatedCaptures).toEqual([]);
  });

  it('returns a fresh object on every call (cache cannot be corrupted)', () => {
    const a = parseUserAgent(CHROME_WIN);
    a.user_agent.family = 'mutated';
    a.device.family = 'mutated';
    expect(parseUserAgent(CHROME_WIN).user_agent.family).toBe('Chrome');
    expect(parseUserAgent(CHROME_WIN).device.family).toBe('Other');
  });

  it('keeps the cache bounded', () => {
    for (let i = 0; i < CACHE_MAX_ENTRIES + 50; i++) parseUserAgent(`curl/${i}.0`);
    expect(userAgentCacheSize()).toBeLessThanOrEqual(CACHE_MAX_ENTRIES);
    expect(parseUserAgent('curl/7.0').user_agent).toEqual({ family: 'curl', major: '7', minor: '0', patch: null });
  });

  it('handles non-ASCII and newline subjects with the exact Unicode variants', () => {
    const r = parseUserAgent(`${CHROME_PIXEL} é`);
    expect(r.user_agent.family).toBe('Chrome Mobile');
    expect(r.device).toEqual({ family: 'Pixel 8', brand: 'Google', model: 'Pixel 8' });
    expect(parseUserAgent(`${SAFARI_IPHONE}\n`).os).toEqual({
      family: 'iOS',
      major: '17',
      minor: '2',
      patch: null,
      patch_minor: null,
    });
  });

  it('gives the same results with and without the literal prefilter, also for non-ASCII subjects', () => {
    const plain = new UapParser(UAP_CORE_REGEXES, { prefilter: false });
    const filtered = new UapParser(UAP_CORE_REGEXES);
    const subjects = EXPECTED.flatMap(([ua]) => [
      ua,
      ua.replace(/i/g, '\u0130'),
      ua.replace(/i/g, '\u0131').replace(/s/g, '\u017f').replace(/k/g, '\u212a'),
      ua.toUpperCase(),
      `${ua}\n`,
    ]);
    subjects.push(
      'Mozilla/5.0 (Linux; Android 14; P\u0130XEL 8) AppleWebKit/537.36 (KHTML, like Gecko) Mobile',
      'Googlebot/2.1',
    );
    for (const ua of subjects) expect([ua, filtered.parse(ua)]).toEqual([ua, plain.parse(ua)]);
  });

  it('rejects non-strings like Python does', () => {
    expect(() => parseUserAgent(undefined as unknown as string)).toThrow(TypeError);
  });
});

function getUapParserData() {
  return UAP_CORE_REGEXES;
}

// ---------------------------------------------------------------------------
// ua-parser legacy semantics on hand-made rules (expected values produced by
// Python's ua_parser.user_agent_parser classes)
// ---------------------------------------------------------------------------

function parser(ua: UapUserAgentRule[] = [], os: UapOsRule[] = [], device: UapDeviceRule[] = []): UapParser {
  return new UapParser({ user_agent_parsers: ua, os_parsers: os, device_parsers: device });
}

describe('legacy parser semantics', () => {
  it('guards versions with match.lastindex (nested groups)', () => {
    expect(parser([{ regex: '(F)/((\\d)\\.(\\d))' }]).parse('F/1.2').user_agent).toEqual({
      family: 'F',
      major: '1.2',
      minor: null,
      patch: null,
    });
  });

  it('turns empty browser versions into null but keeps empty OS versions', () => {
    expect(parser([{ regex: '(Foo)/(\\d*)\\.?(\\d*)' }]).parse('Foo/.').user_agent).toEqual({
      family: 'Foo',
      major: null,
      minor: null,
      patch: null,
    });
    expect(parser([], [{ regex: '(Foo)/(\\d*)\\.?(\\d*)' }]).parse('Foo/.').os).toEqual({
      family: 'Foo',
      major: '',
      minor: '',
      patch: null,
      patch_minor: null,
    });
  });

  it('goes on to the next rule when the family is empty', () => {
    const p = parser([], [{ regex: '(x)?(Bar)/(\\d+)' }, { regex: '(Bar)/(\\d+)' }]);
    expect(p.parse('Bar/7').os).toEqual({ family: 'Bar', major: '7', minor: null, patch: null, patch_minor: null });
    const q = parser([{ regex: '(Zz)?(\\d+)' }, { regex: '(Yy)(\\d+)' }]);
    expect(q.parse('Q 12').user_agent).toEqual({ family: 'Other', major: null, minor: null, patch: null });
  });

  it('substitutes $N like MultiReplace ($0 is the last group, missing groups are empty)', () => {
    const p = parser([], [{ regex: '(a)(b)', os_replacement: '$0-$2-$5' }]);
    expect(p.parse('ab').os).toEqual({ family: 'b-b-', major: 'b', minor: null, patch: null, patch_minor: null });
  });

  it('strips device replacements, empty -> null, model falls back to group 1', () => {
    const p = parser([], [], [{ regex: '(x)?Pixel (\\d)', device_replacement: 'P$2', brand_replacement: '  ' }]);
    expect(p.parse('Pixel 8').device).toEqual({ family: 'P8', brand: null, model: null });
    expect(parser([], [], [{ regex: 'Pixel (\\d)' }]).parse('Pixel 8').device).toEqual({
      family: '8',
      brand: null,
      model: '8',
    });
  });

  it("honours regex_flag: 'i' on device rules", () => {
    expect(parser([], [], [{ regex: '(iphone)', regex_flag: 'i' }]).parse('IPHONE').device).toEqual({
      family: 'IPHONE',
      brand: null,
      model: 'IPHONE',
    });
    expect(parser([], [], [{ regex: '(iphone)' }]).parse('IPHONE').device.family).toBe('Other');
  });

  it('applies re.sub template escapes to $1 in family_replacement', () => {
    const p = parser([{ regex: '(\\S+) Foo', family_replacement: '$1 Bar $1' }]);
    expect(p.parse('a\\tb Foo').user_agent.family).toBe('a\tb Bar a\tb');
  });
});

// ---------------------------------------------------------------------------
// Python `re` -> JS translation (expected values from Python's re.search)
// ---------------------------------------------------------------------------

function group1(regex: string, subject: string): string | null {
  const r = parser([], [{ regex }]).parse(subject).os;
  return r.family === 'Other' ? null : r.family;
}

describe('Python regex translation', () => {
  it.each<[string, string, string | null]>([
    ['(Foo)$', 'Foo\n', 'Foo'],
    ['(Foo)\\Z', 'Foo\n', null],
    ['(a{,2}b)', 'aaab', 'aab'],
    ['(a{b)', 'xa{b', 'a{b'],
    ['(x{}y)', 'x{}y', 'x{}y'],
    ['(a{1}b)', 'ab', 'ab'],
    ['([]a]+)', 'x]a]', ']a]'],
    ['(?i)(foo)', 'FOO', 'FOO'],
    ['(?P<x>a)(?P=x)', 'aa', 'a'],
    ['((?>a+)ab)', 'aaab', null],
    ['(a++b)', 'aab', 'aab'],
    ['(a++a)', 'aaa', null],
    ['(x\\sy)', 'x\x1cy', 'x\x1cy'],
    ['(\\d+)', 'v\u0661\u0662', '\u0661\u0662'],
    ['(\\w+)', '-\u00e9t\u00e9-', '\u00e9t\u00e9'],
    ['(a.b)', 'a\rb', 'a\rb'],
    ['(a.b)', 'a\nb', null],
    ['(\\bt)', '\u00e9t', null],
    ['([\\w-]+)', '-a\u00e9', '-a\u00e9'],
    ['([^\\W\\d]+)', '12ab\u00e9', 'ab\u00e9'],
    ['([\\S]+)', '  ab\u00a0', 'ab'],
    ['(\\x41\\u0042)', 'AB', 'AB'],
    // IGNORECASE: Python matches U+0130/U+0131 against i/I, U+212A against k
    ['(?i)(iphone)', '\u0130PHONE', '\u0130PHONE'],
    ['(?i)([a-z]+)', '-x\u0131\u0130y-', 'x\u0131\u0130y'],
    ['(?i)(k[^i]+)', '\u212a\u0130s', null],
    ['(?i)(k[^i]+)', '\u212aAs', '\u212aAs'],
  ])('%j on %j -> %j', (regex, subject, expected) => {
    expect(group1(regex, subject)).toBe(expected);
  });

  it('rejects constructs it cannot translate instead of mis-translating', () => {
    expect(() => translatePythonRegex('(?i:a)', false, 'unicode')).toThrow(/scoped inline flags/);
    expect(() => translatePythonRegex('(?(1)a|b)', false, 'unicode')).toThrow(/unknown extension/);
    expect(() => translatePythonRegex('\\q', false, 'unicode')).toThrow(/bad escape/);
    expect(() => translatePythonRegex('*a', false, 'unicode')).toThrow(/nothing to repeat/);
  });

  it('derives prefilter literals that every match must contain', () => {
    expect(
      translatePythonRegex('; {0,2}(SGP\\d{3}|SGPT\\d{2})(?: Build|\\) AppleWebKit)', false, 'ascii').literals,
    ).toEqual(['SGP']);
    expect(translatePythonRegex('(Chrome)/(\\d+)', false, 'ascii').literals).toEqual(['Chrome/']);
    expect(translatePythonRegex('(?:Pixel|PIXEL) (\\d)', true, 'ascii').literals).toEqual(['pixel ']);
    expect(translatePythonRegex('(a|)b?', false, 'ascii').literals).toBeNull();
  });

  it('never lets the prefilter reject a UA its regex matches', () => {
    const uas = [...EXPECTED.map((e) => e[0]), 'Googlebot/2.1 (+http://www.google.com/bot.html)', 'SGPT12 Build/x'];
    const data = getUapParserData();
    const rules = [
      ...data.user_agent_parsers.map((r) => [r.regex, false] as const),
      ...data.os_parsers.map((r) => [r.regex, false] as const),
      ...data.device_parsers.map((r) => [r.regex, r.regex_flag === 'i'] as const),
    ];
    for (const [regex, icase] of rules) {
      const t = translatePythonRegex(regex, icase, 'ascii');
      if (t.literals === null) continue;
      const re = new RegExp(t.source, t.flags);
      for (const ua of uas) {
        if (!re.test(ua)) continue;
        const hay = t.literalsIgnoreCase ? ua.toLowerCase() : ua;
        expect([regex, ua, t.literals.some((l) => hay.includes(l))]).toEqual([regex, ua, true]);
      }
    }
  });
});

describe('deviceClass (ua-parser-js 1.x)', () => {
  it.each<[string, string]>([
    [CHROME_WIN, 'desktop'],
    [SAFARI_MAC, 'desktop'],
    [FIREFOX_LINUX, 'desktop'],
    [SAFARI_IPHONE, 'smartphone'],
    [CHROME_PIXEL, 'smartphone'],
    [
      'Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
      'tablet',
    ],
    [
      'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      'tablet',
    ],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot'],
    ['curl/8.5.0', 'other'],
    ['goauthentik.io/outpost/2026.2.0', 'other'],
    ['', 'other'],
    [
      'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/538.1 (KHTML, like Gecko) Version/6.0 TV Safari/538.1',
      'other',
    ],
  ])('%j -> %s', (ua, expected) => {
    expect(deviceClass(ua)).toBe(expected);
  });
});
