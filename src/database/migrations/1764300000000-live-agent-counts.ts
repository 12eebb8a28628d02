import { MigrationInterface, QueryRunner } from 'typeorm';

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

const LIVE_ROWS = (table: string, d: number) => `SELECT last_user_agent, ${d} AS d FROM ${table} WHERE ${LIVE}`;

export class LiveAgentCounts1764300000000 implements MigrationInterface {
  name = 'LiveAgentCounts1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE live_agent_counts (
        agent_hash char(32) NOT NULL,
        shard smallint NOT NULL,
        agent text NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (agent_hash, shard)
      )`);
    await q.query(`CREATE INDEX live_agent_counts_search ON live_agent_counts USING gin (lower(agent) gin_trgm_ops)`);
    await q.query(`
      CREATE FUNCTION sessions_count_agents_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        ${applyAgentDeltas(LIVE_ROWS('new_rows', 1))};
        RETURN NULL;
      END $fn$`);
    await q.query(`
      CREATE FUNCTION sessions_count_agents_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        -- Most updates (last seen, a new IP) leave status and agent alone: nothing to count.
        IF NOT EXISTS (
          SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE n.status IS DISTINCT FROM o.status OR n.last_user_agent IS DISTINCT FROM o.last_user_agent
        ) THEN
          RETURN NULL;
        END IF;
        ${applyAgentDeltas(`${LIVE_ROWS('new_rows', 1)} UNION ALL ${LIVE_ROWS('old_rows', -1)}`)};
        RETURN NULL;
      END $fn$`);
    await q.query(`
      CREATE FUNCTION sessions_count_agents_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        ${applyAgentDeltas(LIVE_ROWS('old_rows', -1))};
        RETURN NULL;
      END $fn$`);
    await q.query(`CREATE TRIGGER sessions_count_agents_insert AFTER INSERT ON sessions REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION sessions_count_agents_insert()`);
    await q.query(`CREATE TRIGGER sessions_count_agents_update AFTER UPDATE ON sessions
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sessions_count_agents_update()`);
    await q.query(`CREATE TRIGGER sessions_count_agents_delete AFTER DELETE ON sessions REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION sessions_count_agents_delete()`);
    await q.query(`INSERT INTO live_agent_counts (agent_hash, shard, agent, n)
      SELECT md5(last_user_agent), 0, last_user_agent, count(*) FROM sessions WHERE ${LIVE} GROUP BY last_user_agent`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const kind of ['insert', 'update', 'delete']) {
      await q.query(`DROP TRIGGER IF EXISTS sessions_count_agents_${kind} ON sessions`);
      await q.query(`DROP FUNCTION IF EXISTS sessions_count_agents_${kind}()`);
    }
    await q.query(`DROP TABLE IF EXISTS live_agent_counts`);
  }
}
