/**
 * `npm run bench:soak`: the service as a real process (`node dist/main.js`, one worker, PostgreSQL) under a steady
 * mixed load for SOAK_MINUTES (30), to show that memory stays flat and nothing fails over time.
 *
 * The load is open-loop at SOAK_RATE requests/s (300: moderate, not saturation), picked at random by weight from
 * logins, validates (hits, hits from a new address, misses with unknown and with ended tokens), logouts and
 * revocations on every face (hub end, hub revoke-all, authentik DELETE, Prefactor revoke, MOVENS revoke), lists on
 * every face and retrievals. Sessions it ends are only ones it created, so every answer's status is known in
 * advance; validate hits use tokens it never ends.
 *
 * After a SOAK_WARMUP_SECONDS (60) warm-up under the same load, every SOAK_SAMPLE_SECONDS (30) it reads the
 * service's /metrics (RSS, V8 heap, event-loop lag, live sessions) and closes a window of requests by status, errors
 * (5xx, connection errors, timeouts), unexpected statuses and p50/p99 latency. At the end it writes
 * bench/results/soak.md (and soak.json), prints the summary, removes the sessions it created, and exits 1 if any
 * request failed.
 *
 * Settings: SOAK_MINUTES, SOAK_RATE, SOAK_WARMUP_SECONDS, SOAK_SAMPLE_SECONDS, SOAK_PORT (3910), and the bench's
 * BENCH_DATABASE_URL (here postgres://postgres@127.0.0.1:5432/sessionhub_soak unless set), BENCH_USERS,
 * BENCH_SESSIONS, BENCH_SKIP_BUILD, BENCH_TOKEN, BENCH_SERVICE_ENV. A smoke test: SOAK_MINUTES=1
 * SOAK_WARMUP_SECONDS=10 SOAK_SAMPLE_SECONDS=10 npm run bench:soak.
 */
import './soak-database';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { publicIpv4, RandomSource } from '../src/cli/seed-data';
import { SEED_AGENTS } from '../src/cli/seed/agents';
import { databaseNow, Fixtures, prepareData, removeSessionsSince, sweepAndPickFixtures } from './data';
import { stop } from './processes';
import { build, makeTokens, startService, stats } from './service-run';
import { BOOTSTRAP_TOKEN, DATABASE_URL, log, ROOT, sleep, SESSIONS, USERS } from './settings';

const MINUTES = Number(process.env.SOAK_MINUTES || 30);
const RATE = Number(process.env.SOAK_RATE || 300);
const WARMUP_SECONDS = Number(process.env.SOAK_WARMUP_SECONDS || 60);
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS || 30);
const PORT = Number(process.env.SOAK_PORT || 3910);
/**
 * Past this many requests in flight a due request is not sent but counted, and the run fails: the service fell
 * behind by seconds (at 300/s, over 3 s of backlog; the machine's other work alone stalls it for about 1 s at times).
 */
const MAX_IN_FLIGHT = 1024;
const TIMEOUT_MS = 10_000;
const SOAK_USERS = 100;
const VALIDATE_TOKENS = 500;

// ---- HTTP ---------------------------------------------------------------------------------------------------------

