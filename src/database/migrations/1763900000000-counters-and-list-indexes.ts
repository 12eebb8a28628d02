import { MigrationInterface, QueryRunner } from 'typeorm';
import { counterFunctions } from './counter-triggers';

const LIVE = `status IN ('new', 'unauthenticated', 'authenticated')`;

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
    for (const statement of counterFunctions()) await q.query(statement);
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
