import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every process that caches live sessions (validate) hears at once when one stops being live, whichever path ended
 * it: a face, the sweeper, another instance, the CLI. The trigger is on the table, so no write path can forget it.
 * Payload: the session id. Purges delete only sessions that already ended, so they notify nothing.
 */
export class NotifySessionEnded1764200000000 implements MigrationInterface {
  name = 'NotifySessionEnded1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION notify_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('session_ended', OLD.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER sessions_notify_ended AFTER UPDATE OF status, expires_at ON sessions FOR EACH ROW
      WHEN (OLD.status IN ('new', 'unauthenticated', 'authenticated')
        AND (NEW.status NOT IN ('new', 'unauthenticated', 'authenticated') OR NEW.expires_at < OLD.expires_at))
      EXECUTE FUNCTION notify_session_ended()`);
    await q.query(`CREATE TRIGGER sessions_notify_deleted AFTER DELETE ON sessions FOR EACH ROW
      WHEN (OLD.status IN ('new', 'unauthenticated', 'authenticated'))
      EXECUTE FUNCTION notify_session_ended()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS sessions_notify_deleted ON sessions`);
    await q.query(`DROP TRIGGER IF EXISTS sessions_notify_ended ON sessions`);
    await q.query(`DROP FUNCTION IF EXISTS notify_session_ended()`);
  }
}
