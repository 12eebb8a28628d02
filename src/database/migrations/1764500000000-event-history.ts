import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A queryable history of what happened to sessions (GET /api/hub/v1/events): each event names its session's user,
 * so a user's history, or everything of one kind or by one actor, is one index range read newest first.
 */
export class EventHistory1764500000000 implements MigrationInterface {
  name = 'EventHistory1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE session_events ADD COLUMN user_id integer`);
    await q.query(`UPDATE session_events e SET user_id = s.user_id FROM sessions s WHERE s.id = e.session_id`);
    await q.query(`ALTER TABLE session_events ALTER COLUMN user_id SET NOT NULL`);
    await q.query(`CREATE INDEX session_events_user ON session_events (user_id, id)`);
    await q.query(`CREATE INDEX session_events_kind ON session_events (kind, id)`);
    await q.query(
      `CREATE INDEX session_events_actor ON session_events (actor_user_id, id) WHERE actor_user_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of ['session_events_actor', 'session_events_kind', 'session_events_user'])
      await q.query(`DROP INDEX IF EXISTS ${index}`);
    await q.query(`ALTER TABLE session_events DROP COLUMN user_id`);
  }
}