interface Answer {
  /** 0 when no answer came: `error` says why. */
  status: number;
  body?: any;
  error?: string;
  ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let base = '';

/** One request on a kept-alive connection; never rejects. The body is parsed only when `parse` is set. */
function call(method: string, path: string, body?: unknown, options: { auth?: boolean; parse?: boolean } = {}) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {};
  if (options.auth !== false) headers.authorization = `Bearer ${BOOTSTRAP_TOKEN}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const url = new URL(path, base);
  const started = performance.now();
  return new Promise<Answer>((resolve) => {
    let settled = false;
    const done = (answer: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...answer, ms: performance.now() - started });
    };
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) => done({ status: 0, error: error.code ?? error.message }));
        res.on('end', () => {
          if (!res.complete) return done({ status: 0, error: 'incomplete' });
          const status = res.statusCode ?? 0;
          if (!options.parse) return done({ status });
          try {
            done({ status, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch {
            done({ status, error: 'unparseable body' });
          }
        });
      },
    );
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => done({ status: 0, error: error.code ?? error.message }));
    req.end(payload);
  });
}

// ---- the load -----------------------------------------------------------------------------------------------------

interface ChurnSession {
  id: number;
  uuid: string;
  pfid: string;
  token: string;
  userId: number;
}

/** What the load works on: seeded sessions to read, tokens to validate, and the sessions it logs in and out. */
class LoadState {
  readonly random = new RandomSource();
  /** Sessions the soak created and not yet ended. */
  churn: ChurnSession[] = [];
  /** Tokens of sessions the soak ended: validating one must answer 401. */
  readonly ended: string[] = [];
  /** Logins and ends in flight per soak user; a revoke-all waits for a user with none. */
  readonly busy = new Map<number, number>();
  readonly revoking = new Set<number>();

  constructor(
    readonly fixtures: Fixtures,
    readonly soakUsers: number[],
  ) {}

  pick<T>(items: T[]): T {
    return items[Math.floor(Math.random() * items.length)];
  }

  endedToken(token: string): void {
    this.ended.push(token);
    if (this.ended.length > 5000) this.ended.splice(0, this.ended.length - 5000);
  }

  /** Takes a created session out of the pool to end it (none when every candidate's user is being revoked). */
  takeChurn(): ChurnSession | undefined {
    for (let tries = 0; tries < 5 && this.churn.length > 0; tries++) {
      const i = Math.floor(Math.random() * this.churn.length);
      const session = this.churn[i];
      if (this.revoking.has(session.userId)) continue;
      this.churn[i] = this.churn[this.churn.length - 1];
      this.churn.pop();
      return session;
    }
    return undefined;
  }

  async withUser<T>(userId: number, work: () => Promise<T>): Promise<T> {
    this.busy.set(userId, (this.busy.get(userId) ?? 0) + 1);
    try {
      return await work();
    } finally {
      this.busy.set(userId, this.busy.get(userId)! - 1);
    }
  }
}

interface Op {
  name: string;
  weight: number;
  expect: number;
  /** Undefined when it has nothing to work on yet (no session to end): a login goes instead. */
  run: (s: LoadState) => Promise<Answer> | undefined;
}

const AUTHENTIK = '/api/v3/core/authenticated_sessions/';
const agentOf = (s: LoadState) => s.pick(SEED_AGENTS).ua;

function login(s: LoadState): Promise<Answer> {
  const candidates = s.soakUsers.filter((u) => !s.revoking.has(u));
  const userId = s.pick(candidates);
  return s.withUser(userId, async () => {
    const answer = await call(
      'POST',
      '/api/hub/v1/sessions',
      { user: userId, ip: publicIpv4(s.random), userAgent: agentOf(s) },
      { parse: true },
    );
    if (answer.status === 201) {
      const b = answer.body as { id: number; uuid: string; pfid: string; token: string };
      s.churn.push({ id: b.id, uuid: b.uuid, pfid: b.pfid, token: b.token, userId });
    }
    return answer;
  });
}

/** Ends one session the soak created, through `end`; its token goes to the ended ones once that is answered. */
function ending(end: (session: ChurnSession) => Promise<Answer>) {
  return (s: LoadState): Promise<Answer> | undefined => {
    const session = s.takeChurn();
    if (!session) return undefined;
    return s.withUser(session.userId, async () => {
      const answer = await end(session);
      s.endedToken(session.token);
      return answer;
    });
  };
}

/** Every session of one soak user, once no login or end of that user is in flight. */
function revokeAll(s: LoadState): Promise<Answer> | undefined {
  const free = s.soakUsers.filter((u) => !s.busy.get(u) && !s.revoking.has(u));
  if (free.length === 0) return undefined;
  const userId = s.pick(free);
  s.revoking.add(userId);
  const mine = s.churn.filter((c) => c.userId === userId);
  s.churn = s.churn.filter((c) => c.userId !== userId);
  return call('POST', `/api/hub/v1/users/${userId}/sessions/revoke`, {}).then((answer) => {
    for (const c of mine) s.endedToken(c.token);
    s.revoking.delete(userId);
    return answer;
  });
}

const OPS: Op[] = [
  {
    name: 'validate hit',
    weight: 40,
    expect: 200,
    run: (s) => call('POST', '/api/hub/v1/sessions/validate', { token: s.pick(s.fixtures.tokens) }, { auth: false }),
  },
  {
    name: 'validate hit, new address',
    weight: 2,
    expect: 200,
    run: (s) =>
      call(
        'POST',
        '/api/hub/v1/sessions/validate',
        { token: s.pick(s.fixtures.tokens), ip: publicIpv4(s.random) },
        { auth: false },
      ),
  },
  {
    name: 'validate miss, unknown token',
    weight: 5,
    expect: 401,
    run: () =>
      call(
        'POST',
        '/api/hub/v1/sessions/validate',
        { token: `shs_${randomBytes(32).toString('base64url')}` },
        { auth: false },
      ),
  },
  {
    name: 'validate miss, ended token',
    weight: 3,
    expect: 401,
    run: (s) =>
      s.ended.length === 0
        ? undefined
        : call('POST', '/api/hub/v1/sessions/validate', { token: s.pick(s.ended) }, { auth: false }),
  },
  { name: 'login (hub)', weight: 8, expect: 201, run: login },
  {
    name: 'logout (hub end)',
    weight: 3,
    expect: 200,
    run: ending((c) => call('POST', `/api/hub/v1/sessions/${c.uuid}/end`)),
  },
  {
    name: 'revoke (authentik DELETE)',
    weight: 1.5,
    expect: 204,
    run: ending((c) => call('DELETE', `${AUTHENTIK}${c.uuid}/`)),
  },
  {
    name: 'revoke (Prefactor)',
    weight: 1.5,
    expect: 200,
    run: ending((c) => call('POST', `/api/v1/session/${c.pfid}/revoke`, {})),
  },
  {
    name: 'revoke (MOVENS)',
    weight: 1.5,
    expect: 200,
    run: ending((c) => call('POST', '/api/admin/v1/authenticated-sessions/revoke', { Session: c.id })),
  },
  { name: 'revoke all of a user (hub)', weight: 0.2, expect: 200, run: revokeAll },
  { name: 'authentik list', weight: 4, expect: 200, run: () => call('GET', AUTHENTIK) },
  {
    name: 'authentik list ?user__username',
    weight: 2,
    expect: 200,
    run: (s) => call('GET', `${AUTHENTIK}?user__username=${encodeURIComponent(s.fixtures.username)}`),
  },
  {
    name: 'authentik list ?search',
    weight: 1,
    expect: 200,
    run: (s) => call('GET', `${AUTHENTIK}?search=${encodeURIComponent(s.fixtures.search)}`),
  },
  {
    name: 'Prefactor list',
    weight: 3,
    expect: 200,
    run: (s) => call('GET', `/api/v1/session?pool_id=${s.fixtures.poolId}`),
  },
  { name: 'MOVENS list', weight: 3, expect: 200, run: () => call('GET', '/api/admin/v1/authenticated-sessions/list') },
  {
    name: 'MOVENS user-sessions',
    weight: 3,
    expect: 200,
    run: (s) => call('GET', `/api/admin/v1/authenticated-sessions/user-sessions/${s.pick(s.fixtures.userGuids)}`),
  },
  {
    name: 'hub users list',
    weight: 2,
    expect: 200,
    run: () => call('GET', `/api/hub/v1/users?offset=${Math.floor(Math.random() * 1000)}`),
  },
  { name: 'hub tokens list', weight: 0.5, expect: 200, run: () => call('GET', '/api/hub/v1/tokens') },
  {
    name: 'authentik retrieve',
    weight: 4,
    expect: 200,
    run: (s) => call('GET', `${AUTHENTIK}${s.pick(s.fixtures.uuids)}/`),
  },
  {
    name: 'Prefactor fetch',
    weight: 4,
    expect: 200,
    run: (s) => call('GET', `/api/v1/session/${s.pick(s.fixtures.pfids)}`),
  },
  {
    name: 'hub session',
    weight: 3,
    expect: 200,
    run: (s) => call('GET', `/api/hub/v1/sessions/${s.pick(s.fixtures.uuids)}`),
  },
  {
    name: 'hub session events',
    weight: 1,
    expect: 200,
    run: (s) => call('GET', `/api/hub/v1/sessions/${s.pick(s.fixtures.uuids)}/events`),
  },
];
const LOGIN = OPS.find((op) => op.run === login)!;
const TOTAL_WEIGHT = OPS.reduce((sum, op) => sum + op.weight, 0);

function pickOp(): Op {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const op of OPS) if ((r -= op.weight) < 0) return op;
  return OPS[0];
}

// ---- counting -----------------------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Requests answered in one window (or the whole run). */
class Tally {
  requests = 0;
  readonly statuses = new Map<string, number>();
  /** 5xx, connection errors and timeouts. */
  errors = 0;
  /** Answers other than the one expected that are not errors. */
  unexpected = 0;
  latencies: number[] = [];
  readonly examples: string[] = [];

  add(op: Op, answer: Answer): void {
    this.requests++;
    const key = answer.status === 0 ? `error ${answer.error}` : String(answer.status);
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
    this.latencies.push(answer.ms);
    const failed = answer.status === 0 || answer.status >= 500;
    if (failed) this.errors++;
    else if (answer.status !== op.expect) this.unexpected++;
    if ((failed || answer.status !== op.expect) && this.examples.length < 10)
      this.examples.push(`${op.name}: ${key} (expected ${op.expect})`);
  }

  count(predicate: (status: string) => boolean): number {
    let n = 0;
    for (const [status, count] of this.statuses) if (predicate(status)) n += count;
    return n;
  }

  latency(): { p50: number; p99: number; max: number } {
    const sorted = Float64Array.from(this.latencies).sort();
    return {
      p50: percentile(Array.from(sorted), 50),
      p99: percentile(Array.from(sorted), 99),
      max: sorted[sorted.length - 1] ?? NaN,
    };
  }
}

interface Memory {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  eventLoopP99Ms: number;
  liveSessions: number;
  poolWaiting: number;
}

/** The service's own view of itself, from /metrics (prom-client's default metrics and SessionHub's gauges). */
async function readMetrics(): Promise<Memory> {
  const res = await fetch(`${base}/metrics`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: is METRICS on?`);
  const value = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (!m) throw new Error(`/metrics has no ${name}`);
    return Number(m[1]);
  };
  const mb = (name: string) => value(name) / 2 ** 20;
  return {
    rssMb: mb('process_resident_memory_bytes'),
    heapUsedMb: mb('nodejs_heap_size_used_bytes'),
    heapTotalMb: mb('nodejs_heap_size_total_bytes'),
    externalMb: mb('nodejs_external_memory_bytes'),
    eventLoopP99Ms: value('nodejs_eventloop_lag_p99_seconds') * 1000,
    liveSessions: value('sessionhub_live_sessions'),
    poolWaiting: value('sessionhub_db_pool_waiting'),
  };
}

