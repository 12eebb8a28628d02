import { Row } from '../../../database/database';
import { EndReason, EventRecord, Face, SessionEvent } from '../../session.model';
import { date, nullableJson, nullableNumber, nullableString } from './decode';
import { defineTable, selectList } from './table';

export interface SessionEventRow {
  id: number;
  /** Null once the session was purged: the event outlives it (EVENT_RETENTION_DAYS) and keeps its uuid. */
  session_id: number | null;
  /** Written when the session is purged; until then its uuid is the session's own. */
  session_uuid: string | null;
  user_id: number;
  kind: SessionEvent['kind'];
  reason: EndReason | null;
  detail: Record<string, unknown> | null;
  actor_user_id: number | null;
  face: Face | null;
  at: Date;
  ip: string | null;
  user_agent: string | null;
}

export const SESSION_EVENTS = defineTable<SessionEventRow>('session_events', 'e', {
  id: 'bigint',
  session_id: 'bigint',
  session_uuid: 'uuid',
  user_id: 'int',
  kind: 'varchar',
  reason: 'varchar',
  detail: 'jsonb',
  actor_user_id: 'int',
  face: 'varchar',
  at: 'timestamptz',
  ip: 'inet',
  user_agent: 'text',
});

export const SESSION_EVENT_SELECT = selectList(SESSION_EVENTS, ['session_id', 'session_uuid']);

export function toSessionEvent(row: Row): SessionEvent {
  return {
    id: Number(row.id),
    kind: row.kind as SessionEvent['kind'],
    reason: (row.reason as EndReason | null) ?? null,
    detail: nullableJson<Record<string, unknown>>(row.detail),
    actorUserId: nullableNumber(row.actor_user_id),
    face: (row.face as Face | null) ?? null,
    at: date(row.at),
    ip: nullableString(row.ip),
    userAgent: nullableString(row.user_agent),
  };
}

/**
 * An event with its session's uuid (selected as `session_uuid`: the session's own, or the one kept when the session
 * was purged) and user, for the history of all sessions.
 */
export function toEventRecord(row: Row): EventRecord {
  return { ...toSessionEvent(row), sessionUuid: String(row.session_uuid), userId: Number(row.user_id) };
}
