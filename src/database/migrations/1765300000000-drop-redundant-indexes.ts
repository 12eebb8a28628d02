import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes no plan needs (docs/indexes.md: every statement's plan at 1M sessions, each index dropped in turn):
 * - sessions_pool_id and sessions_account_id: no statement's own plan used them; only the generic plan of the
 *   Prefactor list scoped by both pool and account, whose count costs 0.6–1.2 % more through the pool and account
 *   ordering indexes instead;
 * - sessions_live_uuid: sessions_uuid_key serves the authentik list ordered by uuid at the same cost (live sessions
 *   are spread evenly over uuids, so the walk skips few).
 * Each was written on every login (three of 28 index entries) and held 156 MB at 1M sessions.
 */
export class DropRedundantIndexes1765300000000 implements MigrationInterface {
  name = 'DropRedundantIndexes1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS sessions_pool_id`);
    await q.query(`DROP INDEX IF EXISTS sessions_account_id`);
    await q.query(`DROP INDEX IF EXISTS sessions_live_uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    const live = `status IN ('new', 'unauthenticated', 'authenticated')`;
    await q.query(`CREATE INDEX IF NOT EXISTS sessions_live_uuid ON sessions (uuid) WHERE ${live}`);
    await q.query(`CREATE INDEX IF NOT EXISTS sessions_account_id ON sessions (account_id, id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS sessions_pool_id ON sessions (pool_id, id)`);
  }
}
