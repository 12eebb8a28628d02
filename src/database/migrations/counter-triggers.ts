/**
 * The counter triggers' functions, shared by the migration that installed them (CountersAndListIndexes) and the one
 * that added the pool+account pairs (PoolAccountCounts). Not a migration (the loader reads only timestamped files).
 * `counterFunctions(false)` must keep returning what the first migration installed: a database migrated from
 * scratch runs both, in order.
 */
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
function applyDeltas(changed: string, poolAccountPairs = false): string {
  // Migration PoolAccountCounts adds the pair scope; without it the text is what this migration first installed.
  const pairs = poolAccountPairs
    ? `\n      UNION ALL SELECT 'pool+account:' || pool_id || ':' || account_id, sum(d) FROM changed GROUP BY pool_id, account_id`
    : '';
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
      UNION ALL SELECT 'account:' || account_id, sum(d) FROM changed GROUP BY account_id${pairs}
      UNION ALL SELECT 'users', sum(CASE WHEN a.n > 0 AND a.n - p.d <= 0 THEN 1 WHEN a.n <= 0 AND a.n - p.d > 0 THEN -1 ELSE 0 END)
        FROM users_applied a JOIN per_user p ON p.user_id = a.user_id
    )
    INSERT INTO session_counts AS s (scope, shard, n)
    SELECT scope, pg_backend_pid() % 32, d FROM deltas WHERE d <> 0 ORDER BY scope
    ON CONFLICT (scope, shard) DO UPDATE SET n = s.n + excluded.n`;
}

const ROW = (table: string, d: number) =>
  `SELECT user_id, pool_id, account_id, ${LIVE} AS live, ${d} AS d FROM ${table}`;

/** The three counter trigger functions (insert, update, delete), with or without the pool+account pairs. */
export function counterFunctions(poolAccountPairs = false): string[] {
  return [
    `CREATE OR REPLACE FUNCTION sessions_count_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        ${applyDeltas(ROW('new_rows', 1), poolAccountPairs)};
        RETURN NULL;
      END $fn$`,
    `CREATE OR REPLACE FUNCTION sessions_count_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        -- Most updates (last seen, new IP) leave status, user, pool and account alone: nothing to count.
        IF NOT EXISTS (
          SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE n.status IS DISTINCT FROM o.status OR n.user_id <> o.user_id OR n.pool_id <> o.pool_id OR n.account_id <> o.account_id
        ) THEN
          RETURN NULL;
        END IF;
        ${applyDeltas(`${ROW('new_rows', 1)} UNION ALL ${ROW('old_rows', -1)}`, poolAccountPairs)};
        RETURN NULL;
      END $fn$`,
    `CREATE OR REPLACE FUNCTION sessions_count_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        ${applyDeltas(ROW('old_rows', -1), poolAccountPairs)};
        RETURN NULL;
      END $fn$`,
  ];
}
