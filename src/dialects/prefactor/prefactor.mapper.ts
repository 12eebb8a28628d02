import { effectiveStatus, Interaction, Session, SessionFields } from '../../sessions/session.model';
import {
  InteractionDetails,
  PaginationOutput,
  SessionFetch,
  SessionList,
  SessionSummary,
  Sorting,
} from './prefactor.dto';

/** Prefactor's JSON: snake_case keys, PFIDs, Unix seconds. Pure functions of domain objects. */

/** Unix seconds, as Prefactor's Timestamp. */
export function toTimestamp(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

type GeoFacts = Pick<Session, 'geo' | 'asn'>;

/** The geo fields of newer InteractionDetails, each present only when GeoIP gave it. */
function geoDetails({ geo, asn }: GeoFacts): Partial<InteractionDetails> {
  const out: Partial<InteractionDetails> = {};
  if (asn?.asn != null && asn.asn >= 1) out.asn = asn.asn;
  if (geo?.city) out.city = geo.city;
  if (geo?.country && /^[A-Z]{2}$/.test(geo.country)) out.country_code = geo.country;
  if (geo?.lat != null && geo.long != null) out.lat_long = [geo.lat, geo.long];
  if (geo?.region_code) out.region_code = geo.region_code;
  if (geo?.timezone) out.timezone = geo.timezone;
  return out;
}

function toInteraction(seen: Interaction, geo: GeoFacts | null): InteractionDetails {
  return {
    at: toTimestamp(seen.at),
    remote_ip: seen.ip || null,
    user_agent: seen.userAgent,
    ...(geo ? geoDetails(geo) : {}),
  };
}

/** The session fields a Prefactor summary shows: a list reads only their columns. */
export const PREFACTOR_SESSION_FIELDS = [
  'accountId',
  'identityId',
  'deviceId',
  'domainId',
  'firstSeen',
  'pfid',
  'lastSeen',
  'geo',
  'asn',
  'poolId',
  'sessionType',
  'status',
  'expiresAt',
  'title',
] as const satisfies SessionFields<keyof Session>;
export type PrefactorSessionFacts = Pick<Session, (typeof PREFACTOR_SESSION_FIELDS)[number]>;
/** What a fetch reads: the summary's fields, and the owner, which decides who may see and revoke it. */
export const PREFACTOR_FETCH_FIELDS = [...PREFACTOR_SESSION_FIELDS, 'userId'] as const satisfies SessionFields<
  keyof Session
>;

export function toSessionSummary(session: PrefactorSessionFacts, now = new Date()): SessionSummary {
  // The stored GeoIP facts describe the last IP; they hold for first_seen only while the IP has not changed.
  const firstGeo = session.firstSeen.ip === session.lastSeen.ip ? session : null;
  return {
    account_id: session.accountId,
    authenticated_identity_id: session.identityId,
    device_id: session.deviceId,
    domain_id: session.domainId,
    first_seen: toInteraction(session.firstSeen, firstGeo),
    id: session.pfid,
    last_seen: toInteraction(session.lastSeen, session),
    pool_id: session.poolId,
    session_type: session.sessionType,
    status: effectiveStatus(session, now),
    title: session.title,
    type: 'session',
  };
}

export function toSessionFetch(session: PrefactorSessionFacts, canRevoke: boolean, now = new Date()): SessionFetch {
  return { actions: { revoke: canRevoke }, summary: toSessionSummary(session, now) };
}

/**
 * Prefactor's pagination block. `item_start` / `item_end` are one-based and both 0 on an empty page; `page_count`
 * is 0 when there are no items; `next_page_offset` is null when no item lies past this page; `previous_page_offset`
 * is null at offset 0 and never below 0.
 */
export function toPaginationOutput(
  offset: number,
  pageSize: number,
  itemCount: number,
  itemsOnPage: number,
): PaginationOutput {
  return {
    item_count: itemCount,
    item_end: itemsOnPage > 0 ? offset + itemsOnPage : 0,
    item_start: itemsOnPage > 0 ? offset + 1 : 0,
    next_page_offset: offset + pageSize < itemCount ? offset + pageSize : null,
    page_count: Math.ceil(itemCount / pageSize),
    page_index: Math.floor(offset / pageSize) + 1,
    page_offset: offset,
    page_size: pageSize,
    previous_page_offset: offset > 0 ? Math.max(0, offset - pageSize) : null,
  };
}

export function toSessionList(
  sessions: PrefactorSessionFacts[],
  itemCount: number,
  offset: number,
  pageSize: number,
  sorting: Sorting,
  now = new Date(),
): SessionList {
  return {
    pagination: toPaginationOutput(offset, pageSize, itemCount, sessions.length),
    sorting,
    status: 'success',
    summaries: sessions.map((s) => toSessionSummary(s, now)),
  };
}
