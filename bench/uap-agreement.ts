/**
 * Agreement of our ua-parser port with uap-core's official fixtures, plus parse throughput.
 *
 *   npx ts-node bench/uap-agreement.ts                    (fixtures shipped in test/fixtures/uap-core)
 *   UAP_TESTS_DIR=<dir> npx ts-node bench/uap-agreement.ts  (test_*.yaml of another uap-core snapshot)
 *   npx ts-node bench/uap-agreement.ts --no-throughput
 *
 * Compared per case: every field ua-parser's legacy Parse() returns for the fixture's section, expected
 * values as strings, YAML null/absent = null; a case agrees when all of them are equal:
 *   test_ua.yaml:     user_agent family, major, minor, patch
 *   test_os.yaml:     os family, major, minor, patch, patch_minor
 *   test_device.yaml: device family, brand, model
 * Some test_ua.yaml cases also carry a patch_minor: legacy Parse() has no user_agent.patch_minor, so
 * there is nothing of ours to compare it with (uap-python's own tests drop it too, uap-core#562).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { UAP_CORE_REGEXES } from '../src/sessions/insight/user-agent/regexes/uap-core-regexes';
import {
  clearUserAgentCache,
  getUapParser,
  parseUserAgent,
  UAP_CORE_VERSION,
  UapParser,
} from '../src/sessions/insight/user-agent/uap-parser';

/** The fixtures of the vendored rules' snapshot, written beside them by vendor-uap-core.mjs. */
export const SHIPPED_FIXTURES_DIR = join(__dirname, '../test/fixtures/uap-core');
export const UAP_TESTS_DIR = process.env.UAP_TESTS_DIR || SHIPPED_FIXTURES_DIR;

type Section = 'user_agent' | 'os' | 'device';

export interface FixtureSpec {
  file: string;
  section: Section;
  /** Every field of this section in Parse()'s result; all are compared. */
  fields: readonly string[];
  /** Fixture keys legacy Parse() has no counterpart for. */
  notCompared: readonly string[];
}

export const FIXTURE_SPECS: readonly FixtureSpec[] = [
  {
    file: 'test_ua.yaml',
    section: 'user_agent',
    fields: ['family', 'major', 'minor', 'patch'],
    notCompared: ['patch_minor'],
  },
  {
    file: 'test_os.yaml',
    section: 'os',
    fields: ['family', 'major', 'minor', 'patch', 'patch_minor'],
    notCompared: [],
  },
  { file: 'test_device.yaml', section: 'device', fields: ['family', 'brand', 'model'], notCompared: [] },
];

export interface FixtureCase {
  user_agent_string: string;
  /** Expected values; a field absent from the YAML case is null here. */
  expected: Record<string, string | null>;
}

export type Fields = Record<string, string | null>;

export interface Agreement {
  file: string;
  section: Section;
  fields: readonly string[];
  cases: number;
  /** Cases whose every field agrees. */
  agree: number;
  rate: number;
  /** Per field: cases where that field agrees. */
  fieldAgree: Record<string, number>;
  /** Cases with this fixture key that are not compared (see FixtureSpec.notCompared). */
  notCompared: Record<string, number>;
  /** The first mismatches (at most MAX_MISMATCHES). */
  mismatches: { ua: string; expected: Fields; got: Fields }[];
}

const MAX_MISMATCHES = 20;
const fixtureCache = new Map<string, FixtureCase[]>();

type RawCase = Record<string, unknown>;

const FIXTURE_LINE = /^( {2}- | {4})([a-z_]+):(?: +(.*))?$/;
const SINGLE_QUOTED = /^'(?:[^']|'')*'$/;
const DOUBLE_QUOTED_PLAIN = /^"[^"\\]*"$/;

/**
 * Reads the layout uap-core's fixture files are written in (`test_cases:`, then flat mappings whose
 * values are empty, single-quoted, or double-quoted without escapes) about ten times faster than a
 * general YAML parse (~1 s for the three files, 3.6 MB). Returns null at the first other line: the caller
 * then uses the yaml library, so an unusual file is read slowly rather than wrongly.
 */
