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
 * Settings: BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/sessionhub_bench), BENCH_DURATION (10),
 * BENCH_CONNECTIONS (64), BENCH_WORKERS (1,2), BENCH_USERS (10000), BENCH_SESSIONS (1000000),
 * BENCH_ENDPOINTS (all; a comma-separated list of names to run only some), BENCH_SKIP_BUILD (unset).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { seed } from '../src/cli/seed';
import { hashKey } from '../src/sessions/credentials';
import { listStatements } from '../src/sessions/persistence/session.sql';
import { SessionQuery } from '../src/sessions/session-query';
import { loadConfig } from '../src/config/app-config';
import { publicIpv4, RandomSource, SEED_AGENTS } from '../src/cli/seed-data';

const ROOT = resolve(__dirname, '..');
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sessionhub_bench';
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2').split(',').map(Number);
const USERS = Number(process.env.BENCH_USERS ?? 10000);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000000);
const ONLY = process.env.BENCH_ENDPOINTS?.split(',').map((s) => s.trim());
const SERVICE_PORT = 3900;
const FLOOR_PORT = 3901;
/** A fixed key: the service stores BOOTSTRAP_TOKEN once, under the identifier `bootstrap`, and keeps that one. */
const BOOTSTRAP_TOKEN = process.env.BENCH_TOKEN ?? 'shk_sessionhub_bench_bootstrap_token';

interface Fixtures {
  username: string;
  search: string;
  uuids: string[];
  pfids: string[];
  poolId: string;
  userGuids: string[];
  usernames: string[];
  tokens: string[];
}

interface Endpoint {
  name: string;
  method: 'GET' | 'POST';
  /** Paths (or bodies) rotate per request, so runs read many rows, not one cached row. */
  paths: (f: Fixtures) => string[];
  body?: (f: Fixtures, i: number, random: RandomSource) => string;
  auth: boolean;
}

const AUTHENTIK = '/api/v3/core/authenticated_sessions/';
const ENDPOINTS: Endpoint[] = [
  { name: 'authentik list', method: 'GET', auth: true, paths: () => [AUTHENTIK] },
  {
    name: 'authentik list ?user__username',
    method: 'GET',
    auth: true,
    paths: (f) => [`${AUTHENTIK}?user__username=${encodeURIComponent(f.username)}`],
  },
  {
    name: 'authentik list ?search',
    method: 'GET',
    auth: true,
    paths: (f) => [`${AUTHENTIK}?search=${encodeURIComponent(f.search)}`],
  },
  { name: 'authentik retrieve', method: 'GET', auth: true, paths: (f) => f.uuids.map((u) => `${AUTHENTIK}${u}/`) },
  { name: 'Prefactor fetch', method: 'GET', auth: true, paths: (f) => f.pfids.map((p) => `/api/v1/session/${p}`) },
  { name: 'Prefactor list', method: 'GET', auth: true, paths: (f) => [`/api/v1/session?pool_id=${f.poolId}`] },
  { name: 'MOVENS list', method: 'GET', auth: true, paths: () => ['/api/admin/v1/authenticated-sessions/list'] },
  {
    name: 'MOVENS user-sessions',
    method: 'GET',
    auth: true,
    paths: (f) => f.userGuids.map((g) => `/api/admin/v1/authenticated-sessions/user-sessions/${g}`),
  },
  {
    name: 'hub validate',
    method: 'POST',
    auth: false,
    paths: () => ['/api/hub/v1/sessions/validate'],
    body: (f, i) => JSON.stringify({ token: f.tokens[i % f.tokens.length] }),
  },
  {
    name: 'hub create',
    method: 'POST',
    auth: true,
    paths: () => ['/api/hub/v1/sessions'],
    body: (f, i, random) =>
      JSON.stringify({
        user: f.usernames[i % f.usernames.length],
        ip: publicIpv4(random),
        userAgent: SEED_AGENTS[i % SEED_AGENTS.length].ua,
      }),
  },
];

