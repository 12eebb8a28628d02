import { IssuedToken } from '../sessions/accounts/accounts.service';
import { Page } from '../sessions/session-query';
import { ApiToken, effectiveStatus, isLive, Session, SessionEvent, User } from '../sessions/session.model';
import * as Hub from './hub.dto';
import { asDocumented } from '../docs/documented';
import type { EventPage } from '../sessions/persistence/event.store';

/** SessionHub's own JSON: camelCase keys, ISO 8601 dates. Pure functions of domain objects. */
export function toHubUser(user: User): Hub.HubUser {
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
    maxSessions: user.maxSessions,
    createdAt: user.createdAt.toISOString(),
  };
}

export function toHubUserPage(page: Page<User>, offset: number, limit: number): Hub.HubUserPage {
  return { items: page.items.map(toHubUser), total: page.total, offset, limit };
}

export function toHubToken(token: ApiToken): Hub.HubToken {
  return {
    identifier: token.identifier,
    user: { id: token.userId, username: token.username },
    description: token.description,
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    createdAt: token.createdAt.toISOString(),
  };
}

/** A new token: the only answer that shows its key. */
export function toHubTokenWithKey(issued: IssuedToken): Hub.HubTokenWithKey {
  return { ...toHubToken(issued.token), key: issued.key };
}

/**
 * The hub shows a session's fields under their own names, so they pass through: what it shows is what HubSession
 * documents (asDocumented keeps those properties, in that order), and only fields it renames or formats are written
 * here. A new field of Session shows in the hub once hub.dto.ts documents it.
 */
export function toHubSession(session: Session, now = new Date()): Hub.HubSession {
  return asDocumented(Hub.HubSession, session, {
    user: { id: session.userId, uuid: session.userUuid, username: session.username },
    status: effectiveStatus(session, now),
    live: isLive(session, now),
    createdAt: session.createdAt.toISOString(),
    firstSeen: seen(session.firstSeen),
    lastSeen: seen(session.lastSeen),
    expiresAt: session.expiresAt.toISOString(),
    absoluteExpiresAt: session.absoluteExpiresAt.toISOString(),
    endedAt: session.endedAt?.toISOString() ?? null,
  });
}

function seen(interaction: Session['firstSeen']): Hub.HubSeen {
  return { at: interaction.at.toISOString(), ip: interaction.ip, userAgent: interaction.userAgent };
}

/** A new session: the only answer that shows its token. */
export function toHubSessionWithToken(created: { session: Session; token: string }): Hub.HubSessionWithToken {
  return { ...toHubSession(created.session), token: created.token };
}

export function toHubEvent(event: SessionEvent): Hub.HubSessionEvent {
  return {
    id: event.id,
    kind: event.kind,
    reason: event.reason,
    detail: event.detail,
    actorUserId: event.actorUserId,
    face: event.face,
    at: event.at.toISOString(),
    ip: event.ip,
    userAgent: event.userAgent,
  };
}

export function toHubEventPage(page: EventPage): Hub.HubEventPage {
  const items = page.items.map((event) => ({
    ...toHubEvent(event),
    sessionUuid: event.sessionUuid,
    userId: event.userId,
  }));
  return { items, total: page.total, nextBefore: page.more ? items[items.length - 1].id : null };
}
