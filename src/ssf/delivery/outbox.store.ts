import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../../config/tokens';
import { Database, Queryable } from '../../database/database';
import { insertRow } from '../../sessions/persistence/tables/table';
import { DELIVERY_METHODS } from '../ssf-events';
import { DELIVERY_HORIZON_SQL } from './delivery-horizon.sql';
import { OUTBOX, OUTBOX_SELECT, OutboxEntry, toOutboxEntry } from '../tables/ssf-outbox.table';
import { STREAM_SELECT, Stream, toStream } from '../tables/ssf-streams.table';

export const OUTBOX_CHANNEL = 'ssf_outbox';

/**
 * Delivery order within a stream is (txn, id), and a SET is deliverable only once every transaction older than its
 * own that could have written this outbox has ended (`txn` below `DELIVERY_HORIZON_SQL`): a slower transaction that
 * began first can still add SETs with a smaller txn, and they must not be overtaken. Rolled-back transactions leave
 * nothing behind. The statements that read it are prepared: planning the horizon anew cost about 0.1 ms a statement,
 * and a push reads it twice a SET.
 */
const DELIVERABLE = `o.state = 'pending' AND o.txn < ${DELIVERY_HORIZON_SQL}`;
/** Its columns named, not `o.*`: a prepared statement whose result gains a column (a migration) fails until restart. */
const HEAD_OF = (stream: string) =>
  `SELECT ${OUTBOX_SELECT} FROM ssf_outbox o WHERE o.stream_id = ${stream} AND ${DELIVERABLE} ORDER BY o.txn, o.id LIMIT 1`;

export type PushOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'rejected'; status: number; error: string }
  | { kind: 'retry'; status: number | null; error: string; delaySeconds: number };

