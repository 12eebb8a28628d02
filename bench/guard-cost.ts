/**
 * `npm run bench:guards`: what rate limiting and security headers cost the hub's validate call
 * (POST /api/hub/v1/sessions/validate), measured with autocannon on four instances of one service, side by side:
 *
 * - A, guards on: the production default, RATE_LIMITS=on and helmet's headers (+ Cache-Control: no-store);
 * - B, RATE_LIMITS=off, headers on;
 * - C, RATE_LIMITS=off and no security headers: the service has no setting for that, so a two-line preload this
 *   bench writes to a temporary directory swaps the built module's installSecurityHeaders for a no-op before
 *   dist/app.factory.js calls it (compiled CommonJS reads the export at call time). Plain JavaScript on purpose: a
 *   TypeScript preload would load ts-node (the whole TypeScript compiler) into the process, which would then differ
 *   from A and B in more than its headers;
 * - D, the control: A again, started last. A/D shows what the bench itself reads as a difference between two
 *   identical services (start order, noise); a guard's cost is only the part of its ratio beyond that.
 *
 * All four run at once (one worker each, PostgreSQL, the same database and tokens) and are loaded one after the
 * other, GUARD_ROUNDS rounds, the order rotating every round. Each turn is GUARD_SECONDS saturated (throughput, and
 * the service's CPU time per request), then GUARD_SECONDS at a fixed GUARD_RATE requests/s (CPU time per request
 * only): on a machine other work shares, throughput swings with that work, the service's own CPU per request much
 * less. Ratios are taken within a round and summarised by their median, mean, sd and range. The validate bound is
 * raised far above the load (as bench/run.ts does): the limiter still counts every call, which is the cost
 * measured, but never answers 429.
 *
 * Settings: GUARD_ROUNDS (6), GUARD_SECONDS (10), GUARD_RATE (1000), GUARD_PORT (3911, the first of four ports), and
 * the bench's BENCH_DATABASE_URL (here postgres://postgres@127.0.0.1:5432/sessionhub_soak unless set),
 * BENCH_CONNECTIONS, BENCH_USERS, BENCH_SESSIONS, BENCH_SKIP_BUILD, BENCH_TOKEN. Writes
 * bench/results/guard-cost.md (and .json); `-- --from bench/results/guard-cost.json` writes the report again from a
 * run's JSON without measuring.
 */
import './soak-database';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { databaseNow, prepareData, removeSessionsSince, sweepAndPickFixtures } from './data';
import { stop } from './processes';
import { build, makeTokens, ServiceUnderTest, startService, stats } from './service-run';
import { CONNECTIONS, DATABASE_URL, log, ROOT, SESSIONS, USERS } from './settings';

const ROUNDS = Number(process.env.GUARD_ROUNDS || 6);
const SECONDS = Number(process.env.GUARD_SECONDS || 10);
const PORT = Number(process.env.GUARD_PORT || 3911);
/** The fixed rate of the second measurement of each turn, below what any variant sustains. */
const FIXED_RATE = Number(process.env.GUARD_RATE || 1000);
const VALIDATE = '/api/hub/v1/sessions/validate';

interface Variant {
  key: 'A' | 'B' | 'C' | 'D';
  name: string;
  env: Record<string, string>;
  headers: boolean;
}

const BOUNDS = { RATE_LIMIT_VALIDATE: '100000000', RATE_LIMIT_LOGIN: '1000000' };
const VARIANTS: Variant[] = [
  { key: 'A', name: 'guards on (default)', env: { ...BOUNDS, RATE_LIMITS: 'on' }, headers: true },
  { key: 'B', name: 'rate limits off', env: { ...BOUNDS, RATE_LIMITS: 'off' }, headers: true },
  {
    key: 'C',
    name: 'rate limits off, no security headers',
    env: { ...BOUNDS, RATE_LIMITS: 'off' },
    headers: false,
  },
  { key: 'D', name: 'control: A again', env: { ...BOUNDS, RATE_LIMITS: 'on' }, headers: true },
];
const KEYS = VARIANTS.map((v) => v.key);

interface Run {
  round: number;
  variant: Variant['key'];
  /** Saturated: as many requests as BENCH_CONNECTIONS connections get answered. */
  rps: number;
  /** CPU time the service process spent per answered validate when saturated, in microseconds (all threads). */
  cpuUs: number;
  /** The same at GUARD_RATE requests/s: less swayed by the other work on the machine. */
  fixedCpuUs: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Validate calls for `duration` s: as fast as answered, or at `rate` requests/s overall. */
function validateLoad(base: string, tokens: string[], duration: number, rate?: number): Promise<autocannon.Result> {
  let counter = 0;
  const options: autocannon.Options & { overallRate?: number } = {
    url: base,
    connections: CONNECTIONS,
    duration,
    overallRate: rate,
    requests: [
      {
        method: 'POST',
        path: VALIDATE,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          request.body = JSON.stringify({ token: tokens[counter++ % tokens.length] });
          return request;
        },
      },
    ],
  };
  return autocannon(options);
}

