import { Row } from '../../../database/database';
import { ParsedUserAgent } from '../../insight/user-agent/uap-parser';
import {
  AsnInfo,
  DeviceClass,
  DeviceInfo,
  GeoInfo,
  Session,
  SessionStatus,
  SessionType,
  User,
} from '../../session.model';
import { date, nullableDate, nullableJson, nullableNumber, nullableString, json } from './decode';
import { defineTable, selectList } from './table';

export interface SessionRow {
  id: number;
  uuid: string;
  pfid: string;
  /** SHA-256 of the session token, hex; never read back. */
  token_hash: string;
  user_id: number;
  username: string;
  status: SessionStatus;
  session_type: SessionType;
  account_id: string;
  domain_id: string;
  pool_id: string;
  identity_id: string;
  device_id: string;
  title: string;
  created_at: Date;
  first_seen_at: Date;
  first_ip: string;
  first_user_agent: string;
  last_seen_at: Date;
  last_ip: string;
  last_user_agent: string;
  expires_at: Date;
  /** With an idle timeout: the bound expires_at slides up to. Null without one (expires_at is then absolute). */
  absolute_expires_at: Date | null;
  idle_seconds: number | null;
  ended_at: Date | null;
  ended_by: number | null;
  device_brand: string | null;
  device_model: string | null;
  device_os_name: string | null;
  device_os_version: string | null;
  device_app_name: string | null;
  device_app_version: string | null;
  device_class: DeviceClass;
  user_agent_parsed: ParsedUserAgent;
  geo: GeoInfo | null;
  asn: AsnInfo | null;
}

export const SESSIONS = defineTable<SessionRow>('sessions', 's', {
  id: 'bigint',
  uuid: 'uuid',
  pfid: 'char(32)',
  token_hash: 'char(64)',
  user_id: 'int',
  username: 'varchar',
  status: 'varchar',
  session_type: 'varchar',
  account_id: 'char(32)',
  domain_id: 'char(32)',
  pool_id: 'char(32)',
  identity_id: 'char(32)',
  device_id: 'char(32)',
  title: 'text',
  created_at: 'timestamptz',
  first_seen_at: 'timestamptz',
  first_ip: 'inet',
  first_user_agent: 'text',
  last_seen_at: 'timestamptz',
  last_ip: 'inet',
  last_user_agent: 'text',
  expires_at: 'timestamptz',
  absolute_expires_at: 'timestamptz',
  idle_seconds: 'int',
  ended_at: 'timestamptz',
  ended_by: 'int',
  device_brand: 'text',
  device_model: 'text',
  device_os_name: 'text',
  device_os_version: 'text',
  device_app_name: 'text',
  device_app_version: 'text',
  device_class: 'varchar',
  user_agent_parsed: 'jsonb',
  geo: 'jsonb',
  asn: 'jsonb',
});

/** Every session read selects this: the row (without its token hash) plus the two user facts MOVENS shows. */
export const SESSION_SELECT = `${selectList(SESSIONS, ['token_hash'])},
  u.uuid AS user_uuid, u.is_operator AS user_is_operator`;
/** Sessions with their user, as SESSION_SELECT expects them. */
export const SESSION_FROM = `sessions s JOIN users u ON u.id = s.user_id`;

export function toSession(row: Row): Session {
  return {
    id: Number(row.id),
    uuid: String(row.uuid),
    pfid: String(row.pfid),
    userId: Number(row.user_id),
    userUuid: String(row.user_uuid),
    username: String(row.username),
    userIsOperator: Boolean(row.user_is_operator),
    status: row.status as SessionStatus,
    sessionType: row.session_type as SessionType,
    accountId: String(row.account_id),
    domainId: String(row.domain_id),
    poolId: String(row.pool_id),
    identityId: String(row.identity_id),
    deviceId: String(row.device_id),
    title: String(row.title),
    createdAt: date(row.created_at),
    firstSeen: { at: date(row.first_seen_at), ip: String(row.first_ip), userAgent: String(row.first_user_agent) },
    lastSeen: { at: date(row.last_seen_at), ip: String(row.last_ip), userAgent: String(row.last_user_agent) },
    expiresAt: date(row.expires_at),
    absoluteExpiresAt: date(row.absolute_expires_at ?? row.expires_at),
    idleSeconds: nullableNumber(row.idle_seconds),
    endedAt: nullableDate(row.ended_at),
    endedBy: nullableNumber(row.ended_by),
    device: {
      brand: nullableString(row.device_brand),
      model: nullableString(row.device_model),
      osName: nullableString(row.device_os_name),
      osVersion: nullableString(row.device_os_version),
      appName: nullableString(row.device_app_name),
      appVersion: nullableString(row.device_app_version),
    },
    deviceClass: row.device_class as DeviceClass,
    userAgent: json<ParsedUserAgent>(row.user_agent_parsed),
    geo: nullableJson<GeoInfo>(row.geo),
    asn: nullableJson<AsnInfo>(row.asn),
  };
}