export function readFixtureLayout(text: string): RawCase[] | null {
  const lines = text.split('\n');
  if (lines[0]?.replace(/[ \t\r]+$/, '') !== 'test_cases:') return null;
  const cases: RawCase[] = [];
  let current: RawCase | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].replace(/[ \t\r]+$/, '');
    if (line === '' || /^ *#/.test(line)) continue;
    const m = FIXTURE_LINE.exec(line);
    if (m === null) return null;
    const [, indent, key, raw] = m;
    let value: string | null;
    if (raw === undefined) value = null;
    else if (SINGLE_QUOTED.test(raw)) value = raw.slice(1, -1).replace(/''/g, "'");
    else if (DOUBLE_QUOTED_PLAIN.test(raw)) value = raw.slice(1, -1);
    else return null;
    if (indent.includes('-')) cases.push((current = {}));
    else if (current === null || key in current) return null;
    current[key] = value;
  }
  return cases;
}

/** The test_cases of a fixture file; `yaml` forces the general YAML parser. */
export function readFixtureCases(text: string, reader: 'fast' | 'yaml' = 'fast'): RawCase[] {
  const fast = reader === 'fast' ? readFixtureLayout(text) : null;
  if (fast !== null) return fast;
  const doc = parseYaml(text) as { test_cases?: unknown } | null;
  if (!Array.isArray(doc?.test_cases)) throw new Error('no test_cases list');
  return doc.test_cases as RawCase[];
}

/**
 * Read one fixture file strictly: a key the spec does not know, or a value that YAML did not read as a
 * string (an unquoted number would be compared wrongly), fails instead of being skipped.
 */
export function loadFixture(spec: FixtureSpec, dir = UAP_TESTS_DIR): FixtureCase[] {
  const path = join(dir, spec.file);
  const cached = fixtureCache.get(path);
  if (cached !== undefined) return cached;
  if (!existsSync(path)) throw new Error(`uap-core fixture ${path} not found`);
  const known = new Set(['user_agent_string', ...spec.fields, ...spec.notCompared]);
  const cases = readFixtureCases(readFileSync(path, 'utf8')).map((raw, i): FixtureCase => {
    for (const [k, v] of Object.entries(raw)) {
      if (!known.has(k)) throw new Error(`${path} case ${i}: unknown key ${k}`);
      if (v !== null && typeof v !== 'string') throw new Error(`${path} case ${i}: ${k} is not a string`);
    }
    const ua = raw.user_agent_string;
    if (typeof ua !== 'string') throw new Error(`${path} case ${i}: no user_agent_string`);
    const expected: Fields = {};
    for (const f of [...spec.fields, ...spec.notCompared]) expected[f] = (raw[f] as string | null | undefined) ?? null;
    return { user_agent_string: ua, expected };
  });
  fixtureCache.set(path, cases);
  return cases;
}

export function agreement(spec: FixtureSpec, cases: FixtureCase[], parser: UapParser): Agreement {
  const fieldAgree = Object.fromEntries(spec.fields.map((f) => [f, 0]));
  const notCompared = Object.fromEntries(spec.notCompared.map((f) => [f, 0]));
  const mismatches: Agreement['mismatches'] = [];
  let agree = 0;
  for (const c of cases) {
    const got = parser.parse(c.user_agent_string)[spec.section] as unknown as Fields;
    let all = true;
    for (const f of spec.fields) {
      if (got[f] === c.expected[f]) fieldAgree[f]++;
      else all = false;
    }
    for (const f of spec.notCompared) if (c.expected[f] !== null) notCompared[f]++;
    if (all) agree++;
    else if (mismatches.length < MAX_MISMATCHES) {
      const pick = (o: Fields): Fields => Object.fromEntries(spec.fields.map((f) => [f, o[f] ?? null]));
      mismatches.push({ ua: c.user_agent_string, expected: pick(c.expected), got: pick(got) });
    }
  }
  const n = cases.length;
  return { ...spec, cases: n, agree, rate: n ? agree / n : 0, fieldAgree, notCompared, mismatches };
}

