import { MigrationInterface, QueryRunner } from 'typeorm';
import { agentCounterFunctions } from './agent-counter-triggers';

const LIVE = `status IN ('new', 'unauthenticated', 'authenticated')`;

/** See agent-counter-triggers.ts for what these counters keep and why. */
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
    for (const statement of agentCounterFunctions(false)) await q.query(statement);
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