interface Result {
  endpoint: string;
  workers: number;
  skipped?: string;
  rps?: number;
  p50?: number;
  p99?: number;
  floorRps?: number;
  errors?: number;
  floorErrors?: number;
  peakRssMb?: number;
}

const log = (line: string) => console.log(`[bench] ${line}`);
const fixtureNotes: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ensureDatabase(): Promise<void> {
  const url = new URL(DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  const admin = new Client({
    connectionString: Object.assign(new URL(DATABASE_URL), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      log(`creating database ${name}`);
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    }
  } finally {
    await admin.end();
  }
}

/** Counts what is there; seeds what is missing (the seed applies migrations first). */
async function prepareData(): Promise<void> {
  await ensureDatabase();
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  let users = 0;
  let sessions = 0;
  try {
    const tables = await db.query(
      `SELECT to_regclass('sessions') IS NOT NULL AS s, to_regclass('session_counts') IS NOT NULL AS c`,
    );
    if (tables.rows[0].s) {
      users = Number((await db.query('SELECT count(*) AS n FROM users')).rows[0].n);
      sessions = Number(
        (
          await db.query(
            tables.rows[0].c
              ? `SELECT coalesce(sum(n), 0) AS n FROM session_counts WHERE scope = 'all'`
              : 'SELECT count(*) AS n FROM sessions',
          )
        ).rows[0].n,
      );
    }
  } finally {
    await db.end();
  }
  const config = loadConfig({ ...process.env, DATABASE_URL });
  if (users >= USERS && sessions >= SESSIONS) {
    log(`reusing ${DATABASE_URL}: ${users} users, ${sessions} sessions`);
    const { runMigrations } = await import('../src/database/migrate');
    const applied = await runMigrations(config);
    if (applied.length) log(`applied migrations: ${applied.join(', ')}`);
    return;
  }
  log(`seeding ${DATABASE_URL}: ${Math.max(0, USERS - users)} users and ${Math.max(0, SESSIONS - sessions)} sessions`);
  const report = await seed(config, {
    users: Math.max(1, USERS - users),
    sessions: Math.max(0, SESSIONS - sessions),
    accounts: 3,
    batch: 10000,
    log: (line) => log(`seed: ${line}`),
  });
  log(`seeded in ${report.seconds.toFixed(1)} s`);
}

/** Marks expired sessions as the service's sweeper does, so runs start from the same tidy state. */
async function sweepAndPickFixtures(): Promise<Omit<Fixtures, 'tokens'>> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    for (;;) {
      const swept = await db.query(
        `WITH done AS (
           UPDATE sessions SET status = 'complete', ended_at = expires_at WHERE id IN (
             SELECT id FROM sessions WHERE status IN ('new', 'unauthenticated', 'authenticated') AND expires_at <= now()
             ORDER BY expires_at LIMIT 5000 FOR UPDATE SKIP LOCKED) RETURNING id)
         INSERT INTO session_events (session_id, kind, face) SELECT id, 'expired', 'system' FROM done`,
      );
      if (!swept.rowCount) break;
    }
    // Fresh statistics and visibility map (earlier runs' logins added rows), so every run starts alike.
    await db.query('VACUUM (ANALYZE) sessions, live_session_counts, session_counts, users');
    // A user with a typical number of live sessions, and a search for a name several users share.
    // (The middle user by name among those with live sessions: the same user on every run, whatever logins the
    // previous runs added.)
    const typical = await db.query(
      `SELECT u.username FROM live_session_counts c JOIN users u ON u.id = c.user_id WHERE c.n > 0 AND NOT u.is_superuser
       ORDER BY u.username OFFSET (SELECT count(*) / 2 FROM live_session_counts WHERE n > 0) LIMIT 1`,
    );
    const username = String(typical.rows[0].username);
    const live = await db.query(
      `SELECT uuid, pfid FROM sessions TABLESAMPLE SYSTEM (1)
       WHERE status IN ('new', 'unauthenticated', 'authenticated') AND expires_at > now() + interval '1 hour' LIMIT 1000`,
    );
    const guids = await db.query(
      `SELECT u.uuid, u.username FROM live_session_counts c JOIN users u ON u.id = c.user_id WHERE c.n > 0 AND NOT u.is_superuser
       ORDER BY random() LIMIT 1000`,
    );
    // A bootstrap token left by a run with another BENCH_TOKEN goes, so the service stores this run's key.
    await db.query(`DELETE FROM api_tokens WHERE identifier = 'bootstrap' AND key_hash <> $1`, [
      hashKey(BOOTSTRAP_TOKEN),
    ]);
    const scope = await db.query(`SELECT value FROM settings WHERE key = 'default_pool_id'`);
    const search = username.replace(/\d+$/, '');
    const matching = async (query: Partial<SessionQuery>) => {
      const { count } = listStatements({
        liveOnly: true,
        order: [{ field: 'username', descending: false }],
        offset: 0,
        limit: 20,
        ...query,
      });
      return Number((await db.query(count.text, count.params)).rows[0].n);
    };
    fixtureNotes.push(
      `user__username=${username} (${await matching({ username })} live sessions)`,
      `search=${search} (${await matching({ searchTerms: [search] })} matching live sessions)`,
      `all live sessions: ${await matching({})}`,
    );
    return {
      username,
      search,
      uuids: live.rows.map((r) => String(r.uuid)),
      pfids: live.rows.map((r) => String(r.pfid)),
      poolId: String(scope.rows[0].value),
      userGuids: guids.rows.map((r) => String(r.uuid)),
      usernames: guids.rows.map((r) => String(r.username)),
    };
  } finally {
    await db.end();
  }
}

