import { Row } from '../../database/database';
import { date, json, nullableDate, nullableString } from '../../sessions/persistence/tables/decode';
import { defineTable, selectList } from '../../sessions/persistence/tables/table';
import { DeliveryMethod, StreamStatus } from '../ssf-events';

export interface StreamRow {
  id: string;
  receiver_id: number;
  /** The issuer the stream was created under (SSF_ISSUER, else the base URL of the creating request). */
  issuer: string;
  audience: string;
  delivery_method: DeliveryMethod;
  /** Push only: where SETs are POSTed. Poll streams answer at SessionHub's own poll URL. */
  endpoint_url: string | null;
  /** Push only: sent as the Authorization header of every push; never shown back. */
  authorization_header: string | null;
  events_requested: string[];
  /** What the outbox triggers match event types against: requested ∩ supported. */
  events_delivered: string[];
  description: string | null;
  status: StreamStatus;
  status_reason: string | null;
  /** Set by the first subjects:add: from then on only added subjects are sent. */
  subjects_restricted: boolean;
  min_verification_interval: number;
  last_verified_at: Date | null;
  /** SETs dropped from a full paused backlog. */
  dropped: number;
  /** The process pushing this stream's SETs now, and until when its claim holds (one deliverer per stream). */
  lease_owner: string | null;
  lease_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const STREAMS = defineTable<StreamRow>('ssf_streams', 'st', {
  id: 'uuid',
  receiver_id: 'int',
  issuer: 'text',
  audience: 'text',
  delivery_method: 'varchar',
  endpoint_url: 'text',
  authorization_header: 'text',
  events_requested: 'jsonb',
  events_delivered: 'jsonb',
  description: 'text',
  status: 'varchar',
  status_reason: 'text',
  subjects_restricted: 'boolean',
  min_verification_interval: 'int',
  last_verified_at: 'timestamptz',
  dropped: 'bigint',
  lease_owner: 'uuid',
  lease_until: 'timestamptz',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
});

export const STREAM_SELECT = selectList(STREAMS, ['lease_owner', 'lease_until']);

export interface Stream {
  id: string;
  receiverId: number;
  issuer: string;
  audience: string;
  deliveryMethod: DeliveryMethod;
  endpointUrl: string | null;
  authorizationHeader: string | null;
  eventsRequested: string[];
  eventsDelivered: string[];
  description: string | null;
  status: StreamStatus;
  statusReason: string | null;
  subjectsRestricted: boolean;
  minVerificationInterval: number;
  lastVerifiedAt: Date | null;
  dropped: number;
  createdAt: Date;
  updatedAt: Date;
}

export function toStream(row: Row): Stream {
  return {
    id: String(row.id),
    receiverId: Number(row.receiver_id),
    issuer: String(row.issuer),
    audience: String(row.audience),
    deliveryMethod: row.delivery_method as DeliveryMethod,
    endpointUrl: nullableString(row.endpoint_url),
    authorizationHeader: nullableString(row.authorization_header),
    eventsRequested: json<string[]>(row.events_requested),
    eventsDelivered: json<string[]>(row.events_delivered),
    description: nullableString(row.description),
    status: row.status as StreamStatus,
    statusReason: nullableString(row.status_reason),
    subjectsRestricted: Boolean(row.subjects_restricted),
    minVerificationInterval: Number(row.min_verification_interval),
    lastVerifiedAt: nullableDate(row.last_verified_at),
    dropped: Number(row.dropped),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

/** The receiver-supplied part of a stream's configuration: what create, update and replace write. */
export type StreamSettings = Pick<
  StreamRow,
  'delivery_method' | 'endpoint_url' | 'authorization_header' | 'events_requested' | 'events_delivered' | 'description'
>;
