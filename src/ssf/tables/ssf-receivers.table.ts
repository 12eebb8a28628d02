import { Row } from '../../database/database';
import { date, nullableNumber } from '../../sessions/persistence/tables/decode';
import { defineTable, selectList } from '../../sessions/persistence/tables/table';

export interface ReceiverRow {
  id: number;
  client_id: string;
  /** SHA-256 of the client secret, hex; the secret itself is shown once and never stored. */
  secret_hash: string;
  name: string;
  /** The `aud` of every SET sent to this receiver's streams. */
  audience: string;
  created_by: number | null;
  created_at: Date;
}

export const RECEIVERS = defineTable<ReceiverRow>('ssf_receivers', 'r', {
  id: 'int',
  client_id: 'varchar',
  secret_hash: 'char(64)',
  name: 'text',
  audience: 'text',
  created_by: 'int',
  created_at: 'timestamptz',
});

export const RECEIVER_SELECT = selectList(RECEIVERS, ['secret_hash']);

export interface Receiver {
  id: number;
  clientId: string;
  name: string;
  audience: string;
  createdBy: number | null;
  createdAt: Date;
}

export function toReceiver(row: Row): Receiver {
  return {
    id: Number(row.id),
    clientId: String(row.client_id),
    name: String(row.name),
    audience: String(row.audience),
    createdBy: nullableNumber(row.created_by),
    createdAt: date(row.created_at),
  };
}
