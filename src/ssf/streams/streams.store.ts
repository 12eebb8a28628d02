import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../../config/tokens';
import { Database, Queryable } from '../../database/database';
import { DomainError, DomainErrorCode } from '../../sessions/domain-error';
import { encode, insertRow } from '../../sessions/persistence/tables/table';
import { StreamStatus } from '../ssf-events';
import { STREAM_SELECT, StreamRow, StreamSettings, STREAMS, Stream, toStream } from '../tables/ssf-streams.table';
import { STREAM_SUBJECTS } from '../tables/ssf-stream-subjects.table';
import { StreamSubject } from './subject.request';

export type NewStreamRow = Omit<
  StreamRow,
  | 'status_reason'
  | 'subjects_restricted'
  | 'last_verified_at'
  | 'dropped'
  | 'lease_owner'
  | 'lease_until'
  | 'created_at'
  | 'updated_at'
>;

/** Streams and their subjects: plain SQL over `Database`. Every read and write is narrowed to one receiver. */
@Injectable()
export class StreamsStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /**
   * Inserts the stream unless its receiver already has `limit` streams (null then). The receiver's row is locked
   * first, so creates arriving together are counted one after the other: counting and inserting without it let 40
   * creates at once leave a receiver with 27.
   */
  insertWithin(limit: number, row: NewStreamRow): Promise<Stream | null> {
    return this.db.transaction(async (tx) => {
      const receiver = await tx.rows(`SELECT 1 FROM ssf_receivers WHERE id = $1 FOR NO KEY UPDATE`, [row.receiver_id]);
      // Deleted since its token was checked: its tokens are gone with it.
      if (receiver.length === 0)
        throw new DomainError(DomainErrorCode.BadCredentials, 'The receiver no longer exists.');
      const counted = await tx.rows(`SELECT count(*) AS n FROM ssf_streams WHERE receiver_id = $1`, [row.receiver_id]);
      if (Number(counted[0].n) >= limit) return null;
      const { text, params } = insertRow(STREAMS, row);
      return toStream((await tx.rows(`${text} RETURNING ${STREAM_SELECT}`, params))[0]);
    });
  }

  async find(receiverId: number, streamId: string, tx: Queryable = this.db): Promise<Stream | null> {
    const rows = await tx.rows(`SELECT ${STREAM_SELECT} FROM ssf_streams st WHERE st.receiver_id = $1 AND st.id = $2`, [
      receiverId,
      streamId,
    ]);
    return rows.length ? toStream(rows[0]) : null;
  }

  async list(receiverId: number | null): Promise<Stream[]> {
    const rows = await this.db.rows(
      `SELECT ${STREAM_SELECT} FROM ssf_streams st WHERE $1::int IS NULL OR st.receiver_id = $1 ORDER BY st.created_at, st.id`,
      [receiverId],
    );
    return rows.map(toStream);
  }

  async findById(streamId: string): Promise<Stream | null> {
    const rows = await this.db.rows(`SELECT ${STREAM_SELECT} FROM ssf_streams st WHERE st.id = $1`, [streamId]);
    return rows.length ? toStream(rows[0]) : null;
  }

  async saveSettings(receiverId: number, streamId: string, settings: StreamSettings): Promise<Stream | null> {
    const rows = await this.db.rows(
      `UPDATE ssf_streams st SET delivery_method = $3, endpoint_url = $4, authorization_header = $5,
         events_requested = $6, events_delivered = $7, description = $8, updated_at = now()
       WHERE st.receiver_id = $1 AND st.id = $2 RETURNING ${STREAM_SELECT}`,
      [
        receiverId,
        streamId,
        settings.delivery_method,
        settings.endpoint_url,
        settings.authorization_header,
        encode('jsonb', settings.events_requested),
        encode('jsonb', settings.events_delivered),
        settings.description,
      ],
    );
    return rows.length ? toStream(rows[0]) : null;
  }

  async delete(receiverId: number, streamId: string): Promise<boolean> {
    const rows = await this.db.rows(`DELETE FROM ssf_streams WHERE receiver_id = $1 AND id = $2 RETURNING id`, [
      receiverId,
      streamId,
    ]);
    return rows.length > 0;
  }

  async setStatus(tx: Queryable, streamId: string, status: StreamStatus, reason: string | null): Promise<Stream> {
    const rows = await tx.rows(
      `UPDATE ssf_streams st SET status = $2, status_reason = $3, updated_at = now() WHERE st.id = $1
       RETURNING ${STREAM_SELECT}`,
      [streamId, status, reason],
    );
    return toStream(rows[0]);
  }

  /** Records an added (included) or removed subject; the first added one restricts the stream to added subjects. */
  async saveSubject(tx: Queryable, streamId: string, subject: StreamSubject, included: boolean): Promise<void> {
    const { text, params } = insertRow(STREAM_SUBJECTS, {
      stream_id: streamId,
      match_key: subject.matchKey,
      subject: subject.subject,
      included,
    });
    await tx.rows(
      `${text} ON CONFLICT (stream_id, match_key) DO UPDATE SET subject = excluded.subject, included = excluded.included`,
      params,
    );
    if (included) await tx.rows(`UPDATE ssf_streams SET subjects_restricted = true WHERE id = $1`, [streamId]);
  }

  /**
   * Takes the stream's verification slot: false when the last verification was less than its
   * min_verification_interval ago (answers the seconds left then).
   */
  async takeVerificationSlot(tx: Queryable, streamId: string): Promise<{ taken: boolean; waitSeconds: number }> {
    const taken = await tx.rows(
      `UPDATE ssf_streams SET last_verified_at = now() WHERE id = $1
         AND (last_verified_at IS NULL OR last_verified_at <= now() - make_interval(secs => min_verification_interval))
       RETURNING id`,
      [streamId],
    );
    if (taken.length) return { taken: true, waitSeconds: 0 };
    const [left] = await tx.rows(
      `SELECT ceil(extract(epoch FROM last_verified_at + make_interval(secs => min_verification_interval) - now())) AS s
       FROM ssf_streams WHERE id = $1`,
      [streamId],
    );
    return { taken: false, waitSeconds: Math.max(1, Number(left.s)) };
  }
}
