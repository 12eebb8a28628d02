import { MigrationInterface, QueryRunner } from 'typeorm';

const LIVE = `status IN ('new', 'unauthenticated', 'authenticated')`;

/**
 * Exact counts without counting rows. Lists page by LIMIT/OFFSET and report a total; at a million sessions a
 * count(*) over the live ones reads ~800k index entries per request. Instead, statement-level triggers keep:
 *
 * - `live_session_counts`: per user, how many sessions have a live status (expiry aside);
 * - `session_counts`: totals per scope, each split into 32 shards picked by the writing backend's pid, so two
 *   connections writing at once rarely wait on the same row: `all` (every session), `live` (live status),
 *   `users` (users with at least one live-status session), `pool:<id>` and `account:<id>` (every session there).
 *
 * A live count is then the live-status total minus the sessions that have expired but that the sweeper has not
 * marked yet (a short range of the `sessions_live_expires` index). The triggers aggregate each statement's
 * transition table and apply the deltas in key order (user counters, then scope rows), so concurrent
 * transactions take their row locks in the same order and cannot deadlock on counters.
 */
function applyDeltas(changed: string): string {
  return `
    WITH changed AS (${changed}),
    per_user AS (
      SELECT user_id, sum(d)::int AS d FROM changed WHERE live GROUP BY user_id HAVING sum(d) <> 0
    ),
    users_applied AS (
      INSERT INTO live_session_counts AS c (user_id, n)
      SELECT user_id, d FROM per_user ORDER BY user_id
      ON CONFLICT (user_id) DO UPDATE SET n = c.n + excluded.n
      RETURNING c.user_id, c.n
    ),
    deltas AS (
      SELECT 'all' AS scope, sum(d) AS d FROM changed
      UNION ALL SELECT 'live', sum(d) FROM changed WHERE live
      UNION ALL SELECT 'pool:' || pool_id, sum(d) FROM changed GROUP BY pool_id
      UNION ALL SELECT 'account:' || account_id, sum(d) FROM changed GROUP BY account_id
      UNION ALL SELECT 'users', sum(CASE WHEN a.n > 0 AND a.n - p.d <= 0 THEN 1 WHEN a.n <= 0 AND a.n - p.d > 0 THEN -1 ELSE 0 END)
        FROM users_applied a JOIN per_user p ON p.user_id = a.user_id
    )
    INSERT INTO session_counts AS s (scope, shard, n)
    SELECT scope, pg_backend_pid() % 32, d FROM deltas WHERE d <> 0 ORDER BY scope
    ON CONFLICT (scope, shard) DO UPDATE SET n = s.n + excluded.n`;
}

const ROW = (table: string, d: number) =>
  `SELECT user_id, pool_id, account_id, ${LIVE} AS live, ${d} AS d FROM ${table}`;

