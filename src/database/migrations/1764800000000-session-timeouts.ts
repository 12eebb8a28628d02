import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idle timeouts. `expires_at` stays the effective expiry every liveness check reads; a session with an idle timeout
 * also keeps its absolute bound, and each recorded activity slides `expires_at` to the earlier of the two. Both
 * columns are null for a session without an idle timeout (its `expires_at` is absolute), so no row is rewritten.
 */
export class SessionTimeouts1764800000000 implements MigrationInterface {
  name = 'SessionTimeouts1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions ADD COLUMN idle_seconds integer CHECK (idle_seconds > 0),
      ADD COLUMN absolute_expires_at timestamptz,
      ADD CONSTRAINT sessions_idle_has_bound CHECK ((idle_seconds IS NULL) = (absolute_expires_at IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP COLUMN absolute_expires_at, DROP COLUMN idle_seconds`);
  }
}
