/**
 * `npm run bench`: load-tests every face's hot endpoints on PostgreSQL at a million sessions and compares each with
 * the floor (bench/floor-server.ts: the same SQL and JSON on a bare node:http server).
 *
 * 1. Prepares BENCH_DATABASE_URL (created if missing) with BENCH_USERS users and BENCH_SESSIONS sessions through
 *    the seed command, or reuses it when they are already there.
 * 2. Builds the service (`npm run build`) and, for each worker count in BENCH_WORKERS, starts `node dist/main.js`
 *    and the floor with that many processes.
 * 3. Drives each endpoint with autocannon, BENCH_CONNECTIONS connections for BENCH_DURATION seconds, service then
 *    floor, one run after the other, sampling the service processes' RSS meanwhile.
 * 4. Prints the table and writes it to bench/results/latest.md.
 *
 * Settings are environment variables (BENCH_DATABASE_URL, BENCH_DURATION, BENCH_SESSIONS, ...): `npm run bench --
 * --help` lists them with their defaults. A quick run: BENCH_SESSIONS=20000 BENCH_USERS=2000 BENCH_DURATION=3
 * BENCH_WORKERS=1 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sessionhub_bench_small npm run bench.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { databaseNow, Fixtures, fixtureNotes, prepareData, removeSessionsSince, sweepAndPickFixtures } from './data';
import { Endpoint, ENDPOINTS, errorDetail, errorsOf, load, median, probe } from './endpoints';
import { start, stop, waitFor, withPeakRss } from './processes';
import { makeTokens } from './service-run';
import {
  BOOTSTRAP_TOKEN,
  CEILING_PORT,
  CONNECTIONS,
  DATABASE_URL,
  DURATION,
  ROUNDS,
  FLOOR_PORT,
  log,
  ONLY,
  ROOT,
  SERVICE_ENV,
  SERVICE_PORT,
  SESSIONS,
  SETTINGS,
  SKIP_BUILD,
  USERS,
  WORKER_COUNTS,
} from './settings';

interface Result {
  endpoint: string;
  workers: number;
  skipped?: string;
  rps?: number;
  p50?: number;
  p99?: number;
  floorRps?: number;
  /** Service against floor: the median of the rounds' own ratios. */
  ratio?: number;
  roundRatios?: number[];
  errors?: number;
  floorErrors?: number;
  /** The constant-body ceiling's requests/s, for endpoints measured against it. */
  ceilingRps?: number;
  peakRssMb?: number;
}

/** The endpoint's ceiling: a constant-body server answering its requests with the service's answer `body`. */
async function measureCeiling(
  endpoint: Endpoint,
  fixtures: Fixtures,
  workers: number,
  answer: { status: number; body: Buffer },
): Promise<number> {
  const ceiling = start(
    'ceiling',
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'bench/ceiling-server.ts'],
    {
      CEILING_BODY: answer.body.toString('base64'),
      CEILING_STATUS: String(answer.status),
      PORT: String(CEILING_PORT),
      WORKERS: String(workers),
    },
  );
  try {
    const base = `http://127.0.0.1:${CEILING_PORT}`;
    await waitFor(`${base}/`);
    await load(base, endpoint, fixtures, 2);
    return (await load(base, endpoint, fixtures, DURATION)).requests.average;
  } finally {
    await stop(ceiling);
  }
}

/** The median ratio, and each round's when there were several. */
function ratioText(result: Result, separator: string): string {
  const rounds = result.roundRatios ? ` (${result.roundRatios.map((x) => x.toFixed(2)).join(separator)})` : '';
  return `${result.ratio!.toFixed(2)}${rounds}`;
}

