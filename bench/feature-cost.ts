/**
 * `npm run bench:features`: what each per-request feature costs the two hottest calls, the hub's validate
 * (POST /api/hub/v1/sessions/validate) and the authentik list (GET /api/v3/core/authenticated_sessions/), measured
 * with autocannon on seven instances of one service side by side, each without one feature:
 *
 * - A, everything on, as production runs: rate limits, helmet's headers, a request log line at info, metrics;
 * - B, RATE_LIMITS=off;
 * - C, no security headers; D, no request log lines (LOG_LEVEL=warn and no logging hook); E, METRICS=off;
 * - F, the control: A again, started last. A/F shows what the bench itself reads as a difference between two
 *   identical services (start order, noise); a feature's cost is only the part of its ratio beyond that;
 * - G, neither rate limits nor security headers (the two that cost most, together).
 * The service has no setting for C and D: a two-line preload this bench writes to a temporary directory swaps the
 * built module's install function for a no-op before dist/app.factory.js calls it (compiled CommonJS reads the export
 * at call time). Plain JavaScript on purpose: a TypeScript preload would load ts-node (the whole TypeScript
 * compiler) into the process, which would then differ from A in more than the feature.
 *
 * All seven run at once (one worker each, PostgreSQL, the same database and tokens) and are loaded one after the
 * other, FEATURE_ROUNDS rounds, the order rotating every round. Each turn is FEATURE_SECONDS saturated (throughput,
 * and the service's CPU time per request), then FEATURE_SECONDS at a fixed rate (CPU time per request only): on a
 * machine other work shares, throughput swings with that work, the service's own CPU per request much less. Ratios
 * are taken within a round and summarised by their median, mean, sd and range. The validate bound is raised far
 * above the load (as bench/run.ts does): the limiter still counts every call, which is the cost measured.
 *
 * Settings: FEATURE_ROUNDS (4), FEATURE_SECONDS (8), FEATURE_PORT (3911, the first of seven ports), and the bench's
 * BENCH_DATABASE_URL (here postgres://postgres@127.0.0.1:5432/sessionhub_soak unless set), BENCH_CONNECTIONS,
 * BENCH_USERS, BENCH_SESSIONS, BENCH_SKIP_BUILD, BENCH_TOKEN. Writes bench/results/feature-cost.md (and .json);
 * `-- --from bench/results/feature-cost.json` writes the report again from a run's JSON without measuring.
 */
import './soak-database';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { databaseNow, prepareData, removeSessionsSince, sweepAndPickFixtures } from './data';
import { stop } from './processes';
import { build, makeTokens, ServiceUnderTest, startService, stats } from './service-run';
import {
  authentikListRequest,
  check,
  FEATURES,
  preload,
  rotated,
  validateRequest,
  VariantKey,
  VARIANTS,
} from './feature-variants';
import { CONNECTIONS, DATABASE_URL, log, ROOT, SESSIONS, USERS } from './settings';

const ROUNDS = Number(process.env.FEATURE_ROUNDS || 4);
const SECONDS = Number(process.env.FEATURE_SECONDS || 8);
const PORT = Number(process.env.FEATURE_PORT || 3911);

type Key = VariantKey;
const KEYS = VARIANTS.map((v) => v.key);

interface Endpoint {
  name: string;
  /** The fixed rate of the second measurement of each turn, below what any variant sustains. */
  rate: number;
  request: (tokens: string[]) => autocannon.Request;
}

const ENDPOINTS: Endpoint[] = [
  {
    name: 'hub validate',
    rate: 1000,
    request: validateRequest,
  },
  {
    name: 'authentik list',
    rate: 300,
    request: authentikListRequest,
  },
];

interface Run {
  round: number;
  endpoint: string;
  variant: Key;
  /** Saturated: as many requests as BENCH_CONNECTIONS connections get answered. */
  rps: number;
  /** CPU time the service process spent per answered request when saturated, in microseconds (all threads). */
  cpuUs: number;
  /** The same at the endpoint's fixed rate: less swayed by the other work on the machine. */
  fixedCpuUs: number;
  p99: number;
  errors: number;
}

function load(base: string, request: autocannon.Request, duration: number, rate?: number) {
  const options: autocannon.Options & { overallRate?: number } = {
    url: base,
    connections: CONNECTIONS,
    duration,
    overallRate: rate,
    requests: [request],
  };
  return autocannon(options);
}