/** The outbox of SETs and their receipts: plain SQL over `Database`. */
@Injectable()
export class OutboxStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** A SET SessionHub itself sends on a stream (verification, stream-updated), in the caller's transaction. */
  async enqueue(tx: Queryable, streamId: string, eventType: string, event: Record<string, unknown>): Promise<void> {
    const { text, params } = insertRow(OUTBOX, {
      stream_id: streamId,
      event_type: eventType,
      sub_id: { format: 'opaque', id: streamId },
      event,
    });
    await tx.rows(text, params);
    await tx.rows(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
  }

  async dropPending(tx: Queryable, streamId: string, why: string): Promise<void> {
    await tx.rows(
      `UPDATE ssf_outbox SET state = 'dropped', last_error = $2 WHERE stream_id = $1 AND state = 'pending'`,
      [streamId, why],
    );
  }

  /** Claims up to `limit` enabled push streams whose next SET is due and that no process is pushing now. */
  async claimPushStreams(owner: string, leaseSeconds: number, limit: number): Promise<Stream[]> {
    const rows = await this.db.rows(
      `UPDATE ssf_streams st SET lease_owner = $1, lease_until = now() + make_interval(secs => $2)
       WHERE st.id IN (
         SELECT c.id FROM ssf_streams c
         WHERE c.status = 'enabled' AND c.delivery_method = '${DELIVERY_METHODS.push}'
           AND (c.lease_until IS NULL OR c.lease_until < now())
           AND (SELECT h.next_attempt_at <= now() FROM (${HEAD_OF('c.id')}) h)
         LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING ${STREAM_SELECT}`,
      [owner, leaseSeconds, limit],
      { prepare: true },
    );
    return rows.map(toStream);
  }

  /** The stream's next SET if it is due and `owner` still holds the stream; null otherwise. */
  async duePushHead(streamId: string, owner: string): Promise<OutboxEntry | null> {
    const rows = await this.db.rows(
      `SELECT h.* FROM (${HEAD_OF('$1')}) h JOIN ssf_streams st ON st.id = h.stream_id
       WHERE h.next_attempt_at <= now() AND st.status = 'enabled' AND st.lease_owner = $2`,
      [streamId, owner],
      { prepare: true },
    );
    return rows.length ? toOutboxEntry(rows[0]) : null;
  }

  /** Extends `owner`'s claim on a stream; false when it lost it (expired and taken by another process). */
  async renewLease(streamId: string, owner: string, leaseSeconds: number): Promise<boolean> {
    const rows = await this.db.rows(
      `UPDATE ssf_streams SET lease_until = now() + make_interval(secs => $3)
       WHERE id = $1 AND lease_owner = $2 RETURNING id`,
      [streamId, owner, leaseSeconds],
    );
    return rows.length > 0;
  }

  async releaseLease(streamId: string, owner: string): Promise<void> {
    await this.db.rows(
      `UPDATE ssf_streams SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`,
      [streamId, owner],
    );
  }

  /** Records a push's outcome (only while `owner` holds the stream); answers the SET's attempts so far. */
  async recordPush(tx: Queryable, entry: OutboxEntry, owner: string, outcome: PushOutcome): Promise<number> {
    const [fields, extra]: [string, unknown[]] =
      outcome.kind === 'delivered'
        ? [`state = 'delivered', delivered_at = now(), last_error = NULL`, []]
        : outcome.kind === 'rejected'
          ? [`state = 'failed', last_error = $4`, [outcome.error]]
          : [
              `next_attempt_at = now() + make_interval(secs => $5), last_error = $4`,
              [outcome.error, outcome.delaySeconds],
            ];
    const rows = await tx.rows(
      `UPDATE ssf_outbox o SET ${fields}, attempts = o.attempts + 1, last_status = $3
       FROM ssf_streams st WHERE o.id = $1 AND st.id = o.stream_id AND st.lease_owner = $2 AND o.state = 'pending'
       RETURNING o.attempts`,
      [entry.id, owner, outcome.status, ...extra],
    );
    return rows.length ? Number(rows[0].attempts) : 0;
  }

  async giveUp(tx: Queryable, entry: OutboxEntry): Promise<void> {
    await tx.rows(`UPDATE ssf_outbox SET state = 'failed' WHERE id = $1 AND state = 'pending'`, [entry.id]);
  }

  /**
   * Hands out up to `max` SETs of an enabled stream: never handed out, or unacknowledged for `redeliverySeconds`.
   * The outer conditions are checked again on rows a concurrent poll just handed out, so none goes out twice.
   */
  async claimForPoll(streamId: string, max: number, redeliverySeconds: number): Promise<OutboxEntry[]> {
    const rows = await this.db.rows(
      `UPDATE ssf_outbox o SET sent_at = now(), attempts = o.attempts + 1, delivered_at = coalesce(o.delivered_at, now())
       WHERE o.state = 'pending' AND (o.sent_at IS NULL OR o.sent_at < now() - make_interval(secs => $3))
         AND o.id IN (
         SELECT c.id FROM (SELECT o.* FROM ssf_outbox o
           JOIN ssf_streams st ON st.id = o.stream_id AND st.status = 'enabled'
           WHERE o.stream_id = $1 AND ${DELIVERABLE}
             AND (o.sent_at IS NULL OR o.sent_at < now() - make_interval(secs => $3))) c
         ORDER BY c.txn, c.id LIMIT $2)
       RETURNING ${OUTBOX_SELECT}`,
      [streamId, max, redeliverySeconds],
      { prepare: true },
    );
    return rows.map(toOutboxEntry).sort((a, b) => Number(a.txn) - Number(b.txn) || a.id - b.id);
  }

  async hasPollable(streamId: string, redeliverySeconds: number): Promise<boolean> {
    const rows = await this.db.rows(
      `SELECT 1 FROM ssf_outbox o JOIN ssf_streams st ON st.id = o.stream_id AND st.status = 'enabled'
       WHERE o.stream_id = $1 AND ${DELIVERABLE} AND (o.sent_at IS NULL OR o.sent_at < now() - make_interval(secs => $2))
       LIMIT 1`,
      [streamId, redeliverySeconds],
      { prepare: true },
    );
    return rows.length > 0;
  }

  /** Acknowledged SETs are delivered; SETs the receiver reports errors for are failed, with its err and description. */
  async acknowledge(streamId: string, acked: string[], errors: { jti: string; error: string }[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (acked.length)
        await tx.rows(
          `UPDATE ssf_outbox SET state = 'delivered', acked_at = now()
           WHERE stream_id = $1 AND jti = ANY ($2::uuid[]) AND state = 'pending' AND sent_at IS NOT NULL`,
          [streamId, acked],
        );
      if (errors.length)
        await tx.rows(
          `UPDATE ssf_outbox o SET state = 'failed', acked_at = now(), last_error = e.error
           FROM jsonb_to_recordset($2::jsonb) AS e (jti uuid, error text)
           WHERE o.stream_id = $1 AND o.jti = e.jti AND o.state = 'pending' AND o.sent_at IS NOT NULL`,
          [streamId, JSON.stringify(errors)],
        );
    });
  }

  /** Paused streams keep their newest `limit` SETs; older ones are dropped and counted on the stream. */
  async trimPausedBacklogs(limit: number): Promise<void> {
    await this.db.rows(
      `WITH ranked AS (
         SELECT o.id, row_number() OVER (PARTITION BY o.stream_id ORDER BY o.txn DESC, o.id DESC) AS newer
         FROM ssf_outbox o JOIN ssf_streams st ON st.id = o.stream_id AND st.status = 'paused'
         WHERE o.state = 'pending'
       ), dropped AS (
         UPDATE ssf_outbox o SET state = 'dropped', last_error = 'dropped: the paused backlog was full'
         FROM ranked WHERE o.id = ranked.id AND ranked.newer > $1 AND o.state = 'pending' RETURNING o.stream_id
       )
       UPDATE ssf_streams st SET dropped = st.dropped + d.n
       FROM (SELECT stream_id, count(*) AS n FROM dropped GROUP BY stream_id) d WHERE st.id = d.stream_id`,
      [limit],
    );
  }

  async hasPausedStreams(): Promise<boolean> {
    return (await this.db.rows(`SELECT 1 FROM ssf_streams WHERE status = 'paused' LIMIT 1`)).length > 0;
  }

  /** A stream's SETs with their receipts, newest first, before the id `before`. */
  async receipts(streamId: string, before: number | null, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db.rows(
      `SELECT ${OUTBOX_SELECT} FROM ssf_outbox o
       WHERE o.stream_id = $1 AND ($2::bigint IS NULL OR o.id < $2) ORDER BY o.id DESC LIMIT $3`,
      [streamId, before, limit],
    );
    return rows.map(toOutboxEntry);
  }

  /** Finished SETs (delivered, failed, dropped) older than `days` are forgotten. */
  async purgeFinished(days: number): Promise<void> {
    await this.db.rows(
      `DELETE FROM ssf_outbox WHERE id IN (SELECT id FROM ssf_outbox
         WHERE state <> 'pending' AND created_at < now() - make_interval(days => $1) LIMIT 10000)`,
      [days],
    );
  }
}
