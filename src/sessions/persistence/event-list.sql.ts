import { Statement } from '../../database/database';
import { EndReason, Face, SessionEvent } from '../session.model';
import { SESSION_EVENT_SELECT } from './tables/session-events.table';

/** What the event history may be narrowed by; every field is optional and they combine with AND. */
export interface EventFilters {
  userId?: number;
  sessionUuid?: string;
  kind?: SessionEvent['kind'];
  reason?: EndReason;
  face?: Face;
  actorUserId?: number;
  since?: Date;
  until?: Date;
}

/** A page of the history, newest first: events older than `before` (an event id, for keyset paging). */
export interface EventQuery {
  filters: EventFilters;
  before?: number;
  limit: number;
}

type Push = (value: unknown) => number;

/** Each filter's SQL: the one place their meaning lives. The Record type makes a new filter name its SQL. */
const EVENT_FILTER_SQL: { [K in keyof EventFilters]-?: (value: NonNullable<EventFilters[K]>, push: Push) => string } = {
  userId: (value, push) => `e.user_id = $${push(value)}`,
  // A session still stored, or one purged whose events were kept: two index probes.
  sessionUuid: (value, push) => {
    const uuid = push(value);
    return `(e.session_id = (SELECT s.id FROM sessions s WHERE s.uuid = $${uuid}::uuid) OR e.session_uuid = $${uuid}::uuid)`;
  },
  kind: (value, push) => `e.kind = $${push(value)}`,
  reason: (value, push) => `e.reason = $${push(value)}`,
  face: (value, push) => `e.face = $${push(value)}`,
  actorUserId: (value, push) => `e.actor_user_id = $${push(value)}`,
  since: (value, push) => `e.at >= $${push(value)}`,
  until: (value, push) => `e.at < $${push(value)}`,
};

function whereOf(filters: EventFilters, params: unknown[], before?: number): string {
  const push: Push = (value) => params.push(value);
  const clauses: string[] = [];
  for (const key of Object.keys(filters) as (keyof EventFilters)[]) {
    const value = filters[key];
    if (value === undefined) continue;
    clauses.push((EVENT_FILTER_SQL[key] as (value: unknown, push: Push) => string)(value, push));
  }
  if (before !== undefined) clauses.push(`e.id < $${push(before)}`);
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
}

/**
 * The filters event_counts is keyed by, with their SQL on it. A total narrowed by these alone is read from the
 * counts (the one rule: any other filter set, including one added later, makes the total a real count).
 */
const COUNTED_FILTER_SQL: { [K in 'kind' | 'reason' | 'face']: (value: string, push: Push) => string } = {
  kind: (value, push) => `c.kind = $${push(value)}`,
  reason: (value, push) => `c.reason = $${push(value)}`,
  face: (value, push) => `c.face = $${push(value)}`,
};

function isCounted(filters: EventFilters): boolean {
  return (Object.keys(filters) as (keyof EventFilters)[]).every(
    (key) => filters[key] === undefined || key in COUNTED_FILTER_SQL,
  );
}

/**
 * The exact total: from event_counts (every event up to the checkpoint) plus the events past the checkpoint, when
 * the filters allow (migration 1764950000000); otherwise a count of the matching rows, which the other filters'
 * indexes keep short (a user, a session, an actor) or which a time range bounds.
 */
function countStatement(filters: EventFilters): Statement {
  const params: unknown[] = [];
  if (!isCounted(filters))
    return { text: `SELECT count(*) AS n FROM session_events e ${whereOf(filters, params)}`, params };
  const push: Push = (value) => params.push(value);
  const onCounts = (Object.keys(COUNTED_FILTER_SQL) as (keyof typeof COUNTED_FILTER_SQL)[])
    .filter((key) => filters[key] !== undefined)
    .map((key) => COUNTED_FILTER_SQL[key](filters[key]!, push));
  const recentWhere = whereOf(filters, params);
  const recent = `${recentWhere ? `${recentWhere} AND` : 'WHERE'} e.id > (SELECT last_id FROM event_count_checkpoint)`;
  return {
    text: `SELECT (SELECT coalesce(sum(c.n), 0) FROM event_counts c ${onCounts.length ? `WHERE ${onCounts.join(' AND ')}` : ''})
      + (SELECT count(*) FROM session_events e ${recent}) AS n`,
    params,
  };
}

/** The exact total of the filtered history (the cursor aside) and one page of it (plus one row), newest first. */
export function eventListStatements(query: EventQuery): { count: Statement; page: Statement } {
  const pageParams: unknown[] = [];
  const pageWhere = whereOf(query.filters, pageParams, query.before);
  // One more than the page: whether an older page exists, without a second query.
  const limit = Math.min(Math.max(1, Math.trunc(query.limit)), 1000) + 1;
  return {
    count: countStatement(query.filters),
    page: {
      text: `SELECT ${SESSION_EVENT_SELECT}, coalesce(e.session_uuid, s.uuid) AS session_uuid
        FROM (SELECT * FROM session_events e ${pageWhere} ORDER BY e.id DESC LIMIT ${limit}) e
        LEFT JOIN sessions s ON s.id = e.session_id ORDER BY e.id DESC`,
      params: pageParams,
    },
  };
}
