import { MigrationInterface, QueryRunner } from 'typeorm';
import { counterFunctions } from './counter-triggers';

/**
 * A counter per (pool, account) pair: Prefactor's list scoped by both counted its rows for the total (1.0–1.6 s at
 * a million sessions, docs/indexes.md); the pair's scope row answers it at once. The scope key
 * (`pool+account:<pool>:<account>`, 78 characters) needs a wider column: widening a varchar rewrites nothing.
 */
export class PoolAccountCounts1765400000000 implements MigrationInterface {
  name = 'PoolAccountCounts1765400000000';

  async up(q: QueryRunner): Promise<void> {
    // Sessions first, as every writer takes them (its trigger then writes session_counts): the other order could
    // deadlock with a login. Held to the end, so no session is written between the new functions and the counts.
    await q.query(`LOCK TABLE sessions IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(`ALTER TABLE session_counts ALTER COLUMN scope TYPE varchar(96)`);
    for (const statement of counterFunctions(true)) await q.query(statement);
    await q.query(`
      INSERT INTO session_counts (scope, shard, n)
      SELECT 'pool+account:' || pool_id || ':' || account_id, 0, count(*) FROM sessions GROUP BY pool_id, account_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`LOCK TABLE sessions IN SHARE ROW EXCLUSIVE MODE`);
    for (const statement of counterFunctions(false)) await q.query(statement);
    await q.query(`DELETE FROM session_counts WHERE scope LIKE 'pool+account:%'`);
    await q.query(`ALTER TABLE session_counts ALTER COLUMN scope TYPE varchar(48)`);
  }
}
