import { MigrationInterface, QueryRunner } from 'typeorm';

const LIVE = `status IN ('new', 'unauthenticated', 'authenticated')`;

/** What the last IP and user agent of a session read as for search (the username is searched in `users`). */
export const AGENT_IP_SEARCH_EXPR = `lower(host(last_ip) || E'\\x1f' || last_user_agent)`;

/**
 * Index tuning from the query plans at a million sessions (docs/performance.md):
 * - counts and per-user checks read indexes alone: expiry travels with the username and user-id keys, and the
 *   user id with the expiry key (the planner cannot know that live status and past expiry rarely meet, so those
 *   scans must not depend on visiting the heap);
 * - search: a trigram index over the username, IP and user agent together makes every username search intersect
 *   posting lists that hold every session of every user sharing a name fragment. Usernames are now matched in
 *   `users` (its trigram index exists) and sessions found by user id; the trigram index covers IP and agent only.
 */
export class ListIndexTuning1764000000000 implements MigrationInterface {
  name = 'ListIndexTuning1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS sessions_live_expires`);
    await q.query(`CREATE INDEX sessions_live_expires ON sessions (expires_at, id) INCLUDE (user_id) WHERE ${LIVE}`);
    await q.query(`DROP INDEX IF EXISTS sessions_live_username`);
    await q.query(`CREATE INDEX sessions_live_username ON sessions (username, id) INCLUDE (expires_at) WHERE ${LIVE}`);
    await q.query(`DROP INDEX IF EXISTS sessions_live_user_id`);
    await q.query(`CREATE INDEX sessions_live_user_id ON sessions (user_id, id) INCLUDE (expires_at) WHERE ${LIVE}`);
    await q.query(`DROP INDEX IF EXISTS sessions_live_search`);
    await q.query(
      `CREATE INDEX sessions_live_search_agent_ip ON sessions USING gin ((${AGENT_IP_SEARCH_EXPR}) gin_trgm_ops) WHERE ${LIVE}`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS sessions_live_search_agent_ip`);
    await q.query(`CREATE INDEX sessions_live_search ON sessions USING gin (search_text gin_trgm_ops) WHERE ${LIVE}`);
    for (const [name, columns] of [
      ['sessions_live_expires', '(expires_at, id)'],
      ['sessions_live_username', '(username, id)'],
      ['sessions_live_user_id', '(user_id, id)'],
    ]) {
      await q.query(`DROP INDEX IF EXISTS ${name}`);
      await q.query(`CREATE INDEX ${name} ON sessions ${columns} WHERE ${LIVE}`);
    }
  }
}
