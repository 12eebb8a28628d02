/**
 * Agreement of our ua-parser port with uap-core's own test fixtures, plus
 * parse throughput.
 *
 *   npx ts-node bench/uap-agreement.ts            (fixtures from /usr/share/uap-core/tests,
 *                                                 Debian package `uap-core`; override with UAP_TESTS_DIR)
 *   npx ts-node bench/uap-agreement.ts --no-throughput
 *
 * What is compared, per fixture case (expected values as strings, YAML null/absent = null):
 *   - test_ua.yaml:     user_agent.family and user_agent.major
 *   - test_os.yaml:     os.family and os.major
 *   - test_device.yaml: device.family, device.brand and device.model
 * A case agrees when all of its compared fields are equal. The "all fields" rate
 * additionally requires minor/patch (ua) and minor/patch/patch_minor (os).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  clearUserAgentCache,
  getUapParser,
  parseUserAgent,
  UAP_CORE_VERSION,
  UapParser,
} from '../src/sessions/insight/user-agent/uap-parser';
import { UAP_CORE_REGEXES } from '../src/sessions/insight/user-agent/regexes/uap-core-regexes';

export const UAP_TESTS_DIR = process.env.UAP_TESTS_DIR ?? '/usr/share/uap-core/tests';
export const FIXTURE_FILES = ['test_ua.yaml', 'test_os.yaml', 'test_device.yaml'] as const;

export interface FixtureCase {
  user_agent_string: string;
  [field: string]: unknown;
}

export interface Agreement {
  file: string;
  compared: string;
  cases: number;
  agree: number;
  rate: number;
  /** Rate when every field of the fixture is compared. */
  allFieldsRate: number;
  mismatches: { ua: string; expected: Record<string, string | null>; got: Record<string, string | null> }[];
}

export function fixturesAvailable(dir = UAP_TESTS_DIR): boolean {
  return FIXTURE_FILES.every((f) => existsSync(join(dir, f)));
}

const fixtureCache = new Map<string, FixtureCase[]>();

export function loadFixture(file: string, dir = UAP_TESTS_DIR): FixtureCase[] {
  const path = join(dir, file);
  let cases = fixtureCache.get(path);
  if (cases === undefined) {
    cases = (parseYaml(readFileSync(path, 'utf8')) as { test_cases: FixtureCase[] }).test_cases;
    fixtureCache.set(path, cases);
  }
  return cases;
}

const str = (v: unknown): string | null =>
  v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);

function agreement(
  file: string,
  cases: FixtureCase[],
  section: 'user_agent' | 'os' | 'device',
  keyFields: string[],
  allFields: string[],
  parser: UapParser,
): Agreement {
  let agree = 0;
  let agreeAll = 0;
  const mismatches: Agreement['mismatches'] = [];
  for (const c of cases) {
    const got = parser.parse(c.user_agent_string)[section] as unknown as Record<string, string | null>;
    const same = (f: string): boolean => got[f] === str(c[f]);
    if (keyFields.every(same)) agree++;
    else if (mismatches.length < 20) {
      mismatches.push({
        ua: c.user_agent_string,
        expected: Object.fromEntries(allFields.map((f) => [f, str(c[f])])),
        got: Object.fromEntries(allFields.map((f) => [f, got[f] ?? null])),
      });
    }
    if (allFields.every(same)) agreeAll++;
  }
  const n = cases.length;
  return {
    file,
    compared: `${section}: ${keyFields.join(' + ')}`,
    cases: n,
    agree,
    rate: n ? agree / n : 0,
    allFieldsRate: n ? agreeAll / n : 0,
    mismatches,
  };
}

/** The three agreement rates over Debian's uap-core fixtures. */
export function computeAgreement(
  dir = UAP_TESTS_DIR,
  parser: UapParser = getUapParser(),
): { ua: Agreement; os: Agreement; device: Agreement } {
  return {
    ua: agreement(
      'test_ua.yaml',
      loadFixture('test_ua.yaml', dir),
      'user_agent',
      ['family', 'major'],
      ['family', 'major', 'minor', 'patch'],
      parser,
    ),
    os: agreement(
      'test_os.yaml',
      loadFixture('test_os.yaml', dir),
      'os',
      ['family', 'major'],
      ['family', 'major', 'minor', 'patch', 'patch_minor'],
      parser,
    ),
    device: agreement(
      'test_device.yaml',
      loadFixture('test_device.yaml', dir),
      'device',
      ['family', 'brand', 'model'],
      ['family', 'brand', 'model'],
      parser,
    ),
  };
}

