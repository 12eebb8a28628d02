import { isoSeconds, microsecondOfSecond } from '../../database/timestamp';
import { AsnInfo, GeoInfo, Session, SessionFields } from '../../sessions/session.model';
import { ParsedUserAgent } from '../../sessions/insight/user-agent/uap-parser';
import {
  AuthenticatedSession,
  AuthenticatedSessionAsn,
  AuthenticatedSessionGeoIp,
  AuthenticatedSessionUserAgent,
  Pagination,
} from './authentik.dto';

/**
 * DRF's DateTimeField in UTC with `Z`: Python's isoformat prints the microseconds (all six digits) only when they are
 * non-zero. The database's microseconds come through PreciseDate; a plain Date gives its milliseconds.
 */
export function formatTimestamp(date: Date): string {
  const seconds = isoSeconds(date);
  const micros = microsecondOfSecond(date);
  return micros === 0 ? `${seconds}Z` : `${seconds}.${String(micros).padStart(6, '0')}Z`;
}

/** uap-core's Parse() dict, rebuilt so the key order is authentik's whatever order storage returned. */
export function toUserAgent(parsed: ParsedUserAgent): AuthenticatedSessionUserAgent {
  return {
    string: parsed.string,
    user_agent: {
      family: parsed.user_agent.family,
      major: parsed.user_agent.major ?? null,
      minor: parsed.user_agent.minor ?? null,
      patch: parsed.user_agent.patch ?? null,
    },
    os: {
      family: parsed.os.family,
      major: parsed.os.major ?? null,
      minor: parsed.os.minor ?? null,
      patch: parsed.os.patch ?? null,
      patch_minor: parsed.os.patch_minor ?? null,
    },
    device: { family: parsed.device.family, brand: parsed.device.brand ?? null, model: parsed.device.model ?? null },
  };
}

export function toGeoIp(geo: GeoInfo | null): AuthenticatedSessionGeoIp | null {
  if (!geo) return null;
  return {
    continent: geo.continent ?? null,
    country: geo.country ?? null,
    lat: geo.lat ?? null,
    long: geo.long ?? null,
    city: geo.city ?? '',
  };
}

export function toAsn(asn: AsnInfo | null): AuthenticatedSessionAsn | null {
  if (!asn) return null;
  return { asn: asn.asn ?? null, as_org: asn.as_org ?? null, network: asn.network ?? null };
}

/** The session fields authentik's serializer shows: a list reads only their columns. */
export const AUTHENTIK_SESSION_FIELDS = [
  'id',
  'uuid',
  'userAgent',
  'geo',
  'asn',
  'userId',
  'lastSeen',
  'expiresAt',
] as const satisfies SessionFields<keyof Session>;
export type AuthentikSessionFacts = Pick<Session, (typeof AUTHENTIK_SESSION_FIELDS)[number]>;

/** authentik's AuthenticatedSessionSerializer; `current` when the caller authenticated with this session's token. */
export function toAuthenticatedSession(
  session: AuthentikSessionFacts,
  callerSessionId: number | null,
): AuthenticatedSession {
  return {
    uuid: session.uuid,
    current: callerSessionId !== null && callerSessionId === session.id,
    user_agent: toUserAgent(session.userAgent),
    geo_ip: toGeoIp(session.geo),
    asn: toAsn(session.asn),
    user: session.userId,
    last_ip: session.lastSeen.ip,
    last_user_agent: session.lastSeen.userAgent,
    last_used: formatTimestamp(session.lastSeen.at),
    expires: formatTimestamp(session.expiresAt),
  };
}

/** Django's Paginator.num_pages: an empty list still has one page. */
export function totalPages(count: number, pageSize: number): number {
  return count === 0 ? 1 : Math.ceil(count / pageSize);
}

/** authentik's pagination block: `next` / `previous` are 0 when there is none. */
export function toPagination(page: number, pageSize: number, count: number): Pagination {
  const pages = totalPages(count, pageSize);
  return {
    next: page < pages ? page + 1 : 0,
    previous: page > 1 ? page - 1 : 0,
    count,
    current: page,
    total_pages: pages,
    start_index: count === 0 ? 0 : (page - 1) * pageSize + 1,
    end_index: page === pages ? count : page * pageSize,
  };
}
