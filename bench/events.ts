/**
 * `npm run bench:events`: the event history (GET /api/hub/v1/events) at millions of events. Tops the database up
 * to BENCH_EVENTS events (10,000,000 unless set; the kinds, reasons and faces in the proportions a busy service
 * has, a year of them in time order, spread over the seeded sessions), then loads each query for BENCH_DURATION
 * seconds with BENCH_CONNECTIONS connections against one worker, and checks every total against count(*).
 *
 * Settings: BENCH_EVENTS, BENCH_EVENTS_PORT (3947), and the bench's BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/sessionhub_events
 * unless set), BENCH_USERS, BENCH_SESSIONS, BENCH_DURATION, BENCH_CONNECTIONS, BENCH_SKIP_BUILD, BENCH_TOKEN.
 * Writes bench/results/events.md. Disk: about 1.3 GB per 10M events with their indexes.
 */
import './events-database';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { loadConfig } from '../src/config/app-config';
import { openDatabase } from '../src/database/open-database';
import { EventStore } from '../src/sessions/persistence/event.store';
import { prepareData } from './data';
import { stop } from './processes';
import { build, startService } from './service-run';
import { BOOTSTRAP_TOKEN, CONNECTIONS, DATABASE_URL, DURATION, log, ROOT } from './settings';

const TARGET = Number(process.env.BENCH_EVENTS || 10_000_000);
const CHUNK = 1_000_000;
const PORT = Number(process.env.BENCH_EVENTS_PORT || 3947);

/** One chunk of synthetic events, newer than every event there, in time order, over random seeded sessions. */
const INSERT_CHUNK = `
  WITH bounds AS (SELECT max(id) AS top FROM sessions), g AS (
    SELECT n, random() AS r, 1 + floor(random() * (SELECT top FROM bounds))::bigint AS sid FROM generate_series(1, $1) n)
  INSERT INTO session_events (session_id, user_id, kind, reason, face, actor_user_id, at, ip, user_agent)
  SELECT s.id, s.user_id,
    CASE WHEN g.r < 0.55 THEN 'validated_new_ip' WHEN g.r < 0.75 THEN 'created' WHEN g.r < 0.85 THEN 'ended'
         WHEN g.r < 0.91 THEN 'revoked' WHEN g.r < 0.97 THEN 'expired' WHEN g.r < 0.99 THEN 'new_device'
         ELSE 'new_country' END,
    CASE WHEN g.r >= 0.75 AND g.r < 0.85 THEN 'logout' WHEN g.r >= 0.85 AND g.r < 0.91 THEN 'revoke'
         WHEN g.r >= 0.91 AND g.r < 0.97 THEN 'expiry' END,
    CASE WHEN g.r < 0.75 THEN 'hub' WHEN g.r < 0.85 THEN 'hub' WHEN g.r < 0.88 THEN 'authentik'
         WHEN g.r < 0.90 THEN 'prefactor' WHEN g.r < 0.91 THEN 'movens' ELSE 'system' END,
    CASE WHEN g.r >= 0.75 AND g.r < 0.91 THEN s.user_id END,
    $2::timestamptz + make_interval(secs => g.n * $3::float8),
    s.last_ip, s.last_user_agent
  FROM g JOIN sessions s ON s.id = g.sid`;

async function topUp(): Promise<number> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    let have = Number((await db.query(`SELECT count(*) AS n FROM session_events`)).rows[0].n);
    if (have >= TARGET) return have;
    const missing = TARGET - have;
    // A year of events, the newest a little before now, spread evenly over the chunks still to write.
    const yearSeconds = 365 * 24 * 3600;
    const step = yearSeconds / missing;
    let start = Date.now() - yearSeconds * 1000;
    log(`adding ${missing} events in chunks of ${CHUNK}`);
    const began = Date.now();
    while (have < TARGET) {
      const n = Math.min(CHUNK, TARGET - have);
      const inserted = await db.query(INSERT_CHUNK, [n, new Date(start), step]);
      have += inserted.rowCount ?? 0;
      start += n * step * 1000;
      log(`events: ${have} (${Math.round((Date.now() - began) / 1000)} s)`);
    }
    await db.query('VACUUM ANALYZE session_events');
    return have;
  } finally {
    await db.end();
  }
}

/** The queries measured, with the WHERE clause that counts the same events. */
async function queries(): Promise<{ name: string; query: string; where: string }[]> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    const busy = (
      await db.query(`SELECT user_id FROM session_events WHERE id > (SELECT max(id) - 100000 FROM session_events)
        GROUP BY user_id ORDER BY count(*) DESC LIMIT 1`)
    ).rows[0].user_id as number;
    const session = (await db.query(`SELECT uuid, id FROM sessions WHERE user_id = $1 LIMIT 1`, [busy])).rows[0];
    const dayAgo = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
    return [
      { name: 'newest page, all events', query: '', where: 'true' },
      { name: 'kind=revoked', query: 'kind=revoked', where: `kind = 'revoked'` },
      { name: 'reason=logout&face=hub', query: 'reason=logout&face=hub', where: `reason = 'logout' AND face = 'hub'` },
      { name: 'user (the busiest)', query: `user=${busy}`, where: `user_id = ${busy}` },
      { name: 'actor (the busiest)', query: `actor=${busy}`, where: `actor_user_id = ${busy}` },
      { name: 'session', query: `session=${session.uuid}`, where: `session_id = ${session.id}` },
      { name: 'since one day ago', query: `since=${dayAgo}`, where: `at >= '${dayAgo}'` },
    ];
  } finally {
    await db.end();
  }
}

async function expectedTotal(where: string): Promise<number> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    return Number((await db.query(`SELECT count(*) AS n FROM session_events WHERE ${where}`)).rows[0].n);
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const started = new Date();
  await prepareData();
  const events = await topUp();
  const database = await openDatabase(loadConfig({ ...process.env, DATABASE_URL }));
  log(`counted ${await new EventStore(database).advanceCountCheckpoint()} events into the checkpoint`);
  await database.close();
  build();
  const service = await startService('service', PORT, {});
  const lines = [
    '# The event history at millions of events',
    '',
    `Run ${started.toISOString()}: GET /api/hub/v1/events?limit=20 as a superuser, ${events} events, autocannon with ` +
      `${CONNECTIONS} connections for ${DURATION} s per query, one worker, PostgreSQL. Every total is checked ` +
      'against count(*).',
    '',
    '| query | requests/s | p50 ms | p99 ms | total | exact |',
    '|---|---:|---:|---:|---:|---|',
  ];
  try {
    for (const q of await queries()) {
      const path = `/api/hub/v1/events?limit=20${q.query ? `&${q.query}` : ''}`;
      const first = await fetch(service.base + path, { headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } });
      const body = (await first.json()) as { total: number };
      const expected = await expectedTotal(q.where);
      const result = await autocannon({
        url: service.base,
        connections: CONNECTIONS,
        duration: DURATION,
        requests: [{ method: 'GET', path, headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } }],
      });
      const line = `| ${q.name} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${body.total} | ${body.total === expected ? 'yes' : `no: count(*) is ${expected}`} |`;
      log(line);
      lines.push(line);
    }
  } finally {
    await stop(service.child);
  }
  const text = lines.join('\n') + '\n';
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'events.md'), text);
  console.log('\n' + text);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
