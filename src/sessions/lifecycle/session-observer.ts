import { Face } from '../session.model';

/** Why sessions stopped being live: a logout (status complete), a revocation, or the expiry sweep. */
export type SessionEndReason = 'logout' | 'revoked' | 'expired';

/**
 * Who ended them: the session's own user (`self`), a superuser or operator ending someone else's (`admin`), or
 * the service itself (`system`: expiry).
 */
export type SessionEndInitiator = 'self' | 'admin' | 'system';

/**
 * What the domain tells whoever watches it (metrics), without knowing who that is: the domain never imports a
 * metrics library. Calls are synchronous and must not throw.
 */
export interface SessionObserver {
  sessionCreated(face: Face): void;
  sessionsEnded(face: Face, reason: SessionEndReason, initiator: SessionEndInitiator, count: number): void;
  housekeepingRan(expired: number, purged: number, eventsPurged: number): void;
  /** Sessions the expiry sweep between housekeeping's passes marked (EXPIRY_SWEEP_SECONDS). */
  expirySwept(expired: number): void;
}

/** The DI token of the observer; when nothing provides it (CLI, domain tests) the domain uses NO_SESSION_OBSERVER. */
export const SESSION_OBSERVER = Symbol('SESSION_OBSERVER');

export const NO_SESSION_OBSERVER: SessionObserver = {
  sessionCreated: () => undefined,
  sessionsEnded: () => undefined,
  housekeepingRan: () => undefined,
  expirySwept: () => undefined,
};
