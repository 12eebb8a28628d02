/**
 * `npm run bench:growth`: every endpoint of `npm run bench` on two databases of different sizes side by side, in
 * alternating rounds, so the cost's growth is read off one sitting. Run one size after the other (as `npm run bench`
 * against each database does), a shared machine's speed drifts between the runs by more than the growth itself: at
 * the twenty-third stop the search's p99 read 45 ms at 1M and 140 ms at 10M three quarters of an hour apart, and
 * 74-79 against 85-93 ms in alternating rounds minutes later.
 *
 * 1. Checks that both databases are seeded (`npm run bench` with BENCH_DATABASE_URL, BENCH_USERS and BENCH_SESSIONS
 *    seeds one: 10,000 users and 1M sessions by default; 100,000 users and 10M sessions for the large one).
 * 2. Starts the built service (`npm run build` first, unless BENCH_SKIP_BUILD) once on each database, one worker each.
 * 3. For each endpoint: a 2 s warm-up of each, then BENCH_ROUNDS rounds of BENCH_DURATION seconds, small then large
 *    database, each first in turn. Reports each size's medians and the large one's p99 over the small one's, per
 *    round and as the median.
 * 4. Writes bench/results/growth.md, then removes the sessions the logins created from both databases (rebuilding
 *    their indexes, as `npm run bench` does: minutes at 10M).
 *
 * Settings: BENCH_GROWTH_SMALL (postgres://postgres@127.0.0.1:5432/sessionhub_bench), BENCH_GROWTH_LARGE
 * (postgres://postgres@127.0.0.1:5432/sessionhub_10m), BENCH_ROUNDS (3 unless set), BENCH_DURATION, BENCH_CONNECTIONS,
 * BENCH_ENDPOINTS, BENCH_SKIP_BUILD, BENCH_TOKEN.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { databaseNow, Fixtures, fixtureNotes, removeSessionsSince, seededSize, sweepAndPickFixtures } from './data';
import { ENDPOINTS, errorDetail, errorsOf, load, median } from './endpoints';
import { stop } from './processes';
import { build, makeTokens, ServiceUnderTest, startService } from './service-run';
import { CONNECTIONS, DURATION, log, ONLY, ROOT, setting } from './settings';

const SMALL = setting(
  'BENCH_GROWTH_SMALL',
  'postgres://postgres@127.0.0.1:5432/sessionhub_bench',
  'the smaller seeded database',
);
const LARGE = setting(
  'BENCH_GROWTH_LARGE',
  'postgres://postgres@127.0.0.1:5432/sessionhub_10m',
  'the larger seeded database',
);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const PORTS = { small: 3905, large: 3906 };

interface Size {
  label: 'small' | 'large';
  url: string;
  users: number;
  sessions: number;
  notes: string[];
  since: Date;
  fixtures: Fixtures;
  service?: ServiceUnderTest;
}

interface Row {
  endpoint: string;
  small: autocannon.Result[];
  large: autocannon.Result[];
}

const perSecond = (runs: autocannon.Result[]) => Math.round(median(runs.map((run) => run.requests.average)));
const p99 = (runs: autocannon.Result[]) => median(runs.map((run) => run.latency.p99));

function table(rows: Row[], sizes: Size[]): string {
  const [small, large] = sizes.map((size) => `${(size.sessions / 1e6).toLocaleString('en')}M`);
  const lines = [
    `| endpoint | ${small}: requests/s, p50, p99 ms | ${large}: requests/s, p50, p99 ms | p99 ${large} / ${small} (rounds) |`,
    '|---|---|---|---:|',
  ];
  for (const row of rows) {
    const cell = (runs: autocannon.Result[]) =>
      `${perSecond(runs).toLocaleString('en')}, ${median(runs.map((run) => run.latency.p50))}, ${p99(runs)}`;
    const ratios = row.large.map((run, i) => run.latency.p99 / Math.max(1, row.small[i].latency.p99));
    const rounds = ratios.length > 1 ? ` (${ratios.map((r) => r.toFixed(2)).join(' ')})` : '';
    lines.push(`| ${row.endpoint} | ${cell(row.small)} | ${cell(row.large)} | ${median(ratios).toFixed(2)}${rounds} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  const sizes: Size[] = [];
  for (const [label, url] of [
    ['small', SMALL],
    ['large', LARGE],
  ] as const) {
    const { users, sessions } = await seededSize(url);
    if (sessions === 0) throw new Error(`${url} holds no sessions: seed it first (npm run bench, see above)`);
    const before = fixtureNotes.length;
    const fixtures = { ...(await sweepAndPickFixtures(url)), tokens: [] };
    sizes.push({
      label,
      url,
      users,
      sessions,
      fixtures,
      notes: fixtureNotes.slice(before),
      since: await databaseNow(url),
    });
    log(`${label}: ${url}, ${users} users, ${sessions} sessions`);
  }
  build();
  const rows: Row[] = [];
  try {
    for (const size of sizes) {
      size.service = await startService(`service ${size.label}`, PORTS[size.label], {
        DATABASE_URL: size.url,
        // Limits stay on (their counting is part of the cost) but the load stays under them, as in `npm run bench`.
        RATE_LIMIT_VALIDATE: '100000000',
        RATE_LIMIT_LOGIN: '1000000',
      });
      size.fixtures.tokens = await makeTokens(size.service.base, size.fixtures.usernames, 200);
    }
    for (const endpoint of ENDPOINTS.filter((e) => ONLY.length === 0 || ONLY.includes(e.name))) {
      const row: Row = { endpoint: endpoint.name, small: [], large: [] };
      for (const size of sizes) await load(size.service!.base, endpoint, size.fixtures, 2);
      for (let round = 0; round < ROUNDS; round++)
        for (const size of round % 2 === 0 ? sizes : [...sizes].reverse())
          row[size.label].push(await load(size.service!.base, endpoint, size.fixtures, DURATION));
      for (const size of sizes)
        row[size.label].forEach((run, round) => {
          if (errorsOf(run) > 0) log(`${endpoint.name}, ${size.label}, round ${round + 1}: ${errorDetail(run)}`);
        });
      rows.push(row);
      log(
        `${endpoint.name}: ${sizes.map((s) => `${s.label} ${perSecond(row[s.label])}/s p99 ${p99(row[s.label])} ms`).join(', ')}`,
      );
    }
  } finally {
    for (const size of sizes) if (size.service) await stop(size.service.child);
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const report = [
    '# SessionHub growth benchmark',
    '',
    `Run ${started.toISOString()}; the service on two databases side by side, one worker each; autocannon, ` +
      `${CONNECTIONS} connections, ${DURATION} s per endpoint and size (after a 2 s warm-up), ${ROUNDS} rounds ` +
      `alternating the sizes (each first in turn), medians shown; ${cpus().length} CPUs (${cpu}), ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB RAM; load generator, services and PostgreSQL share the machine.`,
    '',
    table(rows, sizes),
    '',
    ...sizes.map(
      (size) =>
        `Data, ${size.users.toLocaleString('en')} users and ${size.sessions.toLocaleString('en')} sessions: ` +
        `${size.notes.join('; ')}.`,
    ),
    '',
  ].join('\n');
  console.log('\n' + report);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'growth.md'), report);
  log('written to bench/results/growth.md');
  for (const size of sizes) {
    const removed = await removeSessionsSince(size.since, size.url);
    log(`${size.label}: removed the ${removed} sessions this run created`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