export class CountersAndListIndexes1763900000000 implements MigrationInterface {
  name = 'CountersAndListIndexes1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE live_session_counts (
        user_id integer PRIMARY KEY,
        n integer NOT NULL
      )`);
    await q.query(`
      CREATE TABLE session_counts (
        scope varchar(48) NOT NULL,
        shard smallint NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (scope, shard)
      )`);
    await q.query(`
      CREATE FUNCTION sessions_count_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        ${applyDeltas(ROW('new_rows', 1))};
        RETURN NULL;
      END $fn$`);
    await q.query(`
      CREATE FUNCTION sessions_count_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        -- Most updates (last seen, new IP) leave status, user, pool and account alone: nothing to count.
        IF NOT EXISTS (
          SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE n.status IS DISTINCT FROM o.status OR n.user_id <> o.user_id OR n.pool_id <> o.pool_id OR n.account_id <> o.account_id
        ) THEN
          RETURN NULL;
        END IF;
        ${applyDeltas(`${ROW('new_rows', 1)} UNION ALL ${ROW('old_rows', -1)}`)};
        RETURN NULL;
      END $fn$`);
    await q.query(`
      CREATE FUNCTION sessions_count_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        ${applyDeltas(ROW('old_rows', -1))};
        RETURN NULL;
      END $fn$`);
    await q.query(`CREATE TRIGGER sessions_count_insert AFTER INSERT ON sessions REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION sessions_count_insert()`);
    await q.query(`CREATE TRIGGER sessions_count_update AFTER UPDATE ON sessions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION sessions_count_update()`);
    await q.query(`CREATE TRIGGER sessions_count_delete AFTER DELETE ON sessions REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION sessions_count_delete()`);
    // Counters for the rows already there.
    await q.query(
      `INSERT INTO live_session_counts (user_id, n) SELECT user_id, count(*) FROM sessions WHERE ${LIVE} GROUP BY user_id`,
    );
    await q.query(`
      INSERT INTO session_counts (scope, shard, n)
      SELECT 'all', 0, count(*) FROM sessions
      UNION ALL SELECT 'live', 0, count(*) FROM sessions WHERE ${LIVE}
      UNION ALL SELECT 'users', 0, count(*) FROM live_session_counts WHERE n > 0
      UNION ALL SELECT 'pool:' || pool_id, 0, count(*) FROM sessions GROUP BY pool_id
      UNION ALL SELECT 'account:' || account_id, 0, count(*) FROM sessions GROUP BY account_id`);

    // Orderings the faces offer that no index served yet. authentik (live sessions): by user id and by user agent
    // (a btree also serves the equality filter, so it replaces the hash index).
    await q.query(`CREATE INDEX sessions_live_user_id ON sessions (user_id, id) WHERE ${LIVE}`);
    await q.query(`CREATE INDEX sessions_live_user_agent_order ON sessions (last_user_agent, id) WHERE ${LIVE}`);
    await q.query(`DROP INDEX sessions_live_user_agent`);
    // Prefactor (every status) sorts by PFID, last seen, status or title within a pool, an account, or everything.
    await q.query(`CREATE INDEX sessions_pool_pfid ON sessions (pool_id, pfid)`);
    await q.query(`CREATE INDEX sessions_pool_status ON sessions (pool_id, status, id)`);
    await q.query(`CREATE INDEX sessions_pool_title ON sessions (pool_id, title, id)`);
    await q.query(`CREATE INDEX sessions_account_last_seen ON sessions (account_id, last_seen_at, id)`);
    await q.query(`CREATE INDEX sessions_account_pfid ON sessions (account_id, pfid)`);
    await q.query(`CREATE INDEX sessions_account_status ON sessions (account_id, status, id)`);
    await q.query(`CREATE INDEX sessions_account_title ON sessions (account_id, title, id)`);
    await q.query(`CREATE INDEX sessions_last_seen ON sessions (last_seen_at, id)`);
    await q.query(`CREATE INDEX sessions_status ON sessions (status, id)`);
    await q.query(`CREATE INDEX sessions_title ON sessions (title, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of [
      'sessions_live_user_id',
      'sessions_live_user_agent_order',
      'sessions_pool_pfid',
      'sessions_pool_status',
      'sessions_pool_title',
      'sessions_account_last_seen',
      'sessions_account_pfid',
      'sessions_account_status',
      'sessions_account_title',
      'sessions_last_seen',
      'sessions_status',
      'sessions_title',
    ]) {
      await q.query(`DROP INDEX IF EXISTS ${index}`);
    }
    await q.query(`CREATE INDEX sessions_live_user_agent ON sessions USING hash (last_user_agent) WHERE ${LIVE}`);
    for (const op of ['insert', 'update', 'delete']) {
      await q.query(`DROP TRIGGER IF EXISTS sessions_count_${op} ON sessions`);
      await q.query(`DROP FUNCTION IF EXISTS sessions_count_${op}()`);
    }
    await q.query(`DROP TABLE IF EXISTS session_counts`);
    await q.query(`DROP TABLE IF EXISTS live_session_counts`);
  }
}
