/**
 * `npm run bench:features:instructions`: what each per-request feature costs validate and the authentik list, counted
 * in machine instructions instead of seconds. The two timing benches (bench/feature-cost.ts over sockets,
 * bench/feature-cost-inproc.ts in one process) cannot resolve a few per cent on a 2-core machine the database and
 * the load generator share: two identical services differ there by 4–13 %. An instruction count does not move with
 * what else the machine does, so it can.
 *
 * The six variants of bench/feature-variants.ts (A everything on, B–E each without one feature, F A again as the
 * control) run as real services (`node dist/main.js`, one worker, PostgreSQL, the same database) under valgrind's
 * callgrind, which counts every instruction the service process executes in user space, on all its threads: the
 * HTTP parser, Fastify, the features, the handler, pg's protocol code, V8's compiler and garbage collector. The
 * load generator runs outside valgrind and is not counted. A measurement warms the variant up with FEATURE_WARMUP
 * requests, zeroes the counters (`callgrind_control -z`), sends FEATURE_REQUESTS requests one at a time over one
 * kept-alive connection, and dumps the counters (`callgrind_control -d`): instructions per request. The variants take
 * turns FEATURE_ROUNDS times, the order rotating; a feature's cost is 1 − (instructions without it / with it).
 *
 * What the count leaves out: the kernel's share (socket system calls; the same for every variant, so the features'
 * share of a real request is smaller than here) and stalls (a count is not a time: a cache miss costs nothing here).
 * Timers run per wall-clock time (the log flush every 200 ms, the metrics' event-loop monitor, the housekeeping and
 * Shared Signals polls); valgrind runs the service ~30× slower, so their share per request is overstated here, which
 * errs towards a higher cost for logs and metrics.
 *
 * The counts are only comparable once V8 has stopped compiling (its compiler threads are counted too): with 300
 * warm-up requests they still fell from round to round (validate: about 4.0M, 3.2M, then 2.3M instructions per
 * request), a drift larger than the features; hence the longer default warm-up (docs/performance.md).
 *
 * Needs valgrind (every machine of this project's kind has it). Settings: FEATURE_ROUNDS (3), FEATURE_REQUESTS (600),
 * FEATURE_WARMUP (3000), FEATURE_PORT (3931, the first of six ports), and the bench's BENCH_DATABASE_URL (the
 * soak's database unless set), BENCH_USERS, BENCH_SESSIONS, BENCH_SKIP_BUILD, BENCH_TOKEN. Writes
 * bench/results/feature-instructions.md (and .json).
 */
import './soak-database';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { databaseNow, prepareData, removeSessionsSince, sweepAndPickFixtures } from './data';
import { check, FEATURES, preload, rotated, VariantKey, VARIANTS } from './feature-variants';
import { stop } from './processes';
import { build, makeTokens, ServiceUnderTest, startService, stats } from './service-run';
import { BOOTSTRAP_TOKEN, DATABASE_URL, log, ROOT, SESSIONS, USERS } from './settings';

const ROUNDS = Number(process.env.FEATURE_ROUNDS || 3);
const REQUESTS = Number(process.env.FEATURE_REQUESTS || 600);
const WARMUP = Number(process.env.FEATURE_WARMUP || 3000);
const PORT = Number(process.env.FEATURE_PORT || 3931);

const run = promisify(execFile);

interface Call {
  name: string;
  send: (base: string, i: number) => Promise<Response>;
}

function calls(tokens: string[]): Call[] {
  return [
    {
      name: 'hub validate',
      send: (base, i) =>
        fetch(`${base}/api/hub/v1/sessions/validate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: tokens[i % tokens.length] }),
        }),
    },
    {
      name: 'authentik list',
      send: (base) =>
        fetch(`${base}/api/v3/core/authenticated_sessions/`, {
          headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` },
        }),
    },
  ];
}

interface Measurement {
  round: number;
  call: string;
  variant: VariantKey;
  instructionsPerRequest: number;
}