async function databaseNow(): Promise<Date> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    return (await db.query('SELECT now() AS now')).rows[0].now as Date;
  } finally {
    await db.end();
  }
}

async function removeSessionsSince(since: Date): Promise<number> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    return (await db.query('DELETE FROM sessions WHERE created_at >= $1', [since])).rowCount ?? 0;
  } finally {
    await db.end();
  }
}

/** Session tokens to validate: made through the hub's login call, as an application would. */
async function makeTokens(base: string, usernames: string[], n: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${base}/api/hub/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        user: usernames[i % usernames.length],
        ip: '81.2.69.160',
        userAgent: SEED_AGENTS[i % 20].ua,
      }),
    });
    if (res.status !== 201) throw new Error(`creating a session for validate: ${res.status} ${await res.text()}`);
    tokens.push(((await res.json()) as { token: string }).token);
  }
  return tokens;
}

function start(label: string, command: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${label}] ${d.toString()}`));
  child.stdout?.resume();
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function waitFor(url: string, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** The process and its children (cluster workers). */
function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${all[i]}/task`)) {
        const children = readFileSync(`/proc/${all[i]}/task/${task}/children`, 'utf8').trim();
        if (children) all.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // gone
    }
  }
  return all;
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The largest resident set of any one process of the tree, polled while `work` runs. */
async function withPeakRss<T>(pid: number, work: () => Promise<T>): Promise<[T, number]> {
  let peak = 0;
  const timer = setInterval(() => {
    for (const p of processTree(pid)) peak = Math.max(peak, rssMb(p));
  }, 100);
  try {
    const result = await work();
    return [result, peak];
  } finally {
    clearInterval(timer);
  }
}

async function load(
  base: string,
  endpoint: Endpoint,
  fixtures: Fixtures,
  duration: number,
): Promise<autocannon.Result> {
  const paths = endpoint.paths(fixtures);
  const random = new RandomSource();
  let counter = 0;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (endpoint.auth) headers.authorization = `Bearer ${BOOTSTRAP_TOKEN}`;
  return autocannon({
    url: base,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: endpoint.method,
        path: paths[0],
        headers,
        setupRequest: (request) => {
          const i = counter++;
          request.path = paths[i % paths.length];
          if (endpoint.body) request.body = endpoint.body(fixtures, i, random);
          return request;
        },
      },
    ],
  });
}

