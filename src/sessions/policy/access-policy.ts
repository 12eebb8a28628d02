import { DomainError, DomainErrorCode } from '../domain-error';
import { Caller, Face, isLive, Session } from '../session.model';

/**
 * Who may see and act on what: pure rules, the same for every face. Superusers see and act on everything;
 * operators see everything on the admin console (the MOVENS face); everyone else sees only their own sessions.
 */

export function seesAllSessions(caller: Caller, face: Face): boolean {
  return caller.isSuperuser || (caller.isOperator && face === 'movens');
}

export function canSee(caller: Caller, session: Pick<Session, 'userId'>, face: Face): boolean {
  return seesAllSessions(caller, face) || session.userId === caller.userId;
}

/** Revocable: live, and the caller may see it. */
export function canRevoke(
  caller: Caller,
  session: Pick<Session, 'userId' | 'status' | 'expiresAt'>,
  face: Face,
): boolean {
  return isLive(session) && canSee(caller, session, face);
}

/** The user ids a caller's list may cover: the requested ones (or everyone), narrowed to the caller's own. */
export function visibleUserIds(caller: Caller, face: Face, requested: number[] | undefined): number[] | undefined {
  if (seesAllSessions(caller, face)) return requested;
  return requested ? requested.filter((id) => id === caller.userId) : [caller.userId];
}

/** Another user's account data (the user, their tokens) is only for superusers. */
export function canSeeUser(caller: Caller, userId: number): boolean {
  return caller.isSuperuser || caller.userId === userId;
}

export function requireSuperuser(caller: Caller): void {
  if (!caller.isSuperuser) throw new DomainError(DomainErrorCode.NotPermitted, 'Superusers only.');
}

export function requireOperator(caller: Caller): void {
  if (!caller.isSuperuser && !caller.isOperator) throw new DomainError(DomainErrorCode.NotPermitted, 'Operators only.');
}
