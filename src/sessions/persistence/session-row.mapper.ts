import { DeviceClass, Session, SessionEvent, SessionStatus, SessionType, User } from '../session.model';
import { ParsedUserAgent } from '../user-agent/uap-parser';
import { UserEntity } from './user.entity';

/** The columns every session read selects: the row plus the two user facts the MOVENS face shows. */
export const SESSION_SELECT = `
  s.id, s.uuid, s.pfid, s.user_id, u.uuid AS user_uuid, s.username, u.is_operator AS user_is_operator,
  s.status, s.session_type, s.account_id, s.domain_id, s.pool_id, s.identity_id, s.device_id, s.title,
  s.created_at, s.first_seen_at, host(s.first_ip) AS first_ip, s.first_user_agent,
  s.last_seen_at, host(s.last_ip) AS last_ip, s.last_user_agent, s.expires_at, s.ended_at, s.ended_by,
  s.device_brand, s.device_model, s.device_os_name, s.device_os_version, s.device_app_name,
  s.device_app_version, s.device_class, s.user_agent_parsed, s.geo, s.asn`;
export const SESSION_FROM = `sessions s JOIN users u ON u.id = s.user_id`;

export type Row = Record<string, unknown>;

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

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
    endedAt: row.ended_at == null ? null : date(row.ended_at),
    endedBy: row.ended_by == null ? null : Number(row.ended_by),
    device: {
      brand: (row.device_brand as string | null) ?? null,
      model: (row.device_model as string | null) ?? null,
      osName: (row.device_os_name as string | null) ?? null,
      osVersion: (row.device_os_version as string | null) ?? null,
      appName: (row.device_app_name as string | null) ?? null,
      appVersion: (row.device_app_version as string | null) ?? null,
    },
    deviceClass: row.device_class as DeviceClass,
    userAgent: json<ParsedUserAgent>(row.user_agent_parsed),
    geo: row.geo == null ? null : json(row.geo),
    asn: row.asn == null ? null : json(row.asn),
  };
}

export function toSessionEvent(row: Row): SessionEvent {
  return {
    id: Number(row.id),
    kind: row.kind as SessionEvent['kind'],
    actorUserId: row.actor_user_id == null ? null : Number(row.actor_user_id),
    face: (row.face as SessionEvent['face']) ?? null,
    at: date(row.at),
    ip: (row.ip as string | null) ?? null,
    userAgent: (row.user_agent as string | null) ?? null,
  };
}

export function toUser(entity: UserEntity): User {
  return {
    id: entity.id,
    uuid: entity.uuid,
    username: entity.username,
    name: entity.name,
    email: entity.email,
    isSuperuser: entity.isSuperuser,
    isOperator: entity.isOperator,
    isActive: entity.isActive,
    pfid: entity.pfid,
    createdAt: entity.createdAt,
  };
}
