import type { SessionFieldValues } from './persistence/tables/sessions.table';

export const SESSION_STATUSES = ['new', 'unauthenticated', 'authenticated', 'complete', 'revoked'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const LIVE_STATUSES: readonly SessionStatus[] = ['new', 'unauthenticated', 'authenticated'];
export const SESSION_TYPES = ['browser', 'api'] as const;
export type SessionType = (typeof SESSION_TYPES)[number];
export type DeviceClass = 'smartphone' | 'tablet' | 'desktop' | 'bot' | 'other';
/** Which face a change came through (`system`: housekeeping, the CLI, plain SQL). */
export const SESSION_FACES = ['hub', 'authentik', 'prefactor', 'movens', 'system'] as const;
export type Face = (typeof SESSION_FACES)[number];

/** authentik's geo_ip dict plus the extra fields Prefactor's InteractionDetails can carry. */
export interface GeoInfo {
  continent: string | null;
  country: string | null;
  lat: number | null;
  long: number | null;
  city: string;
  region_code: string | null;
  timezone: string | null;
}

export interface AsnInfo {
  asn: number | null;
  as_org: string | null;
  network: string | null;
}

export interface Interaction {
  at: Date;
  ip: string;
  userAgent: string;
}

/** Device and app facts an app reports at login (MOVENS mobile-logon's SmBrand, SmModel, OsName, ...). */
export interface DeviceInfo {
  brand: string | null;
  model: string | null;
  osName: string | null;
  osVersion: string | null;
  appName: string | null;
  appVersion: string | null;
}

export interface User {
  id: number;
  uuid: string;
  username: string;
  name: string;
  email: string;
  isSuperuser: boolean;
  isOperator: boolean;
  isActive: boolean;
  pfid: string;
  /** This user's limit of live sessions; null: the deployment's (SESSION_LIMIT). */
  maxSessions: number | null;
  createdAt: Date;
}

/** An API token as anyone may see it: never its key, never the key's hash. */
export interface ApiToken {
  identifier: string;
  userId: number;
  username: string;
  description: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

/**
 * A session: its fields are defined once, with the columns each is read from, in SESSION_FIELDS
 * (persistence/tables/sessions.table.ts); this is their type, inferred from there. A new field is added there, not here.
 */
export type Session = SessionFieldValues;

/**
 * The fields of a session a reader renders (a face's list): only their columns are read. A constant list, declared
 * once beside the face's mapper, whose parameter type is `Pick<Session, K>` of the same K.
 */
export type SessionFields<K extends keyof Session> = readonly K[];

/** A user with live sessions, and how many (MOVENS's session counts). */
export interface UserWithLiveSessions {
  userUuid: string;
  username: string;
  count: number;
  isOperator: boolean;
}

export interface SessionEvent {
  id: number;
  kind:
    | 'created'
    | 'validated_new_ip'
    | 'ended'
    | 'revoked'
    | 'expired'
    | 'new_device'
    | 'new_country'
    | 'impossible_travel';
  /** Why a session ended (end events only). */
  reason: EndReason | null;
  /** Security insight events: what was found, from where, compared with what. */
  detail: Record<string, unknown> | null;
  actorUserId: number | null;
  face: Face | null;
  at: Date;
  ip: string | null;
  userAgent: string | null;
}

/** An event in the history of all sessions: which session, whose. */
export interface EventRecord extends SessionEvent {
  sessionUuid: string;
  userId: number;
}

/** Why a session stopped being live: recorded on its end event. */
export const END_REASONS = ['logout', 'revoke', 'revoke_all', 'credential_change', 'limit', 'idle', 'expiry'] as const;
export type EndReason = (typeof END_REASONS)[number];

export function isLive(session: Pick<Session, 'status' | 'expiresAt'>, now = new Date()): boolean {
  return LIVE_STATUSES.includes(session.status) && session.expiresAt.getTime() > now.getTime();
}

/** Expiry ends a session like a logout does, even before the sweeper has written it down. */
export function effectiveStatus(session: Pick<Session, 'status' | 'expiresAt'>, now = new Date()): SessionStatus {
  return LIVE_STATUSES.includes(session.status) && !isLive(session, now) ? 'complete' : session.status;
}

/** Who is calling, as the credentials say. */
export interface Caller {
  userId: number;
  username: string;
  isSuperuser: boolean;
  isOperator: boolean;
  /** Set when the caller authenticated with a session's own token. */
  sessionId: number | null;
  tokenKind: 'api_token' | 'session';
  /** Set when the caller authenticated with an API token: its id (read-your-writes follows the credential). */
  apiTokenId?: number;
}
