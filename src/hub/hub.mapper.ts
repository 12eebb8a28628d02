import { ApiToken, effectiveStatus, isLive, Session, SessionEvent, User } from '../sessions/session.model';

/** SessionHub's own JSON: camelCase keys, ISO 8601 dates. Pure functions of domain objects. */
export function toHubUser(user: User) {
  return {
    id: user.id,
    uuid: user.uuid,
    username: user.username,
    name: user.name,
    email: user.email,
    isSuperuser: user.isSuperuser,
    isOperator: user.isOperator,
    isActive: user.isActive,
    identityId: user.pfid,
    createdAt: user.createdAt.toISOString(),
  };
}

export function toHubToken(token: ApiToken) {
  return {
    identifier: token.identifier,
    user: { id: token.userId, username: token.username },
    description: token.description,
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    createdAt: token.createdAt.toISOString(),
  };
}

export function toHubSession(session: Session, now = new Date()) {
  return {
    id: session.id,
    uuid: session.uuid,
    pfid: session.pfid,
    user: { id: session.userId, uuid: session.userUuid, username: session.username },
    status: effectiveStatus(session, now),
    live: isLive(session, now),
    sessionType: session.sessionType,
    accountId: session.accountId,
    domainId: session.domainId,
    poolId: session.poolId,
    identityId: session.identityId,
    deviceId: session.deviceId,
    title: session.title,
    createdAt: session.createdAt.toISOString(),
    firstSeen: {
      at: session.firstSeen.at.toISOString(),
      ip: session.firstSeen.ip,
      userAgent: session.firstSeen.userAgent,
    },
    lastSeen: { at: session.lastSeen.at.toISOString(), ip: session.lastSeen.ip, userAgent: session.lastSeen.userAgent },
    expiresAt: session.expiresAt.toISOString(),
    endedAt: session.endedAt?.toISOString() ?? null,
    endedBy: session.endedBy,
    device: session.device,
    deviceClass: session.deviceClass,
    userAgent: session.userAgent,
    geo: session.geo,
    asn: session.asn,
  };
}

export function toHubEvent(event: SessionEvent) {
  return {
    id: event.id,
    kind: event.kind,
    actorUserId: event.actorUserId,
    face: event.face,
    at: event.at.toISOString(),
    ip: event.ip,
    userAgent: event.userAgent,
  };
}
