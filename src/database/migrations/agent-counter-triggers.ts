/**
 * The live-agent counter triggers' functions, shared by the migration that installed them (LiveAgentCounts) and the
 * one that added the per-user counts (LiveUserAgentCounts). Not a migration (the loader reads only timestamped
 * files). `agentCounterFunctions(false)` must keep returning what the first migration installed: a database
 * migrated from scratch runs both, in order.
 */
const LIVE = `status IN ('new', 'unauthenticated', 'authenticated')`;

/**
 * Live-status sessions per user agent, kept by statement-level triggers like the other counters (sharded by the
 * writing backend, deltas applied in key order). A broad search term such as `mozilla` matches most sessions
 * through their user agent; its exact total becomes a sum over the few distinct agents that match (a trigram index
 * on this small table) instead of a count over hundreds of thousands of rows. The triggers are named to fire before
 * the older counter triggers, so every transaction locks counter rows in the same order.
 */
function applyAgentDeltas(changed: string): string {
  return `
    INSERT INTO live_agent_counts AS c (agent_hash, shard, agent, n)
    SELECT md5(agent), pg_backend_pid() % 32, agent, d FROM (
      SELECT last_user_agent AS agent, sum(d) AS d FROM (${changed}) changed GROUP BY last_user_agent HAVING sum(d) <> 0
    ) deltas ORDER BY md5(agent)
    ON CONFLICT (agent_hash, shard) DO UPDATE SET n = c.n + excluded.n`;
}

/**
 * Live-status sessions per (user, user agent): a search term that both names and agents hold counts the users'
 * sessions whose agent also matches from here, where it read each of those sessions (2.9 s for `el` at 1M).
 * Applied after the agents' rows and before the users' (the older triggers), in key order, so concurrent
 * statements lock counter rows in one order. Not sharded: only one user's writes meet on a row.
 */
function applyUserAgentDeltas(changed: string): string {
  return `
    INSERT INTO live_user_agent_counts AS c (user_id, agent_hash, n)
    SELECT user_id, md5(agent)::uuid, d FROM (
      SELECT user_id, last_user_agent AS agent, sum(d) AS d FROM (${changed}) changed
      GROUP BY user_id, last_user_agent HAVING sum(d) <> 0
    ) deltas ORDER BY user_id, md5(agent)::uuid
    ON CONFLICT (user_id, agent_hash) DO UPDATE SET n = c.n + excluded.n`;
}

/** The first migration's rows (agent only); with per-user counts, the user too. */
const liveRows = (perUser: boolean) => (table: string, d: number) =>
  `SELECT ${perUser ? 'user_id, ' : ''}last_user_agent, ${d} AS d FROM ${table} WHERE ${LIVE}`;

/** The three agent counter trigger functions (insert, update, delete), with or without the per-user counts. */
export function agentCounterFunctions(perUser = false): string[] {
  const rows = liveRows(perUser);
  const apply = (changed: string) =>
    perUser ? `${applyAgentDeltas(changed)};\n        ${applyUserAgentDeltas(changed)}` : applyAgentDeltas(changed);
  // With per-user counts, a session moved to another user moves its count too (the service never does that).
  const moved = perUser ? ' OR n.user_id <> o.user_id' : '';
  return [
    `CREATE OR REPLACE FUNCTION sessions_count_agents_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        ${apply(rows('new_rows', 1))};
        RETURN NULL;
      END $fn$`,
    `CREATE OR REPLACE FUNCTION sessions_count_agents_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        -- Most updates (last seen, a new IP) leave status and agent alone: nothing to count.
        IF NOT EXISTS (
          SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE n.status IS DISTINCT FROM o.status OR n.last_user_agent IS DISTINCT FROM o.last_user_agent${moved}
        ) THEN
          RETURN NULL;
        END IF;
        ${apply(`${rows('new_rows', 1)} UNION ALL ${rows('old_rows', -1)}`)};
        RETURN NULL;
      END $fn$`,
    `CREATE OR REPLACE FUNCTION sessions_count_agents_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        ${apply(rows('old_rows', -1))};
        RETURN NULL;
      END $fn$`,
  ];
}
