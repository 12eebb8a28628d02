import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exact totals of the event history without counting millions of rows (event-counts.sql.ts): counts per (kind,
 * reason, face) of every event up to a checkpoint id, moved forward by housekeeping; a total is the matching counts
 * plus a count of the few events past the checkpoint. Inserts (every login writes one) pay nothing for it; the rare
 * deletes (retention, a deleted user's events) take theirs off the counts in a statement trigger. Starts with the
 * events already there.
 */
export class EventCountCheckpoint1764950000000 implements MigrationInterface {
  name = 'EventCountCheckpoint1764950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE event_count_checkpoint (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), last_id bigint NOT NULL)`);
    // reason and face are '' where the event has none, so they can be part of the key.
    await q.query(`CREATE TABLE event_counts (
      kind varchar(32) NOT NULL, reason varchar(32) NOT NULL, face varchar(16) NOT NULL, n bigint NOT NULL,
      PRIMARY KEY (kind, reason, face))`);
    await q.query(`INSERT INTO event_count_checkpoint (last_id)
      SELECT coalesce(max(id), 0) FROM session_events`);
    await q.query(`INSERT INTO event_counts (kind, reason, face, n)
      SELECT kind, coalesce(reason, ''), coalesce(face, ''), count(*) FROM session_events GROUP BY 1, 2, 3`);
    await q.query(`CREATE FUNCTION event_counts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE event_counts c SET n = c.n - d.n
          FROM (SELECT kind, coalesce(reason, '') AS reason, coalesce(face, '') AS face, count(*) AS n
                  FROM deleted WHERE id <= (SELECT last_id FROM event_count_checkpoint) GROUP BY 1, 2, 3) d
         WHERE c.kind = d.kind AND c.reason = d.reason AND c.face = d.face;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER session_events_counted_delete AFTER DELETE ON session_events
      REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION event_counts_after_delete()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER session_events_counted_delete ON session_events`);
    await q.query(`DROP FUNCTION event_counts_after_delete()`);
    await q.query(`DROP TABLE event_counts`);
    await q.query(`DROP TABLE event_count_checkpoint`);
  }
}