/** Requests answered and the service's CPU time per request (µs) over one load. */
async function measured(
  service: ServiceUnderTest,
  load: () => Promise<autocannon.Result>,
): Promise<[autocannon.Result, number]> {
  const before = cpuNs(service.child.pid!);
  const result = await load();
  const cpu = cpuNs(service.child.pid!) - before;
  return [result, cpu / 1000 / (result['2xx'] + result.non2xx)];
}

/** Writes the preload that turns the built service's security headers off; returns its path. */
function headersOffPreload(dir: string): string {
  const file = join(dir, 'without-security-headers.js');
  const target = join(ROOT, 'dist', 'ops', 'security-headers.js');
  writeFileSync(
    file,
    `'use strict';\nconst headers = require(${JSON.stringify(target)});\nheaders.installSecurityHeaders = () => undefined;\n`,
  );
  return file;
}

/**
 * CPU time the process has used so far, in nanoseconds: the sum over its threads of /proc's schedstat. On a machine
 * other work shares, throughput moves with that work; the service's own CPU time per request moves much less.
 */
function cpuNs(pid: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return total;
}

/** Each variant answers a validate with 200, with or without helmet's headers as it should. */
async function check(variant: Variant, service: ServiceUnderTest, token: string): Promise<void> {
  const res = await fetch(service.base + VALIDATE, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  await res.arrayBuffer();
  const hasHeaders = res.headers.get('x-content-type-options') === 'nosniff' && res.headers.has('cache-control');
  if (res.status !== 200) throw new Error(`${variant.key}: validate answered ${res.status}`);
  if (hasHeaders !== variant.headers)
    throw new Error(`${variant.key}: security headers ${hasHeaders ? 'present' : 'missing'}, expected the opposite`);
}

const fmt = (n: number, digits = 3) => n.toFixed(digits);

function report(started: Date, runs: Run[]): string {
  const of = (round: number, key: Variant['key']) => runs.find((r) => r.round === round && r.variant === key)!;
  const rounds = [...new Set(runs.map((r) => r.round))];
  const perRound = (f: (round: number) => number) => stats(rounds.map(f));
  // x/y below 1: x is slower. Throughput directly; from CPU per request, y's CPU over x's.
  const rpsRatio = (x: Variant['key'], y: Variant['key']) => perRound((i) => of(i, x).rps / of(i, y).rps);
  const cpuRatio = (x: Variant['key'], y: Variant['key']) => perRound((i) => of(i, y).cpuUs / of(i, x).cpuUs);
  const fixedRatio = (x: Variant['key'], y: Variant['key']) =>
    perRound((i) => of(i, y).fixedCpuUs / of(i, x).fixedCpuUs);
  const all = (f: (r: Run) => string, i: number) => KEYS.map((k) => f(of(i, k))).join(' / ');
  const lines = [
    '# Cost of the guards on validate throughput',
    '',
    `Run ${started.toISOString()}: POST ${VALIDATE}, autocannon with ${CONNECTIONS} connections; ${rounds.length} ` +
      `rounds, the order of the variants rotating every round; each turn is ${SECONDS} s saturated (as fast as ` +
      `answered), then ${SECONDS} s at a fixed ${FIXED_RATE} requests/s. One worker per service, PostgreSQL ` +
      `(${USERS} users, ${SESSIONS} sessions), ${cpus().length} CPUs shared by the load generator, the services, ` +
      'the database and other work. A: RATE_LIMITS=on and security headers (the default); B: RATE_LIMITS=off; ' +
      'C: RATE_LIMITS=off and no security headers; D: A again (control). CPU is the service process’s own (all threads, /proc schedstat) ' +
      'per answered request.',
    '',
    `| round | order | saturated req/s ${KEYS.join(' / ')} | CPU µs per request, saturated | CPU µs per request, fixed rate | p99 ms saturated | errors |`,
    '|---:|---|---|---|---|---|---:|',
  ];
  for (const i of rounds) {
    const order = runs
      .filter((r) => r.round === i)
      .map((r) => r.variant)
      .join('');
    const errors = runs.filter((r) => r.round === i).reduce((sum, r) => sum + r.errors, 0);
    lines.push(
      `| ${i + 1} | ${order} | ${all((r) => String(Math.round(r.rps)), i)} | ${all((r) => r.cpuUs.toFixed(1), i)} | ` +
        `${all((r) => r.fixedCpuUs.toFixed(1), i)} | ${all((r) => String(r.p99), i)} | ${errors} |`,
    );
  }
  const cell = (s: ReturnType<typeof stats>) =>
    `**${fmt(s.median)}**; ${fmt(s.mean)} ± ${fmt(s.sd)} (${fmt(s.min)} – ${fmt(s.max)})`;
  const line = (label: string, x: Variant['key'], y: Variant['key']) =>
    `| ${label} | ${cell(rpsRatio(x, y))} | ${cell(cpuRatio(x, y))} | ${cell(fixedRatio(x, y))} |`;
  const mean = (k: Variant['key']) => {
    const mine = runs.filter((x) => x.variant === k);
    const r = stats(mine.map((x) => x.rps));
    const c = stats(mine.map((x) => x.cpuUs));
    const f = stats(mine.map((x) => x.fixedCpuUs));
    return `${k} ${Math.round(r.median)} req/s, ${c.median.toFixed(1)} µs CPU, at the fixed rate ${f.median.toFixed(1)} µs`;
  };
  lines.push(
    '',
    'Ratios per round: **median**; mean ± sd (range). Below 1 the first variant is the slower, and 1 − ratio is what ' +
      'the guard costs. The median resists the rounds in which other work on the machine hit one variant only.',
    '',
    '| ratio | saturated throughput | from CPU per request, saturated | from CPU per request, fixed rate |',
    '|---|---|---|---|',
    line('A/C: rate limits + headers', 'A', 'C'),
    line('A/B: rate limits', 'A', 'B'),
    line('B/C: security headers', 'B', 'C'),
    line('A/D: control, two identical services', 'A', 'D'),
    '',
    `Medians: ${KEYS.map(mean).join('; ')}. Errors are non-2xx answers plus socket errors and timeouts.`,
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  log(`guard cost on ${DATABASE_URL}: ${ROUNDS} rounds of ${SECONDS} s, ${CONNECTIONS} connections`);
  await prepareData();
  const picked = await sweepAndPickFixtures();
  const since = await databaseNow();
  build();
  const services = new Map<Variant['key'], ServiceUnderTest>();
  const tmp = mkdtempSync(join(tmpdir(), 'sessionhub-guards-'));
  const preload = headersOffPreload(tmp);
  try {
    for (const [i, variant] of VARIANTS.entries()) {
      const nodeArgs = variant.headers ? [] : ['-r', preload];
      services.set(variant.key, await startService(`service ${variant.key}`, PORT + i, variant.env, nodeArgs));
    }
    const tokens = await makeTokens(services.get('A')!.base, picked.usernames, 200);
    for (const variant of VARIANTS) {
      await check(variant, services.get(variant.key)!, tokens[0]);
      await validateLoad(services.get(variant.key)!.base, tokens, 3); // warm-up: JIT, prepared statements
    }
    const runs: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
      for (const variant of order) {
        const service = services.get(variant.key)!;
        const [result, cpuUs] = await measured(service, () => validateLoad(service.base, tokens, SECONDS));
        const [fixed, fixedCpuUs] = await measured(service, () =>
          validateLoad(service.base, tokens, SECONDS, FIXED_RATE),
        );
        const run: Run = {
          round,
          variant: variant.key,
          rps: result.requests.average,
          cpuUs,
          fixedCpuUs,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.non2xx + result.errors + result.timeouts + fixed.non2xx + fixed.errors + fixed.timeouts,
        };
        runs.push(run);
        log(
          `round ${round + 1} ${variant.key} (${variant.name}): ${Math.round(run.rps)} req/s, ` +
            `${run.cpuUs.toFixed(1)} µs CPU per request (at ${FIXED_RATE}/s: ${run.fixedCpuUs.toFixed(1)} µs), ` +
            `p99 ${run.p99} ms, errors ${run.errors}`,
        );
      }
    }
    const text = report(started, runs);
    console.log('\n' + text);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'guard-cost.md'), text);
    writeFileSync(join(ROOT, 'bench', 'results', 'guard-cost.json'), JSON.stringify({ started, runs }, null, 2));
    log('written to bench/results/guard-cost.md');
  } finally {
    for (const service of services.values()) await stop(service.child);
    rmSync(tmp, { recursive: true, force: true });
    const removed = await removeSessionsSince(since);
    log(`removed the ${removed} sessions this run created`);
  }
}

/** `--from FILE.json`: the report again from a run's JSON (e.g. after changing the report), without measuring. */
function reportAgain(file: string): void {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { started: string; runs: Run[] };
  const text = report(new Date(saved.started), saved.runs);
  writeFileSync(join(ROOT, 'bench', 'results', 'guard-cost.md'), text);
  console.log(text);
}

const from = process.argv.indexOf('--from');
if (from > 0 && process.argv[from + 1]) {
  reportAgain(process.argv[from + 1]);
} else {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
