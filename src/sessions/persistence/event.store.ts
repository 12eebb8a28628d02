import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../../config/tokens';
import { Database, Queryable } from '../../database/database';
import { Page } from '../session-query';
import { EventRecord } from '../session.model';
import { EventQuery, eventListStatements } from './event-list.sql';
import { toEventRecord } from './tables/session-events.table';

/** A page of the event history; `more`: older events exist past it. */
export type EventPage = Page<EventRecord> & { more: boolean };

/** The history of every session's events: its pages with exact totals, its retention and its counts. */
@Injectable()
export class EventStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** The history of all sessions, narrowed by `query`: an exact total and a page, newest first. */
  async list(query: EventQuery, signal?: AbortSignal, from: Queryable = this.db): Promise<EventPage> {
    const { count, page } = eventListStatements(query);
    const [counted, rows] = await Promise.all([
      from.rows(count.text, count.params, { signal }),
      from.rows(page.text, page.params, { signal }),
    ]);
    const items = rows.slice(0, query.limit).map(toEventRecord);
    return { items, total: Number(counted[0].n), more: rows.length > query.limit };
  }

  /** Deletes events older than `days`, whether or not their session is still stored. */
  async purge(days: number, batch: number): Promise<number> {
    const rows = await this.db.rows(
      `DELETE FROM session_events WHERE id IN (
         SELECT id FROM session_events WHERE at < now() - make_interval(days => $1) LIMIT $2)
       RETURNING id`,
      [days, batch],
    );
    return rows.length;
  }

  /**
   * Moves the counts' checkpoint to the newest event: the events since the last one are counted into event_counts,
   * so totals count only what arrived after this. The share lock waits for transactions writing events to end and
   * holds new ones back while it counts (the events of one housekeeping interval: milliseconds), so no event with
   * a lower id can commit after the checkpoint passed it. Returns how many events it counted.
   */
  async advanceCountCheckpoint(): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.rows(`LOCK TABLE session_events IN SHARE MODE`);
      const rows = await tx.rows(
        `WITH mark AS (SELECT last_id FROM event_count_checkpoint FOR UPDATE),
         fresh AS (
           SELECT e.kind, coalesce(e.reason, '') AS reason, coalesce(e.face, '') AS face, count(*) AS n, max(e.id) AS top
             FROM session_events e, mark WHERE e.id > mark.last_id GROUP BY 1, 2, 3),
         counted AS (
           INSERT INTO event_counts AS c (kind, reason, face, n) SELECT kind, reason, face, n FROM fresh
           ON CONFLICT (kind, reason, face) DO UPDATE SET n = c.n + excluded.n),
         moved AS (
           UPDATE event_count_checkpoint SET last_id = (SELECT max(top) FROM fresh) WHERE EXISTS (SELECT 1 FROM fresh))
         SELECT coalesce(sum(n), 0) AS n FROM fresh`,
      );
      return Number(rows[0].n);
    });
  }
}