/** The columns a new session's row sets from what the domain decided (the database fills id and created_at). */
export type NewSessionRow = Omit<
  SessionRow,
  'id' | 'created_at' | 'first_seen_at' | 'last_seen_at' | 'ended_at' | 'ended_by'
>;

/** What a login decided about a new session, in the domain's words. */
export interface NewSessionFacts {
  uuid: string;
  pfid: string;
  tokenHash: string;
  user: Pick<User, 'id' | 'username' | 'pfid'>;
  status: SessionStatus;
  sessionType: SessionType;
  accountId: string;
  domainId: string;
  poolId: string;
  deviceId: string;
  title: string;
  ip: string;
  userAgent: string;
  /** When the login happened: the idle expiry counts from it (one clock reading, so both expiries agree). */
  loggedInAt: Date;
  /** The absolute expiry; with an idle timeout the session's first effective expiry is the earlier idle one. */
  absoluteExpiresAt: Date;
  idleSeconds: number | null;
  device: DeviceInfo;
  deviceClass: DeviceClass;
  parsedUserAgent: ParsedUserAgent;
  geo: GeoInfo | null;
  asn: AsnInfo | null;
}

/** A new session's row: the inverse of toSession for what a login writes. */
export function toNewSessionRow(facts: NewSessionFacts): NewSessionRow {
  return {
    uuid: facts.uuid,
    pfid: facts.pfid,
    token_hash: facts.tokenHash,
    user_id: facts.user.id,
    username: facts.user.username,
    status: facts.status,
    session_type: facts.sessionType,
    account_id: facts.accountId,
    domain_id: facts.domainId,
    pool_id: facts.poolId,
    identity_id: facts.user.pfid,
    device_id: facts.deviceId,
    title: facts.title,
    first_ip: facts.ip,
    first_user_agent: facts.userAgent,
    last_ip: facts.ip,
    last_user_agent: facts.userAgent,
    ...expiryColumns(facts.absoluteExpiresAt, facts.idleSeconds, facts.loggedInAt.getTime()),
    ...deviceColumns(facts.device),
    device_class: facts.deviceClass,
    user_agent_parsed: facts.parsedUserAgent,
    geo: facts.geo,
    asn: facts.asn,
  };
}

/**
 * A new session's expiry columns: without an idle timeout expires_at is the absolute expiry; with one, the session
 * first expires after one idle period (each recorded activity slides it, never past the absolute bound).
 */
export function expiryColumns(
  absoluteExpiresAt: Date,
  idleSeconds: number | null,
  now = Date.now(),
): Pick<SessionRow, 'expires_at' | 'absolute_expires_at' | 'idle_seconds'> {
  if (idleSeconds === null) return { expires_at: absoluteExpiresAt, absolute_expires_at: null, idle_seconds: null };
  const idleExpiry = new Date(Math.min(absoluteExpiresAt.getTime(), now + idleSeconds * 1000));
  return { expires_at: idleExpiry, absolute_expires_at: absoluteExpiresAt, idle_seconds: idleSeconds };
}

/** The session's domain facts as the columns of its row (device metadata flattened). */
export function deviceColumns(
  device: Session['device'],
): Pick<
  SessionRow,
  'device_brand' | 'device_model' | 'device_os_name' | 'device_os_version' | 'device_app_name' | 'device_app_version'
> {
  return {
    device_brand: device.brand,
    device_model: device.model,
    device_os_name: device.osName,
    device_os_version: device.osVersion,
    device_app_name: device.appName,
    device_app_version: device.appVersion,
  };
}