interface Sample extends Memory {
  /** Seconds since the end of the warm-up. */
  t: number;
  requests: number;
  ok2xx: number;
  client4xx: number;
  server5xx: number;
  connectionErrors: number;
  unexpected: number;
  p50: number;
  p99: number;
  max: number;
  skipped: number;
  maxInFlight: number;
}

/** Least-squares slope of y over t (seconds), in units per hour. */
function slopePerHour(samples: Sample[], y: (s: Sample) => number): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const mt = samples.reduce((a, s) => a + s.t, 0) / n;
  const my = samples.reduce((a, s) => a + y(s), 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.t - mt) * (y(s) - my);
    den += (s.t - mt) ** 2;
  }
  return (num / den) * 3600;
}

// ---- the run ------------------------------------------------------------------------------------------------------

/** Soak users: made once, found again by name on later runs. Their sessions are the only ones the soak ends. */
async function soakUsers(): Promise<number[]> {
  const found = await call('GET', `/api/hub/v1/users?search=soak.user&limit=100`, undefined, { parse: true });
  if (found.status !== 200) throw new Error(`listing soak users: ${found.status}`);
  const ids = new Map<string, number>(
    (found.body as { items: { id: number; username: string }[] }).items.map((u) => [u.username, u.id]),
  );
  for (let i = 0; i < SOAK_USERS; i++) {
    const username = `soak.user${String(i).padStart(3, '0')}`;
    if (ids.has(username)) continue;
    const made = await call('POST', '/api/hub/v1/users', { username, name: `Soak user ${i}` }, { parse: true });
    if (made.status !== 201) throw new Error(`creating ${username}: ${made.status}`);
    ids.set(username, (made.body as { id: number }).id);
  }
  return [...ids.entries()].filter(([name]) => /^soak\.user\d{3}$/.test(name)).map(([, id]) => id);
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

function report(
  started: Date,
  samples: Sample[],
  total: Tally,
  byOp: Map<Op, Tally>,
  seconds: number,
  skipped: number,
): string {
  const first = samples[0];
  const last = samples[samples.length - 1];
  const windows = samples.slice(1);
  const p99s = stats(windows.map((w) => w.p99));
  const rss = stats(samples.map((s) => s.rssMb));
  const heap = stats(samples.map((s) => s.heapUsedMb));
  const overall = total.latency();
  const lines = [
    '# SessionHub soak',
    '',
    `Run ${started.toISOString()}: ${MINUTES} min (after a ${WARMUP_SECONDS} s warm-up under the same load) of an open-loop ` +
      `mixed load at ${RATE} requests/s against \`node dist/main.js\` with WORKERS=1, METRICS=on, rate limits on ` +
      `(bounds raised above the load, as in bench/run.ts), on PostgreSQL (${DATABASE_URL.replace(/\/\/[^@]*@/, '//')}, ` +
      `${USERS} users, ${SESSIONS} seeded sessions); ${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ` +
      'shared by the load generator, the service, PostgreSQL and other work.',
    '',
    '## Summary',
    '',
    `- requests: ${total.requests} in ${Math.round(seconds)} s (${f1(total.requests / seconds)}/s), ` +
      `${skipped} not sent because ${MAX_IN_FLIGHT} were in flight`,
    `- warm-up: ${first.requests} requests, ${first.server5xx + first.connectionErrors} errors, ${first.unexpected} unexpected answers`,
    `- errors (5xx, connection errors, timeouts): **${total.errors}**; answers other than the expected status: **${total.unexpected}**` +
      (total.examples.length ? ` (e.g. ${total.examples.join('; ')})` : ''),
    `- RSS: ${f1(first.rssMb)} MB after warm-up, ${f1(last.rssMb)} MB at the end (min ${f1(rss.min)}, max ${f1(rss.max)}); ` +
      `slope ${f1(slopePerHour(samples, (s) => s.rssMb))} MB/h`,
    `- V8 heap used: ${f1(first.heapUsedMb)} MB after warm-up, ${f1(last.heapUsedMb)} MB at the end (min ${f1(heap.min)}, ` +
      `max ${f1(heap.max)}); slope ${f1(slopePerHour(samples, (s) => s.heapUsedMb))} MB/h`,
    `- latency, whole run: p50 ${f1(overall.p50)} ms, p99 ${f1(overall.p99)} ms, max ${f1(overall.max)} ms; ` +
      `p99 per ${SAMPLE_SECONDS} s window ${f1(p99s.min)} – ${f1(p99s.max)} ms (mean ${f1(p99s.mean)})`,
    '',
    '## Per window',
    '',
    '| t min | requests | 2xx | 4xx | 5xx | conn. errors | unexpected | p50 ms | p99 ms | max ms | RSS MB | heap used MB | heap total MB | external MB | event-loop p99 ms | live sessions |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of samples) {
    const t = (s.t / 60).toFixed(1);
    const load =
      s.t === 0
        ? '| (end of warm-up) | | | | | | | | |'
        : `| ${s.requests} | ${s.ok2xx} | ${s.client4xx} | ${s.server5xx} | ${s.connectionErrors} | ${s.unexpected} | ` +
          `${f1(s.p50)} | ${f1(s.p99)} | ${f1(s.max)} |`;
    lines.push(
      `| ${t} ${load} ${f1(s.rssMb)} | ${f1(s.heapUsedMb)} | ${f1(s.heapTotalMb)} | ${f1(s.externalMb)} | ` +
        `${f1(s.eventLoopP99Ms)} | ${s.liveSessions} |`,
    );
  }
  lines.push(
    '',
    '## Per operation',
    '',
    '| operation | weight | expected | requests | unexpected | errors | p50 ms | p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const op of OPS) {
    const t = byOp.get(op)!;
    const l = t.latency();
    lines.push(
      `| ${op.name} | ${op.weight} | ${op.expect} | ${t.requests} | ${t.unexpected} | ${t.errors} | ${f1(l.p50)} | ${f1(l.p99)} |`,
    );
  }
  lines.push(
    '',
    'Requests are counted under the operation drawn; when it had nothing to work on yet (no session to end, no ended',
    'token) a login went instead and is counted as one. Latency is from sending to the last byte, measured by the',
    'load generator. Memory is the service process as its /metrics reports it.',
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  log(`soak: ${MINUTES} min at ${RATE} req/s after a ${WARMUP_SECONDS} s warm-up, on ${DATABASE_URL}`);
  await prepareData();
  const picked = await sweepAndPickFixtures();
  const since = await databaseNow();
  build();
  const service = await startService('service', PORT, {
    METRICS: 'on',
    // Limits stay on (their counting is part of what runs for half an hour) but the load stays under them: every
    // request comes from one address, and the misses are failed authentications.
    RATE_LIMIT_VALIDATE: '100000000',
    RATE_LIMIT_LOGIN: '1000000',
    RATE_LIMIT_AUTH_FAILURES: '1000000',
  });
  base = service.base;
  let exited = false;
  let stopping = false;
  service.child.once('exit', (code, signal) => {
    exited = true;
    if (!stopping) log(`the service exited (${code ?? signal}) during the soak`);
  });
  try {
    const tokens = await makeTokens(base, picked.usernames, VALIDATE_TOKENS);
    const state = new LoadState({ ...picked, tokens }, await soakUsers());

    const total = new Tally();
    const byOp = new Map(OPS.map((op) => [op, new Tally()]));
    let window = new Tally();
    let inFlight = 0;
    let maxInFlight = 0;
    let skipped = 0;
    let windowSkipped = 0;
    let measuring = false;
    const fire = () => {
      const op = pickOp();
      const started = op.run(state);
      const counted = started ? op : LOGIN;
      const pending = started ?? LOGIN.run(state)!;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      void pending.then((answer) => {
        inFlight--;
        window.add(counted, answer);
        if (measuring) {
          total.add(counted, answer);
          byOp.get(counted)!.add(counted, answer);
        }
      });
    };
    const origin = performance.now();
    let sent = 0;
    const ticker = setInterval(() => {
      const due = Math.floor(((performance.now() - origin) / 1000) * RATE);
      for (; sent < due; sent++) {
        if (inFlight >= MAX_IN_FLIGHT) {
          windowSkipped++;
          if (measuring) skipped++;
          continue;
        }
        fire();
      }
    }, 5);

    const samples: Sample[] = [];
    const sample = async (t: number) => {
      const closed = window;
      window = new Tally();
      const l = closed.latency();
      const memory = await readMetrics();
      const s: Sample = {
        t,
        ...memory,
        requests: closed.requests,
        ok2xx: closed.count((k) => k.startsWith('2')),
        client4xx: closed.count((k) => k.startsWith('4')),
        server5xx: closed.count((k) => k.startsWith('5')),
        connectionErrors: closed.count((k) => k.startsWith('error')),
        unexpected: closed.unexpected,
        ...l,
        skipped: windowSkipped,
        maxInFlight,
      };
      windowSkipped = 0;
      maxInFlight = inFlight;
      samples.push(s);
      log(
        `${t === 0 ? 'warm-up done' : `t=${(t / 60).toFixed(1)} min`}: ${closed.requests} requests, ` +
          `errors ${closed.errors}, unexpected ${closed.unexpected}, p50 ${f1(l.p50)} ms, p99 ${f1(l.p99)} ms; ` +
          `RSS ${f1(s.rssMb)} MB, heap used ${f1(s.heapUsedMb)} MB, live sessions ${s.liveSessions}` +
          (closed.examples.length ? ` [${closed.examples.slice(0, 3).join('; ')}]` : ''),
      );
    };

    await sleep(WARMUP_SECONDS * 1000);
    await sample(0);
    measuring = true;
    const measuredFrom = performance.now();
    const windows = Math.max(1, Math.round((MINUTES * 60) / SAMPLE_SECONDS));
    for (let i = 1; i <= windows && !exited; i++) {
      const wait = measuredFrom + i * SAMPLE_SECONDS * 1000 - performance.now();
      await sleep(Math.max(0, wait));
      if (i < windows) await sample(i * SAMPLE_SECONDS);
    }
    clearInterval(ticker);
    // The last window closes once what was sent in it has been answered.
    const drainUntil = Date.now() + TIMEOUT_MS + 1000;
    while (inFlight > 0 && Date.now() < drainUntil) await sleep(50);
    const seconds = (performance.now() - measuredFrom) / 1000;
    measuring = false;
    if (exited) throw new Error('the service exited during the soak');
    await sample(windows * SAMPLE_SECONDS);

    const text = report(started, samples, total, byOp, seconds, skipped);
    console.log('\n' + text);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'soak.md'), text);
    writeFileSync(
      join(ROOT, 'bench', 'results', 'soak.json'),
      JSON.stringify({ started, minutes: MINUTES, rate: RATE, samples, skipped }, null, 2),
    );
    log('written to bench/results/soak.md');
    const warmUp = samples[0];
    const failed =
      total.errors + total.unexpected + skipped + warmUp.server5xx + warmUp.connectionErrors + warmUp.unexpected > 0;
    if (failed) {
      log('FAILED: some requests failed, were not answered as expected, or could not be sent');
      process.exitCode = 1;
    }
  } finally {
    agent.destroy();
    stopping = true;
    await stop(service.child);
    const removed = await removeSessionsSince(since);
    log(`removed the ${removed} sessions this run created`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
