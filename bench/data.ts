/** The benchmark database: created and seeded when missing, swept before a run, and the fixtures runs use. */
import { Client } from 'pg';
import { seed } from '../src/cli/seed';
import { loadConfig } from '../src/config/app-config';
import { hashKey } from '../src/sessions/credentials/keys';
import { listStatements } from '../src/sessions/persistence/session-list.sql';
import { SessionFilters } from '../src/sessions/session-query';
import { BOOTSTRAP_TOKEN, DATABASE_URL, log, SESSIONS, USERS } from './settings';

export interface Fixtures {
  username: string;
  search: string;
  uuids: string[];
  pfids: string[];
  poolId: string;
  userGuids: string[];
  usernames: string[];
  tokens: string[];
}

/** What the fixtures are, for the report. */
export const fixtureNotes: string[] = [];

/** `work` on a connection of its own to `url` (the benchmark database unless given), closed after. */
async function withClient<T>(work: (db: Client) => Promise<T>, url = DATABASE_URL): Promise<T> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

async function ensureDatabase(): Promise<void> {
  const url = new URL(DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  const server = Object.assign(new URL(DATABASE_URL), { pathname: '/postgres' }).toString();
  await withClient(async (admin) => {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      log(`creating database ${name}`);
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    }
  }, server);
}

/** The users and sessions a database holds (none before its tables exist; the benchmark database unless `url`). */
export function seededSize(url = DATABASE_URL): Promise<{ users: number; sessions: number }> {
  return withClient(async (db) => {
    const tables = await db.query(
      `SELECT to_regclass('sessions') IS NOT NULL AS s, to_regclass('session_counts') IS NOT NULL AS c`,
    );
    if (!tables.rows[0].s) return { users: 0, sessions: 0 };
    const users = Number((await db.query('SELECT count(*) AS n FROM users')).rows[0].n);
    const sessions = Number(
      (
        await db.query(
          tables.rows[0].c
            ? `SELECT coalesce(sum(n), 0) AS n FROM session_counts WHERE scope = 'all'`
            : 'SELECT count(*) AS n FROM sessions',
        )
      ).rows[0].n,
    );
    return { users, sessions };
  }, url);
}

/** Counts what is there; seeds what is missing (the seed applies migrations first). */
export async function prepareData(): Promise<void> {
  await ensureDatabase();
  const { users, sessions } = await seededSize();
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
    progress: { fd: process.stdout.fd, prefix: '[bench] seed: ' },
  });
  log(`seeded in ${report.seconds.toFixed(1)} s`);
  // The seed leaves gigabytes of dirty buffers: written now, not by a checkpoint spread over the first measurements.
  await withClient((db) => db.query('CHECKPOINT'));
  log('checkpointed');
}

/**
 * Marks expired sessions as the service's sweeper does, so runs start from the same tidy state, and picks the
 * fixtures (of the benchmark database unless `url` is given).
 */
export function sweepAndPickFixtures(url = DATABASE_URL): Promise<Omit<Fixtures, 'tokens'>> {
  return withClient(async (db) => {
    for (;;) {
      const swept = await db.query(
        `WITH done AS (
           UPDATE sessions SET status = 'complete', ended_at = expires_at WHERE id IN (
             SELECT id FROM sessions WHERE status IN ('new', 'unauthenticated', 'authenticated') AND expires_at <= now()
             ORDER BY expires_at LIMIT 5000 FOR UPDATE SKIP LOCKED) RETURNING id, user_id)
         INSERT INTO session_events (session_id, user_id, kind, face, reason)
         SELECT id, user_id, 'expired', 'system', 'expiry' FROM done`,
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
    const matching = async (filters: SessionFilters) => {
      const { count } = listStatements({
        scope: { liveOnly: true },
        filters,
        order: [{ field: 'username', descending: false }],
        offset: 0,
        limit: 20,
      });
      const counted = await db.query<{ n: string }>(count.text, count.params);
      return Number(counted.rows[0].n);
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
  }, url);
}

export function databaseNow(url = DATABASE_URL): Promise<Date> {
  return withClient(async (db) => (await db.query('SELECT now() AS now')).rows[0].now as Date, url);
}

/** The tables whose rows a login writes, and so runs create and delete (counters' rows are updated in place). */
export const CHURNED_TABLES = ['sessions', 'session_events', 'devices'];

/**
 * Deletes the sessions a run created, then vacuums what the deletes and the logins left dead, so the next run does
 * not step over them in every index (a server with autovacuum off, as the machines' shared one, would keep them),
 * and rebuilds the churned tables' indexes, so the next run starts from the same indexes too.
 */
export function removeSessionsSince(since: Date, url = DATABASE_URL): Promise<number> {
  return withClient(async (db) => {
    const removed = (await db.query('DELETE FROM sessions WHERE created_at >= $1', [since])).rowCount ?? 0;
    for (const table of ['live_session_counts', 'live_user_agent_counts']) await db.query(`VACUUM ANALYZE ${table}`);
    await rebuildChurnedTables(db);
    return removed;
  }, url);
}

/**
 * Vacuums the churned tables and rebuilds their indexes (about 75 s at 1M sessions). Vacuuming alone leaves the
 * pages that new rows split half empty in every random-keyed index: about 170,000 sessions created and deleted
 * grew the sessions' indexes from 1,410 to 2,165 MB, and each bench run creates 20,000-45,000.
 */
export async function rebuildChurnedTables(db: Pick<Client, 'query'>, log?: (line: string) => void): Promise<void> {
  for (const table of CHURNED_TABLES)
    for (const step of ['VACUUM', 'REINDEX TABLE', 'ANALYZE']) {
      try {
        await db.query(`${step} ${table}`);
      } catch (error) {
        if (!log) throw error;
        log(`${step} ${table}: ${String(error)}`);
      }
    }
}