function errorsOf(r: autocannon.Result): number {
  return r.non2xx + r.errors + r.timeouts;
}

async function probe(base: string, endpoint: Endpoint, fixtures: Fixtures): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (endpoint.auth) headers.authorization = `Bearer ${BOOTSTRAP_TOKEN}`;
  const res = await fetch(base + endpoint.paths(fixtures)[0], {
    method: endpoint.method,
    headers,
    body: endpoint.body ? endpoint.body(fixtures, 0, new RandomSource()) : undefined,
  });
  await res.arrayBuffer();
  return res.status;
}

function table(results: Result[]): string {
  const lines = [
    '| endpoint | workers | requests/s | p50 ms | p99 ms | floor requests/s | ratio to floor | errors (service / floor) | peak RSS per process MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    if (r.skipped) {
      lines.push(`| ${r.endpoint} | ${r.workers} | skipped: ${r.skipped} | | | | | | |`);
      continue;
    }
    const ratio = r.floorRps ? (r.rps! / r.floorRps).toFixed(2) : '-';
    lines.push(
      `| ${r.endpoint} | ${r.workers} | ${Math.round(r.rps!)} | ${r.p50} | ${r.p99} | ${Math.round(r.floorRps ?? 0)} | ${ratio} | ${r.errors} / ${r.floorErrors} | ${Math.round(r.peakRssMb!)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  await prepareData();
  const picked = await sweepAndPickFixtures();
  const since = await databaseNow();
  if (!process.env.BENCH_SKIP_BUILD) {
    log('npm run build');
    const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('build failed');
  }
  const endpoints = ENDPOINTS.filter((e) => !ONLY || ONLY.includes(e.name));
  const results: Result[] = [];
  for (const workers of WORKER_COUNTS) {
    log(`--- ${workers} worker(s) ---`);
    const env = { DATABASE_URL, BOOTSTRAP_TOKEN, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
    const service = start('service', process.execPath, ['dist/main.js'], {
      ...env,
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
        const status = await probe(serviceBase, endpoint, fixtures);
        if (status === 404 || status === 405) {
          log(`${endpoint.name}: skipped, the service answers ${status} for its route (face not built?)`);
          results.push({ endpoint: endpoint.name, workers, skipped: `service answers ${status}` });
          continue;
        }
        // A short warm-up of both (JIT, prepared statements, caches), then the measured runs.
        await load(serviceBase, endpoint, fixtures, 2);
        await load(floorBase, endpoint, fixtures, 2);
        const [run, peak] = await withPeakRss(service.pid!, () => load(serviceBase, endpoint, fixtures, DURATION));
        const floorRun = await load(floorBase, endpoint, fixtures, DURATION);
        const result: Result = {
          endpoint: endpoint.name,
          workers,
          rps: run.requests.average,
          p50: run.latency.p50,
          p99: run.latency.p99,
          floorRps: floorRun.requests.average,
          errors: errorsOf(run),
          floorErrors: errorsOf(floorRun),
          peakRssMb: peak,
        };
        results.push(result);
        log(
          `${endpoint.name}: ${Math.round(result.rps!)} req/s (p50 ${result.p50} ms, p99 ${result.p99} ms), floor ${Math.round(result.floorRps!)} req/s, ` +
            `ratio ${(result.rps! / result.floorRps!).toFixed(2)}, errors ${result.errors}/${result.floorErrors}, peak RSS ${Math.round(peak)} MB`,
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
      `${DURATION} s per endpoint (after a 2 s warm-up), service then floor; ${cpus().length} CPUs (${cpu}), ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB RAM; load generator, service and PostgreSQL share the machine.`,
    '',
    table(results),
    '',
    `Data: ${fixtureNotes.join('; ')}.`,
    '',
    'Errors are non-2xx answers plus socket errors and timeouts. Peak RSS is the largest resident set of any one service process',
    '(primary or worker), polled every 100 ms during the measured run.',
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

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