/** A mix of common UAs (desktop/mobile browsers, bots, HTTP clients). */
export const COMMON_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'curl/8.5.0',
  'python-requests/2.31.0',
  'okhttp/4.12.0',
  'goauthentik.io/outpost/2026.2.0',
  'PostmanRuntime/7.36.0',
  '',
];

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const fmt = (perSec: number): string => `${Math.round(perSec).toLocaleString('en-US')}/s`;

export function throughput(extraCorpus: string[] = []): string[] {
  const lines: string[] = [];
  // first use: lazy translation + compilation of the regexes the UA reaches
  const fresh = new UapParser(UAP_CORE_REGEXES);
  const first = time(() => fresh.parse(COMMON_UAS[0]));
  const all = time(() => new UapParser(UAP_CORE_REGEXES).compileAll());
  lines.push(
    `first parse on a fresh parser (lazy compile): ${(first * 1000).toFixed(1)} ms; compiling all ${UAP_CORE_REGEXES.user_agent_parsers.length + UAP_CORE_REGEXES.os_parsers.length + UAP_CORE_REGEXES.device_parsers.length} rules eagerly: ${(all * 1000).toFixed(0)} ms`,
  );

  const parser = getUapParser();
  for (const ua of COMMON_UAS) parser.parse(ua); // warm (compile) once
  const rounds = 200;
  const uncached = time(() => {
    for (let r = 0; r < rounds; r++) for (const ua of COMMON_UAS) parser.parse(ua);
  });
  lines.push(
    `common-UA mix, uncached (every call runs the regexes): ${fmt((rounds * COMMON_UAS.length) / uncached)} (${((uncached / (rounds * COMMON_UAS.length)) * 1e6).toFixed(1)} us/UA)`,
  );

  const noPrefilter = new UapParser(UAP_CORE_REGEXES, { prefilter: false });
  for (const ua of COMMON_UAS) noPrefilter.parse(ua);
  const np = time(() => {
    for (let r = 0; r < rounds / 4; r++) for (const ua of COMMON_UAS) noPrefilter.parse(ua);
  });
  lines.push(`common-UA mix, uncached, literal prefilter disabled: ${fmt(((rounds / 4) * COMMON_UAS.length) / np)}`);

  clearUserAgentCache();
  const cachedRounds = 20000;
  const cached = time(() => {
    for (let r = 0; r < cachedRounds; r++) for (const ua of COMMON_UAS) parseUserAgent(ua);
  });
  lines.push(`common-UA mix, parseUserAgent() with LRU cache: ${fmt((cachedRounds * COMMON_UAS.length) / cached)}`);

  if (extraCorpus.length) {
    const corpus = [...new Set(extraCorpus)];
    const t = time(() => {
      for (const ua of corpus) parser.parse(ua);
    });
    lines.push(
      `uap-core fixture corpus (${corpus.length} distinct UAs), uncached: ${fmt(corpus.length / t)} (${((t / corpus.length) * 1e6).toFixed(1)} us/UA)`,
    );
  }
  return lines;
}

function main(): void {
  console.log(`uap-core regexes: ${UAP_CORE_VERSION}`);
  const corpus: string[] = [];
  if (!fixturesAvailable()) {
    console.log(`uap-core fixtures not found in ${UAP_TESTS_DIR} (apt-get install uap-core); no agreement rates`);
  } else {
    const r = computeAgreement();
    for (const a of [r.ua, r.os, r.device]) {
      console.log(
        `${a.file}: ${(a.rate * 100).toFixed(2)}% (${a.agree}/${a.cases}) agree on ${a.compared}; all fields: ${(a.allFieldsRate * 100).toFixed(2)}%`,
      );
      for (const m of a.mismatches.slice(0, 5)) console.log(`  mismatch ${JSON.stringify(m)}`);
    }
    for (const f of FIXTURE_FILES) for (const c of loadFixture(f)) corpus.push(c.user_agent_string);
  }
  if (!process.argv.includes('--no-throughput')) for (const line of throughput(corpus)) console.log(line);
}

if (require.main === module) main();
