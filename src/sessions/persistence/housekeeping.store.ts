import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../../config/tokens';
import { Database } from '../../database/database';
import { SessionStore } from './session.store';
import { EARLIEST_LIVE_EXPIRY_SQL, EXPIRED_UNSWEPT_SQL } from './session.sql';

/**
 * The sweep's probe, every second in every process. Written as `... LIMIT 1` over EXPIRED_UNSWEPT_SQL's first form,
 * the planner chose a sequential scan of the table whenever it expected many expired sessions (docs/performance.md,
 * twenty-second stop); the earliest live expiry is one index entry whatever it expects.
 */
export const ANY_EXPIRED_UNSWEPT_SQL = `SELECT coalesce((${EARLIEST_LIVE_EXPIRY_SQL}) <= now(), false) AS due`;

/** What housekeeping writes: expired sessions swept, ended ones purged, and the lease that lets one process work. */
@Injectable()
export class HousekeepingStore {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly sessions: SessionStore,
  ) {}

  /**
   * Marks live-status sessions past their expiry as complete, with an `expired` event each: reason `idle` where an
   * idle timeout ended the session before its absolute expiry, `expiry` otherwise.
   */
  async sweepExpired(batch: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.rows(
        `UPDATE sessions SET status = 'complete', ended_at = expires_at WHERE id IN (
           SELECT s.id FROM sessions s WHERE ${EXPIRED_UNSWEPT_SQL}
           ORDER BY s.expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, absolute_expires_at IS NOT NULL AND expires_at < absolute_expires_at AS idle`,
        [batch],
      );
      const idle = rows.filter((r) => r.idle === true).map((r) => Number(r.id));
      const expired = rows.filter((r) => r.idle !== true).map((r) => Number(r.id));
      if (idle.length) await this.sessions.addEvents(idle, 'expired', null, 'system', tx, 'idle');
      if (expired.length) await this.sessions.addEvents(expired, 'expired', null, 'system', tx, 'expiry');
      return rows.length;
    });
  }

  /** Whether any live-status session is past its expiry: the earliest live expiry, one index entry. */
  async anyExpiredUnswept(): Promise<boolean> {
    const [row] = await this.db.rows(ANY_EXPIRED_UNSWEPT_SQL, [], { prepare: true });
    return row.due === true;
  }

  /**
   * Deletes sessions that stopped being live more than `days` ago. Their events stay (they have a retention of their
   * own) and keep the session's uuid.
   */
  async purgeEnded(days: number, batch: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.rows(
        `WITH doomed AS (
           SELECT id, uuid FROM sessions
            WHERE ended_at IS NOT NULL AND ended_at < now() - make_interval(days => $1) LIMIT $2 FOR UPDATE),
         kept AS (UPDATE session_events e SET session_uuid = d.uuid FROM doomed d WHERE e.session_id = d.id)
         SELECT id FROM doomed`,
        [days, batch],
      );
      const ids = rows.map((r) => Number(r.id));
      if (ids.length) await tx.rows(`DELETE FROM sessions WHERE id = ANY($1::bigint[])`, [ids]);
      return ids.length;
    });
  }

  /**
   * Deletes per-user agent counters that have fallen to zero: a user's agent strings change with every browser
   * update, so without this the table would keep every (user, agent) pair ever seen. In key order and skipping rows
   * a login holds, so it never waits on a login's trigger nor makes one wait in another order; a row counted again
   * meanwhile is kept (the lock re-reads `n`), and one deleted is inserted anew by the next login's upsert.
   */
  async pruneSpentAgentCounts(batch: number): Promise<number> {
    const rows = await this.db.rows(
      `DELETE FROM live_user_agent_counts c WHERE (c.user_id, c.agent_hash) IN (
         SELECT z.user_id, z.agent_hash FROM live_user_agent_counts z WHERE z.n = 0
         ORDER BY z.user_id, z.agent_hash LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING 1`,
      [batch],
    );
    return rows.length;
  }

  /**
   * Takes the lease `name` for the next `seconds` unless another process holds it: true for exactly one caller per
   * interval across every process sharing the database.
   */
  async takeLease(name: string, seconds: number): Promise<boolean> {
    const rows = await this.db.rows(
      `INSERT INTO settings (key, value) VALUES ($1, now()::text) ON CONFLICT (key) DO UPDATE SET value = excluded.value
       WHERE settings.value::timestamptz <= now() - make_interval(secs => $2) RETURNING value`,
      [`lease:${name}`, seconds * 0.9],
    );
    return rows.length > 0;
  }
}