/** Agreement over the three fixture files, in FIXTURE_SPECS order. */
export function computeAgreement(dir = UAP_TESTS_DIR, parser: UapParser = getUapParser()): Agreement[] {
  return FIXTURE_SPECS.map((spec) => agreement(spec, loadFixture(spec, dir), parser));
}

export function formatAgreement(a: Agreement): string[] {
  const pct = (k: number): string => `${((a.cases ? k / a.cases : 0) * 100).toFixed(2)}%`;
  const perField = a.fields.map((f) => `${f} ${a.fieldAgree[f]}`).join(', ');
  const lines = [`${a.file}: ${pct(a.agree)} (${a.agree}/${a.cases}) agree on every ${a.section} field; ${perField}`];
  for (const [f, k] of Object.entries(a.notCompared)) {
    if (k) lines.push(`  ${k} cases give a ${f}, not compared (legacy Parse() has no ${a.section}.${f})`);
  }
  for (const m of a.mismatches.slice(0, 5)) lines.push(`  mismatch ${JSON.stringify(m)}`);
  return lines;
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
  const ruleCount =
    UAP_CORE_REGEXES.user_agent_parsers.length +
    UAP_CORE_REGEXES.os_parsers.length +
    UAP_CORE_REGEXES.device_parsers.length;
  lines.push(
    `first parse on a fresh parser (lazy compile): ${(first * 1000).toFixed(1)} ms; compiling all ${ruleCount} rules eagerly: ${(all * 1000).toFixed(0)} ms`,
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
    const firstPass = time(() => {
      for (const ua of corpus) parser.parse(ua);
    });
    // steady state: every regex the corpus reaches is compiled; the best of a few passes filters out noise
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      best = Math.min(
        best,
        time(() => {
          for (const ua of corpus) parser.parse(ua);
        }),
      );
    }
    lines.push(
      `fixture corpus (${corpus.length} distinct UAs), uncached: ${fmt(corpus.length / best)} (${((best / corpus.length) * 1e6).toFixed(1)} us/UA; first pass with lazy compiles ${(firstPass * 1000).toFixed(0)} ms)`,
    );
  }
  return lines;
}

function main(): void {
  console.log(`uap-core rules: ${UAP_CORE_VERSION} (regexes.yaml sha256 ${UAP_CORE_REGEXES.sha256})`);
  console.log(`fixtures: ${UAP_TESTS_DIR}`);
  const corpus: string[] = [];
  let cases = 0;
  let agree = 0;
  for (const a of computeAgreement()) {
    for (const line of formatAgreement(a)) console.log(line);
    cases += a.cases;
    agree += a.agree;
  }
  console.log(`all files: ${((agree / cases) * 100).toFixed(2)}% (${agree}/${cases})`);
  for (const spec of FIXTURE_SPECS) {
    const text = readFileSync(join(UAP_TESTS_DIR, spec.file), 'utf8');
    const fast = readFixtureLayout(text);
    let how = 'the yaml library (unusual layout)';
    if (fast !== null) {
      const same = isDeepStrictEqual(fast, readFixtureCases(text, 'yaml'));
      how = same ? 'the layout reader, same as the yaml library' : 'the layout reader, DIFFERENT from the yaml library';
      if (!same) process.exitCode = 1;
    }
    console.log(`${spec.file} read by ${how}`);
  }
  for (const spec of FIXTURE_SPECS) for (const c of loadFixture(spec)) corpus.push(c.user_agent_string);
  if (!process.argv.includes('--no-throughput')) for (const line of throughput(corpus)) console.log(line);
}

if (require.main === module) main();
