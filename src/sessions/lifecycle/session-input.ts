import { isIP, isIPv6, SocketAddress } from 'node:net';
import { DomainError } from '../domain-error';
import { isPfid } from '../pfid';
import { DeviceInfo, LIVE_STATUSES, SESSION_TYPES, SessionStatus, SessionType } from '../session.model';

/** What the login call may say about a new session. */
export interface NewSessionInput {
  /** A user id, uuid or username. */
  user: number | string;
  ip: string;
  userAgent: string;
  sessionType?: SessionType;
  status?: SessionStatus;
  /** Absolute lifetime; unset: the session type's default. */
  ttlSeconds?: number;
  /** Idle timeout; 0: none; unset: the session type's default. */
  idleSeconds?: number;
  accountId?: string;
  domainId?: string;
  poolId?: string;
  deviceId?: string;
  title?: string;
  device?: Partial<DeviceInfo>;
}

export const MAX_TTL_SECONDS = 366 * 24 * 3600;

/**
 * An IP address as the domain accepts it: IPv4 or IPv6 text of one host. Node accepts an IPv6 zone id
 * (`fe80::1%eth0`), PostgreSQL's inet does not: it is refused here rather than failing in the database.
 */
export function requireIp(ip: unknown, field: string): string {
  if (typeof ip !== 'string' || isIP(ip) === 0 || ip.includes('%'))
    throw DomainError.invalid(field, 'Enter a valid IPv4 or IPv6 address.');
  return ip;
}

/**
 * An address as PostgreSQL's inet writes it back: IPv6 in RFC 5952's form (lower case, no leading zeros, the longest
 * run of zeros as ::), so one spelled another way compares equal to the address stored. The IPv4 that isIP accepts is
 * already in that form. node:net formats it (inet_pton, then inet_ntop); that costs about 5 µs, so hot paths compare
 * the spelling first (sameAddress).
 */
export function canonicalIp(ip: string): string {
  return isIPv6(ip) ? new SocketAddress({ address: ip, family: 'ipv6' }).address : ip;
}

/** Whether a valid address given now is `stored` (an address read back from the database), however it is spelled. */
export function sameAddress(ip: string, stored: string): boolean {
  return ip === stored || canonicalIp(ip) === stored;
}

/** A session type's default lifetime and idle timeout (0: none), from the deployment's settings. */
export type TimeoutDefaults = (type: SessionType) => { ttlSeconds: number; idleSeconds: number };

/** The domain's own checks of a login, whichever face it came through; returns the settled values. */
export function checkNewSession(
  input: NewSessionInput,
  defaults: TimeoutDefaults,
): { ip: string; ttl: number; idle: number | null; sessionType: SessionType; status: SessionStatus } {
  const ip = canonicalIp(requireIp(input.ip, 'ip'));
  const sessionType = input.sessionType ?? 'browser';
  if (!SESSION_TYPES.includes(sessionType))
    throw DomainError.invalid('sessionType', 'sessionType must be browser or api.');
  const ttl = input.ttlSeconds ?? defaults(sessionType).ttlSeconds;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    throw DomainError.invalid('ttlSeconds', `ttlSeconds must be an integer from 1 to ${MAX_TTL_SECONDS}.`);
  }
  const idle = input.idleSeconds ?? defaults(sessionType).idleSeconds;
  if (!Number.isInteger(idle) || idle < 0 || idle > MAX_TTL_SECONDS) {
    throw DomainError.invalid('idleSeconds', `idleSeconds must be an integer from 0 (none) to ${MAX_TTL_SECONDS}.`);
  }
  const status = input.status ?? 'authenticated';
  if (!LIVE_STATUSES.includes(status)) {
    throw DomainError.invalid('status', 'A new session starts as new, unauthenticated or authenticated.');
  }
  for (const field of ['accountId', 'domainId', 'poolId', 'deviceId'] as const) {
    const value = input[field];
    if (value !== undefined && !isPfid(value)) throw DomainError.invalid(field, `${field} must be a valid ID.`);
  }
  // An idle timeout at or past the absolute expiry could never end the session first: it is none.
  return { ip, ttl, idle: idle > 0 && idle < ttl ? idle : null, sessionType, status };
}