/** Requests answered and the service's CPU time per request (µs) over one load. */
async function measured(
  service: ServiceUnderTest,
  run: () => Promise<autocannon.Result>,
): Promise<[autocannon.Result, number]> {
  const before = cpuNs(service.child.pid!);
  const result = await run();
  const cpu = cpuNs(service.child.pid!) - before;
  return [result, cpu / 1000 / (result['2xx'] + result.non2xx)];
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

const fmt = (n: number, digits = 3) => n.toFixed(digits);

function report(started: Date, runs: Run[]): string {
  const rounds = [...new Set(runs.map((r) => r.round))];
  const lines = [
    '# What each per-request feature costs validate and the authentik list',
    '',
    `Run ${started.toISOString()}: autocannon with ${CONNECTIONS} connections; ${rounds.length} rounds, the order of ` +
      `the variants rotating every round; each turn is ${SECONDS} s saturated (as fast as answered), then ` +
      `${SECONDS} s at a fixed rate (${ENDPOINTS.map((e) => `${e.name} ${e.rate}/s`).join(', ')}). One worker per ` +
      `service, PostgreSQL (${USERS} users, ${SESSIONS} sessions), ${cpus().length} CPUs shared by the load ` +
      'generator, the services, the database and other work. ' +
      VARIANTS.map((v) => `${v.key}: ${v.name}`).join('; ') +
      '. CPU is the service process’s own (all threads, /proc schedstat) per answered request.',
  ];
  for (const endpoint of ENDPOINTS) {
    const mine = runs.filter((r) => r.endpoint === endpoint.name);
    const of = (round: number, key: Key) => mine.find((r) => r.round === round && r.variant === key)!;
    const perRound = (f: (round: number) => number) => stats(rounds.map(f));
    const all = (f: (r: Run) => string, i: number) => KEYS.map((k) => f(of(i, k))).join(' / ');
    lines.push(
      '',
      `## ${endpoint.name}`,
      '',
      `| round | saturated req/s ${KEYS.join(' / ')} | CPU µs per request, saturated | CPU µs per request, fixed rate | p99 ms | errors |`,
      '|---:|---|---|---|---|---:|',
    );
    for (const i of rounds) {
      const errors = mine.filter((r) => r.round === i).reduce((sum, r) => sum + r.errors, 0);
      lines.push(
        `| ${i + 1} | ${all((r) => String(Math.round(r.rps)), i)} | ${all((r) => r.cpuUs.toFixed(1), i)} | ` +
          `${all((r) => r.fixedCpuUs.toFixed(1), i)} | ${all((r) => String(r.p99), i)} | ${errors} |`,
      );
    }
    const cell = (s: ReturnType<typeof stats>) =>
      `**${fmt(s.median)}**; ${fmt(s.mean)} ± ${fmt(s.sd)} (${fmt(s.min)} – ${fmt(s.max)})`;
    lines.push(
      '',
      'A over the service without the feature, per round: **median**; mean ± sd (range). Below 1, 1 − ratio is what ' +
        'the feature costs; the control row is the noise between two identical services.',
      '',
      '| feature | saturated throughput | from CPU per request, saturated | from CPU per request, fixed rate |',
      '|---|---|---|---|',
      ...FEATURES.map(
        ([label, key]) =>
          `| ${label} (A/${key}) | ${cell(perRound((i) => of(i, 'A').rps / of(i, key).rps))} | ` +
          `${cell(perRound((i) => of(i, key).cpuUs / of(i, 'A').cpuUs))} | ` +
          `${cell(perRound((i) => of(i, key).fixedCpuUs / of(i, 'A').fixedCpuUs))} |`,
      ),
    );
  }
  lines.push('', 'Errors are non-2xx answers plus socket errors and timeouts.', '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  log(`feature cost on ${DATABASE_URL}: ${ROUNDS} rounds of ${SECONDS} s, ${CONNECTIONS} connections`);
  await prepareData();
  const picked = await sweepAndPickFixtures();
  const since = await databaseNow();
  build();
  const services = new Map<Key, ServiceUnderTest>();
  const tmp = mkdtempSync(join(tmpdir(), 'sessionhub-features-'));
  try {
    for (const [i, variant] of VARIANTS.entries()) {
      const nodeArgs = variant.without ? ['-r', preload(tmp, variant.without)] : [];
      services.set(variant.key, await startService(`service ${variant.key}`, PORT + i, variant.env, nodeArgs));
    }
    const tokens = await makeTokens(services.get('A')!.base, picked.usernames, 200);
    for (const variant of VARIANTS) {
      const service = services.get(variant.key)!;
      await check(variant, service, tokens[0]);
      for (const endpoint of ENDPOINTS) await load(service.base, endpoint.request(tokens), 3); // warm-up
    }
    const runs: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = rotated(round);
      for (const endpoint of ENDPOINTS) {
        for (const variant of order) {
          const service = services.get(variant.key)!;
          const [result, cpuUs] = await measured(service, () => load(service.base, endpoint.request(tokens), SECONDS));
          const [fixed, fixedCpuUs] = await measured(service, () =>
            load(service.base, endpoint.request(tokens), SECONDS, endpoint.rate),
          );
          const run: Run = {
            round,
            endpoint: endpoint.name,
            variant: variant.key,
            rps: result.requests.average,
            cpuUs,
            fixedCpuUs,
            p99: result.latency.p99,
            errors: result.non2xx + result.errors + result.timeouts + fixed.non2xx + fixed.errors + fixed.timeouts,
          };
          runs.push(run);
          log(
            `round ${round + 1} ${endpoint.name} ${variant.key} (${variant.name}): ${Math.round(run.rps)} req/s, ` +
              `${run.cpuUs.toFixed(1)} µs CPU per request (fixed rate: ${run.fixedCpuUs.toFixed(1)} µs), ` +
              `p99 ${run.p99} ms, errors ${run.errors}`,
          );
        }
      }
    }
    const text = report(started, runs);
    console.log('\n' + text);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'feature-cost.md'), text);
    writeFileSync(join(ROOT, 'bench', 'results', 'feature-cost.json'), JSON.stringify({ started, runs }, null, 2));
    log('written to bench/results/feature-cost.md');
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
  writeFileSync(join(ROOT, 'bench', 'results', 'feature-cost.md'), text);
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
