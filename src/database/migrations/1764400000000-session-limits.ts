import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Concurrent-session limits and why sessions end: a per-user override of the deployment's limit (null: the
 * default), and the reason each end event records (logout, revoke, revoke_all, credential_change, limit, expiry).
 */
export class SessionLimits1764400000000 implements MigrationInterface {
  name = 'SessionLimits1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN max_sessions integer CHECK (max_sessions > 0)`);
    await q.query(`ALTER TABLE session_events ADD COLUMN reason varchar(32)`);
    // Events written before reasons existed: their kind says enough.
    await q.query(`UPDATE session_events SET reason = CASE kind WHEN 'ended' THEN 'logout' WHEN 'revoked' THEN 'revoke'
      WHEN 'expired' THEN 'expiry' END WHERE kind IN ('ended', 'revoked', 'expired')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE session_events DROP COLUMN reason`);
    await q.query(`ALTER TABLE users DROP COLUMN max_sessions`);
  }
}
