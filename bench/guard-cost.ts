/**
 * `npm run bench:guards`: what rate limiting and security headers cost the hub's validate call
 * (POST /api/hub/v1/sessions/validate), measured with autocannon on three builds of one service, side by side:
 *
 * - A, guards on: the production default, RATE_LIMITS=on and helmet's headers (+ Cache-Control: no-store);
 * - B, RATE_LIMITS=off, headers on;
 * - C, RATE_LIMITS=off and no security headers (bench/without-security-headers.ts preloaded: the service has no
 *   setting for that).
 *
 * All three run at once (one worker each, PostgreSQL, the same database and tokens) and are loaded one after the
 * other, GUARD_ROUNDS rounds of GUARD_SECONDS each, the order rotating every round, so the machine's noise shows in
 * the spread. Ratios are taken within a round. The validate bound is raised far above the load (as bench/run.ts
 * does): the limiter still counts every call, which is the cost measured, but never answers 429.
 *
 * Settings: GUARD_ROUNDS (6: each order twice), GUARD_SECONDS (10), GUARD_PORT (3911: the first of three ports), and the bench's
 * BENCH_DATABASE_URL (here postgres://postgres@127.0.0.1:5432/sessionhub_soak unless set), BENCH_CONNECTIONS,
 * BENCH_USERS, BENCH_SESSIONS, BENCH_SKIP_BUILD, BENCH_TOKEN. Writes bench/results/guard-cost.md.
 */
import './soak-database';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { databaseNow, prepareData, removeSessionsSince, sweepAndPickFixtures } from './data';
import { stop } from './processes';
import { build, makeTokens, ServiceUnderTest, startService, stats } from './service-run';
import { CONNECTIONS, DATABASE_URL, log, ROOT, SESSIONS, USERS } from './settings';

const ROUNDS = Number(process.env.GUARD_ROUNDS || 6);
const SECONDS = Number(process.env.GUARD_SECONDS || 10);
const PORT = Number(process.env.GUARD_PORT || 3911);
const VALIDATE = '/api/hub/v1/sessions/validate';

interface Variant {
  key: 'A' | 'B' | 'C';
  name: string;
  env: Record<string, string>;
  nodeArgs: string[];
  headers: boolean;
}

const BOUNDS = { RATE_LIMIT_VALIDATE: '100000000', RATE_LIMIT_LOGIN: '1000000' };
const VARIANTS: Variant[] = [
  { key: 'A', name: 'guards on (default)', env: { ...BOUNDS, RATE_LIMITS: 'on' }, nodeArgs: [], headers: true },
  { key: 'B', name: 'rate limits off', env: { ...BOUNDS, RATE_LIMITS: 'off' }, nodeArgs: [], headers: true },
  {
    key: 'C',
    name: 'rate limits off, no security headers',
    env: { ...BOUNDS, RATE_LIMITS: 'off' },
    nodeArgs: ['-r', 'ts-node/register/transpile-only', '-r', './bench/without-security-headers.ts'],
    headers: false,
  },
];

interface Run {
  round: number;
  variant: Variant['key'];
  rps: number;
  /** CPU time the service process spent per answered validate, in microseconds (all its threads). */
  cpuUs: number;
  p50: number;
  p99: number;
  errors: number;
}

function validateLoad(base: string, tokens: string[], duration: number): Promise<autocannon.Result> {
  let counter = 0;
  return autocannon({
    url: base,
    connections: CONNECTIONS,
    duration,
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
  });
}