function table(results: Result[]): string {
  const lines = [
    '| endpoint | workers | requests/s | p50 ms | p99 ms | floor requests/s | ratio to floor | fraction of ceiling | errors (service / floor) | peak RSS per process MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    if (r.skipped) {
      lines.push(`| ${r.endpoint} | ${r.workers} | skipped: ${r.skipped} | | | | | | | |`);
      continue;
    }
    const ratio = r.ratio !== undefined ? ratioText(r, ' ') : '-';
    const ofCeiling = r.ceilingRps ? `${(r.rps! / r.ceilingRps).toFixed(2)} of ${Math.round(r.ceilingRps)}` : '';
    lines.push(
      `| ${r.endpoint} | ${r.workers} | ${Math.round(r.rps!)} | ${r.p50} | ${r.p99} | ${Math.round(r.floorRps ?? 0)} | ${ratio} | ${ofCeiling} | ${r.errors} / ${r.floorErrors} | ${Math.round(r.peakRssMb!)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  await prepareData();
  const picked = await sweepAndPickFixtures();
  const since = await databaseNow();
  if (!SKIP_BUILD) {
    log('npm run build');
    const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('build failed');
  }
  const endpoints = ENDPOINTS.filter((e) => ONLY.length === 0 || ONLY.includes(e.name));
  const results: Result[] = [];
  for (const workers of WORKER_COUNTS) {
    log(`--- ${workers} worker(s) ---`);
    const env = { DATABASE_URL, BOOTSTRAP_TOKEN, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
    const service = start('service', process.execPath, ['dist/main.js'], {
      ...env,
      // Limits stay on (their counting is part of the cost) but the bench's load stays under them.
      RATE_LIMIT_VALIDATE: '100000000',
      RATE_LIMIT_LOGIN: '1000000',
      ...SERVICE_ENV,
      PORT: String(SERVICE_PORT),
      WORKERS: String(workers),
    });
    const floor = start('floor', process.execPath, ['-r', 'ts-node/register/transpile-only', 'bench/floor-server.ts'], {
      ...env,
      PORT: String(FLOOR_PORT),
      WORKERS: String(workers),
    });
    try {
      const serviceBase = `http://127.0.0.1:${SERVICE_PORT}`;
      const floorBase = `http://127.0.0.1:${FLOOR_PORT}`;
      await waitFor(`${serviceBase}/-/health/live`);
      await waitFor(`${floorBase}/`);
      const fixtures: Fixtures = { ...picked, tokens: await makeTokens(serviceBase, picked.usernames, 200) };
      for (const endpoint of endpoints) {
        const answer = await probe(serviceBase, endpoint, fixtures);
        if (answer.status === 404 || answer.status === 405) {
          log(`${endpoint.name}: skipped, the service answers ${answer.status} for its route (face not built?)`);
          results.push({ endpoint: endpoint.name, workers, skipped: `service answers ${answer.status}` });
          continue;
        }
        // A short warm-up of both (JIT, prepared statements, caches), then the measured runs.
        await load(serviceBase, endpoint, fixtures, 2);
        await load(floorBase, endpoint, fixtures, 2);
        // On a shared machine throughput drifts from minute to minute: with several rounds, service and floor
        // alternate (each first in turn) and every figure is the median of the rounds.
        const runs: autocannon.Result[] = [];
        const floorRuns: autocannon.Result[] = [];
        let peak = 0;
        for (let round = 0; round < ROUNDS; round++) {
          const measureService = async () => {
            const [run, roundPeak] = await withPeakRss(service.pid!, () =>
              load(serviceBase, endpoint, fixtures, DURATION),
            );
            runs.push(run);
            peak = Math.max(peak, roundPeak);
          };
          const measureFloor = async () => void floorRuns.push(await load(floorBase, endpoint, fixtures, DURATION));
          if (round % 2 === 0) await measureService().then(measureFloor);
          else await measureFloor().then(measureService);
        }
        const ratios = runs.map((run, i) => run.requests.average / floorRuns[i].requests.average);
        const result: Result = {
          endpoint: endpoint.name,
          workers,
          rps: median(runs.map((run) => run.requests.average)),
          p50: median(runs.map((run) => run.latency.p50)),
          p99: median(runs.map((run) => run.latency.p99)),
          floorRps: median(floorRuns.map((run) => run.requests.average)),
          ratio: median(ratios),
          roundRatios: ROUNDS > 1 ? ratios : undefined,
          errors: runs.reduce((sum, run) => sum + errorsOf(run), 0),
          floorErrors: floorRuns.reduce((sum, run) => sum + errorsOf(run), 0),
          ceilingRps: endpoint.ceiling ? await measureCeiling(endpoint, fixtures, workers, answer) : undefined,
          peakRssMb: peak,
        };
        results.push(result);
        for (const [who, list] of [
          ['service', runs],
          ['floor', floorRuns],
        ] as const)
          list.forEach((run, round) => {
            if (errorsOf(run) > 0) log(`${endpoint.name}: ${who}'s round ${round + 1}: ${errorDetail(run)}`);
          });
        log(
          `${endpoint.name}: ${Math.round(result.rps!)} req/s (p50 ${result.p50} ms, p99 ${result.p99} ms), floor ${Math.round(result.floorRps!)} req/s, ` +
            `ratio ${ratioText(result, ', ')}` +
            (result.ceilingRps ? `, ${(result.rps! / result.ceilingRps).toFixed(2)} of the ceiling` : '') +
            `, errors ${result.errors}/${result.floorErrors}, peak RSS ${Math.round(peak)} MB`,
        );
      }
    } finally {
      await stop(service);
      await stop(floor);
    }
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const report = [
    `# SessionHub benchmark`,
    '',
    `Run ${started.toISOString()}; ${USERS} users and ${SESSIONS} sessions on PostgreSQL; autocannon, ${CONNECTIONS} connections, ` +
      `${DURATION} s per endpoint (after a 2 s warm-up), ` +
      (ROUNDS > 1 ? `${ROUNDS} rounds alternating service and floor, medians shown; ` : 'service then floor; ') +
      `${cpus().length} CPUs (${cpu}), ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB RAM; load generator, service and PostgreSQL share the machine.`,
    '',
    table(results),
    '',
    `Data: ${fixtureNotes.join('; ')}.`,
    '',
    "The ceiling (bench/ceiling-server.ts) answers the same requests with the service's own answer as a constant body",
    "and no other work: the machine's HTTP limit for that shape. Errors are non-2xx answers plus socket errors and",
    'timeouts. Peak RSS is the largest resident set of any one service process (primary or worker), polled every 100 ms',
    'during the measured run.',
    '',
  ].join('\n');
  console.log('\n' + report);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'latest.md'), report);
  writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify({ started, results }, null, 2));
  log('written to bench/results/latest.md');
  // The logins this run made go again, so the database stays at its size from one run to the next.
  const removed = await removeSessionsSince(since);
  log(`removed the ${removed} sessions this run created`);
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(
    [
      'npm run bench: every endpoint on the service and on the floor, as a table (bench/results/latest.md).',
      '',
      'Settings (environment variables, defaults in parentheses):',
      ...SETTINGS,
      '',
      `Endpoints: ${ENDPOINTS.map((e) => e.name).join(', ')}.`,
    ].join('\n'),
  );
} else {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