/** Sends `n` requests one at a time; every one must answer 200. */
async function send(base: string, call: Call, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await call.send(base, i);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${call.name}: ${res.status}`);
  }
}

/** The `summary:` (instructions) of callgrind's dump number `n` for `prefix`, once the file is there. */
async function dumped(dir: string, prefix: string, n: number): Promise<number> {
  const file = join(dir, `${prefix}.${n}`);
  for (let waited = 0; waited < 60_000; waited += 200) {
    const summary = existsSync(file) ? /^summary: (\d+)/m.exec(readFileSync(file, 'utf8')) : null;
    if (summary) return Number(summary[1]);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`callgrind wrote no ${file}`);
}

/** Runs callgrind_control's `flag` on the service; it exits 0 even when it reached nothing, so its answer is read. */
async function control(flag: '-z' | '-d', pid: number): Promise<void> {
  const { stdout, stderr } = await run('callgrind_control', [flag, String(pid)]);
  if (!/OK/.test(stdout + stderr)) throw new Error(`callgrind_control ${flag} ${pid}: ${stdout}${stderr}`);
}

const dumps = new Map<string, number>();

/** Instructions per request the service executes over REQUESTS calls, counted by callgrind. */
async function count(service: ServiceUnderTest, dir: string, prefix: string, call: Call): Promise<number> {
  await control('-z', service.child.pid!);
  await send(service.base, call, REQUESTS);
  await control('-d', service.child.pid!);
  const n = (dumps.get(prefix) ?? 0) + 1;
  dumps.set(prefix, n);
  return (await dumped(dir, prefix, n)) / REQUESTS;
}

function report(started: Date, measurements: Measurement[]): string {
  const rounds = [...new Set(measurements.map((m) => m.round))];
  const keys = VARIANTS.map((v) => v.key);
  const lines = [
    '# What each per-request feature costs, in instructions',
    '',
    `Run ${started.toISOString()}: each of six services (one worker, PostgreSQL, ${USERS} users, ${SESSIONS} ` +
      `sessions) runs under valgrind's callgrind; a measurement is ${REQUESTS} requests one at a time after ` +
      `${WARMUP} of warm-up, and counts every instruction the service process executes (all threads, user space). ` +
      `${rounds.length} rounds, the order rotating. ` +
      VARIANTS.map((v) => `${v.key}: ${v.name}`).join('; ') +
      '.',
  ];
  for (const name of [...new Set(measurements.map((m) => m.call))]) {
    const of = (round: number, key: VariantKey) =>
      measurements.find((m) => m.call === name && m.round === round && m.variant === key)!.instructionsPerRequest;
    lines.push(
      '',
      `## ${name}`,
      '',
      `| round | thousand instructions per request, ${keys.join(' / ')} |`,
      '|---:|---|',
      ...rounds.map((r) => `| ${r + 1} | ${keys.map((k) => (of(r, k) / 1000).toFixed(1)).join(' / ')} |`),
      '',
      '| feature | without it / with it, per round: median (range) | cost: 1 − median |',
      '|---|---|---:|',
      ...FEATURES.map(([label, key]) => {
        const ratios = stats(rounds.map((r) => of(r, key) / of(r, 'A')));
        return (
          `| ${label} (${key}/A) | **${ratios.median.toFixed(3)}** (${ratios.min.toFixed(3)} – ` +
          `${ratios.max.toFixed(3)}) | ${((1 - ratios.median) * 100).toFixed(1)} % |`
        );
      }),
    );
  }
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const started = new Date();
  log(`feature cost in instructions on ${DATABASE_URL}: ${ROUNDS} rounds of ${REQUESTS} requests`);
  await prepareData();
  const picked = await sweepAndPickFixtures();
  const since = await databaseNow();
  build();
  const dir = mkdtempSync(join(tmpdir(), 'sessionhub-instructions-'));
  const services = new Map<VariantKey, ServiceUnderTest>();
  try {
    // Under valgrind each takes a minute and a half of CPU to boot: two at a time, one per core.
    const queue = VARIANTS.map((variant, i) => ({ variant, port: PORT + i }));
    const boot = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { variant, port } = next;
        const nodeArgs = variant.without ? ['-r', preload(dir, variant.without)] : [];
        const wrapper = [
          'valgrind',
          '--tool=callgrind',
          // V8 writes machine code at run time: valgrind must notice code that changes outside mapped files.
          '--smc-check=all-non-file',
          `--callgrind-out-file=${join(dir, `callgrind.${variant.key}`)}`,
        ];
        // Statements run ~30x slower under valgrind: no statement timeout.
        const env = { ...variant.env, STATEMENT_TIMEOUT_MS: '0' };
        const service = await startService(`service ${variant.key}`, port, env, nodeArgs, {
          wrapper,
          readyWithinMs: 900_000,
        });
        services.set(variant.key, service);
        log(`service ${variant.key} answers under valgrind`);
      }
    };
    await Promise.all([boot(), boot()]);
    log('all six services answer under valgrind');
    // The sessions to validate come from the same service run natively: logins under valgrind can outlast the
    // pool's 5 s connection timeout.
    const native = await startService('tokens', PORT + VARIANTS.length, {});
    const tokens = await makeTokens(native.base, picked.usernames, 100).finally(() => stop(native.child));
    for (const variant of VARIANTS) await check(variant, services.get(variant.key)!, tokens[0]);
    const measurements: Measurement[] = [];
    for (const call of calls(tokens)) {
      for (const variant of VARIANTS) await send(services.get(variant.key)!.base, call, WARMUP);
      for (let round = 0; round < ROUNDS; round++) {
        for (const variant of rotated(round)) {
          const service = services.get(variant.key)!;
          const perRequest = await count(service, dir, `callgrind.${variant.key}`, call);
          measurements.push({ round, call: call.name, variant: variant.key, instructionsPerRequest: perRequest });
          log(`round ${round + 1} ${call.name} ${variant.key}: ${(perRequest / 1000).toFixed(1)}k instructions`);
        }
      }
    }
    const text = report(started, measurements);
    console.log('\n' + text);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'feature-instructions.md'), text);
    writeFileSync(
      join(ROOT, 'bench', 'results', 'feature-instructions.json'),
      JSON.stringify({ started, measurements }, null, 2),
    );
  } finally {
    await Promise.all([...services.values()].map((s) => stop(s.child)));
    rmSync(dir, { recursive: true, force: true });
    log(`removed the ${await removeSessionsSince(since)} sessions this run created`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