/**
 * CPU time the process has used so far, in nanoseconds: the sum over its threads of /proc's schedstat. On a machine
 * other work shares, throughput moves with that work; the service's own CPU time per request hardly does.
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
  // Throughput ratios (x/y: below 1, x is slower), and the same ratio from CPU per request (y's CPU over x's).
  const rpsRatio = (x: Variant['key'], y: Variant['key']) => perRound((i) => of(i, x).rps / of(i, y).rps);
  const cpuRatio = (x: Variant['key'], y: Variant['key']) => perRound((i) => of(i, y).cpuUs / of(i, x).cpuUs);
  const lines = [
    '# Cost of the guards on validate throughput',
    '',
    `Run ${started.toISOString()}: POST ${VALIDATE} with autocannon, ${CONNECTIONS} connections, ${SECONDS} s per ` +
      `measurement, ${rounds.length} rounds, the order rotating every round; one worker per service, PostgreSQL ` +
      `(${USERS} users, ${SESSIONS} sessions), ${cpus().length} CPUs shared by load generator, services, database and ` +
      'other work. A: RATE_LIMITS=on and security headers (the default); B: RATE_LIMITS=off; C: RATE_LIMITS=off and ' +
      'no security headers. CPU is the service process’s own (all threads, /proc schedstat) per answered request.',
    '',
    '| round | order | req/s A / B / C | CPU µs per request A / B / C | p99 ms A / B / C | errors |',
    '|---:|---|---|---|---|---:|',
  ];
  for (const i of rounds) {
    const [a, b, c] = (['A', 'B', 'C'] as const).map((k) => of(i, k));
    const order = runs
      .filter((r) => r.round === i)
      .map((r) => r.variant)
      .join('');
    lines.push(
      `| ${i + 1} | ${order} | ${Math.round(a.rps)} / ${Math.round(b.rps)} / ${Math.round(c.rps)} | ` +
        `${a.cpuUs.toFixed(1)} / ${b.cpuUs.toFixed(1)} / ${c.cpuUs.toFixed(1)} | ${a.p99} / ${b.p99} / ${c.p99} | ` +
        `${a.errors + b.errors + c.errors} |`,
    );
  }
  const line = (label: string, x: Variant['key'], y: Variant['key']) => {
    const r = rpsRatio(x, y);
    const c = cpuRatio(x, y);
    return (
      `| ${label} | ${fmt(r.mean)} ± ${fmt(r.sd)} (${fmt(r.min)} – ${fmt(r.max)}) | ` +
      `${fmt(c.mean)} ± ${fmt(c.sd)} (${fmt(c.min)} – ${fmt(c.max)}) | ${((1 - c.mean) * 100).toFixed(1)} % |`
    );
  };
  const mean = (k: Variant['key']) => {
    const r = stats(runs.filter((x) => x.variant === k).map((x) => x.rps));
    const c = stats(runs.filter((x) => x.variant === k).map((x) => x.cpuUs));
    return `${k} ${Math.round(r.mean)} req/s (sd ${Math.round(r.sd)}), ${c.mean.toFixed(1)} µs CPU (sd ${c.sd.toFixed(1)})`;
  };
  lines.push(
    '',
    '| ratio (per round: mean ± sd, range) | throughput | from CPU per request | cost (from CPU) |',
    '|---|---|---|---:|',
    line('A/C: rate limits + headers', 'A', 'C'),
    line('A/B: rate limits', 'A', 'B'),
    line('B/C: security headers', 'B', 'C'),
    '',
    `Means: ${mean('A')}; ${mean('B')}; ${mean('C')}. Errors are non-2xx answers plus socket errors and timeouts.`,
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
  try {
    for (const [i, variant] of VARIANTS.entries())
      services.set(variant.key, await startService(`service ${variant.key}`, PORT + i, variant.env, variant.nodeArgs));
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
        const cpuBefore = cpuNs(service.child.pid!);
        const result = await validateLoad(service.base, tokens, SECONDS);
        const cpu = cpuNs(service.child.pid!) - cpuBefore;
        const run: Run = {
          round,
          variant: variant.key,
          rps: result.requests.average,
          cpuUs: cpu / 1000 / (result['2xx'] + result.non2xx),
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.non2xx + result.errors + result.timeouts,
        };
        runs.push(run);
        log(
          `round ${round + 1} ${variant.key} (${variant.name}): ${Math.round(run.rps)} req/s, ` +
            `${run.cpuUs.toFixed(1)} µs CPU per request, p99 ${run.p99} ms, errors ${run.errors}`,
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
    const removed = await removeSessionsSince(since);
    log(`removed the ${removed} sessions this run created`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
