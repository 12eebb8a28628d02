import { Row } from '../../database/database';
import { date, json, nullableDate, nullableNumber, nullableString } from '../../sessions/persistence/tables/decode';
import { defineTable, selectList } from '../../sessions/persistence/tables/table';

export const OUTBOX_STATES = ['pending', 'delivered', 'failed', 'dropped'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/**
 * One SET for one stream: its claims as the transaction that caused it wrote them (signed at delivery), and its
 * delivery receipt. Delivery order within a stream is (txn, id): see OutboxStore.
 */
export interface OutboxRow {
  id: number;
  stream_id: string;
  jti: string;
  event_type: string;
  sub_id: Record<string, unknown>;
  event: Record<string, unknown>;
  /** The writing transaction's id (`txid_current()`): every SET of one action shares it, as the `txn` claim. */
  txn: number;
  /** Keeps one SET per (stream, txn, key): one credential-change per user and transaction. */
  dedup_key: string | null;
  created_at: Date;
  state: OutboxState;
  /** Push: requests made; poll: times handed out. */
  attempts: number;
  next_attempt_at: Date;
  /** Poll: when last handed out (redelivered when unacknowledged for SSF_POLL_REDELIVERY_SECONDS). */
  sent_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  acked_at: Date | null;
}

export const OUTBOX = defineTable<OutboxRow>('ssf_outbox', 'o', {
  id: 'bigint',
  stream_id: 'uuid',
  jti: 'uuid',
  event_type: 'text',
  sub_id: 'jsonb',
  event: 'jsonb',
  txn: 'bigint',
  dedup_key: 'text',
  created_at: 'timestamptz',
  state: 'varchar',
  attempts: 'int',
  next_attempt_at: 'timestamptz',
  sent_at: 'timestamptz',
  last_status: 'int',
  last_error: 'text',
  delivered_at: 'timestamptz',
  acked_at: 'timestamptz',
});

export const OUTBOX_SELECT = selectList(OUTBOX, ['dedup_key']);

export interface OutboxEntry {
  id: number;
  streamId: string;
  jti: string;
  eventType: string;
  subId: Record<string, unknown>;
  event: Record<string, unknown>;
  txn: string;
  createdAt: Date;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: Date;
  sentAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  ackedAt: Date | null;
}

export function toOutboxEntry(row: Row): OutboxEntry {
  return {
    id: Number(row.id),
    streamId: String(row.stream_id),
    jti: String(row.jti),
    eventType: String(row.event_type),
    subId: json<Record<string, unknown>>(row.sub_id),
    event: json<Record<string, unknown>>(row.event),
    txn: String(row.txn),
    createdAt: date(row.created_at),
    state: row.state as OutboxState,
    attempts: Number(row.attempts),
    nextAttemptAt: date(row.next_attempt_at),
    sentAt: nullableDate(row.sent_at),
    lastStatus: nullableNumber(row.last_status),
    lastError: nullableString(row.last_error),
    deliveredAt: nullableDate(row.delivered_at),
    ackedAt: nullableDate(row.acked_at),
  };
}
