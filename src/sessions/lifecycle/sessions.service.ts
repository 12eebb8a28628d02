import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG, GEOIP } from '../../config/tokens';
import { AccountsService } from '../accounts/accounts.service';
import { DefaultScopes } from '../accounts/default-scopes';
import { hashKey, newKey, SESSION_TOKEN_PREFIX } from '../credentials/keys';
import { LiveSessionCache } from '../credentials/live-session-cache';
import { DomainError, DomainErrorCode } from '../domain-error';
import { agentFacts, deviceFingerprint, deviceInfo } from '../insight/client-facts';
import {
  Arrival,
  describeTravel,
  deviceLabel,
  Finding,
  findings,
  travelPolicy,
  UserHistory,
} from '../insight/login-insight';
import { GeoIpLookup } from '../insight/geoip';
import { EventPage, EventStore } from '../persistence/event.store';
import { ReadRouting } from '../persistence/read-routing';
import { SessionRef, SessionStore } from '../persistence/session.store';
import { LoginDevice, LoginInsight } from '../persistence/session.sql';
import { isUserId } from '../persistence/user-match';
import { ALL_SESSION_FIELDS, toNewSessionRow } from '../persistence/tables/sessions.table';
import { generateRelatedPfid } from '../pfid';
import { canSee, canSeeUser, requireOperator, requireSuperuser, visibleUserIds } from '../policy/access-policy';
import { Page, SessionFilters, SessionQuery } from '../session-query';
import { HeldOrRead, RowsHeld } from '../rows-held';
import { Queryable } from '../../database/database';
import {
  Caller,
  Face,
  isLive,
  Session,
  SessionEvent,
  SessionFields,
  User,
  UserWithLiveSessions,
} from '../session.model';
import { EventQuery } from '../persistence/event-list.sql';
import { timeoutDefaults } from '../policy/session-timeouts';
import { isCanonicalUuid } from '../uuid';
import { checkNewSession, NewSessionInput, requireIp } from './session-input';
import { NO_SESSION_OBSERVER, SESSION_OBSERVER, SessionObserver } from './session-observer';

/** A session's life: login, reads with exact totals, logout, revocation. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionStore,
    private readonly events: EventStore,
    private readonly accounts: AccountsService,
    private readonly scopes: DefaultScopes,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(GEOIP) private readonly geoip: GeoIpLookup,
    private readonly cache: LiveSessionCache,
    private readonly routing: ReadRouting,
    @Optional() @Inject(SESSION_OBSERVER) private readonly observer: SessionObserver = NO_SESSION_OBSERVER,
  ) {}

  /** The application's login call: a new session and its token, shown once. */
  async createSession(caller: Caller, input: NewSessionInput): Promise<{ session: Session; token: string }> {
    requireSuperuser(caller);
    const { ip, ttl, idle, sessionType, status } = checkNewSession(input, (type) => timeoutDefaults(this.config, type));
    const { user, history } =
      this.config.LOGIN_INSIGHT === 'on'
        ? await this.accounts.requireUserWith(input.user, (match) => this.sessions.userWithInsight(match))
        : { user: await this.accounts.requireUser(input.user), history: null };
    // Its session could be used nowhere (every face and validate refuse a deactivated user's): refused, as a login
    // the travel policy refuses.
    if (!user.isActive) throw new DomainError(DomainErrorCode.NotPermitted, 'Login refused: the user is deactivated.');
    const userAgent = input.userAgent ?? '';
    const device = deviceInfo(input.device);
    const agent = agentFacts(userAgent);
    const { geo, asn } = this.geoip.lookup(ip);
    const accountId = input.accountId ?? (await this.scopes.get('account'));
    const domainId = input.domainId ?? (await this.scopes.get('domain'));
    const poolId = input.poolId ?? (await this.scopes.get('pool'));
    const key = newKey(SESSION_TOKEN_PREFIX);
    const limit = user.maxSessions ?? this.config.SESSION_LIMIT;
    const at = new Date();
    const row = toNewSessionRow({
      uuid: randomUUID(),
      pfid: generateRelatedPfid(accountId),
      tokenHash: hashKey(key),
      user,
      status,
      sessionType,
      accountId,
      domainId,
      poolId,
      title: input.title ?? agent.title,
      ip,
      userAgent,
      loggedInAt: at,
      absoluteExpiresAt: new Date(at.getTime() + ttl * 1000),
      idleSeconds: idle,
      device,
      deviceClass: agent.deviceClass,
      parsedUserAgent: agent.parsed,
      geo,
      asn,
    });
    const loginDevice: LoginDevice = input.deviceId
      ? { id: input.deviceId }
      : { fingerprint: deviceFingerprint(userAgent, device), newPfid: generateRelatedPfid(accountId) };
    // Insight judges the arrival against what it knew before the login (read with the user), so a refused login
    // (TRAVEL_POLICY=refuse) writes nothing, and its findings ride in the login's one statement.
    let insight: LoginInsight | undefined;
    if (history) {
      const arrival = { deviceLabel: deviceLabel(agent.parsed, device), geo, ip, at };
      insight = { arrival, findings: this.judge(history, arrival) };
    }
    const login = { row, device: loginDevice, insight };
    let evicted = 0;
    // Without a limit a login is one statement (its own transaction), shared with the logins arriving meanwhile
    // (login-batches.ts); a limit holds the user's other logins while it counts and evicts, in a transaction around both.
    const session =
      limit > 0
        ? await this.sessions.transaction(async (tx) => {
            evicted = await this.makeRoom(user, limit, tx);
            return this.sessions.insertLogin(login, tx);
          })
        : await this.sessions.insertLogin(login);
    await this.routing.wrote(caller);
    this.observer.sessionCreated('hub');
    if (evicted > 0) this.observer.sessionsEnded('hub', 'revoked', 'system', evicted);
    return { session, token: key };
  }

  /**
   * Login insight against what was known of the user (new device, new country, impossible travel); with
   * TRAVEL_POLICY=refuse an impossible journey refuses the login (403) before it writes anything: no session, and
   * insight does not remember the arrival.
   */
  private judge(known: UserHistory, arrival: Arrival): Finding[] {
    const found = findings(known, arrival, travelPolicy(this.config));
    const travel = found.find((f) => f.kind === 'impossible_travel');
    if (travel && this.config.TRAVEL_POLICY === 'refuse')
      throw new DomainError(DomainErrorCode.NotPermitted, `Login refused: ${describeTravel(travel)}.`);
    return found;
  }

  /**
   * The concurrent-session limit, inside the login's transaction and behind a lock on the user's logins: at the
   * limit a login is refused (409) or revokes the sessions seen longest ago (reason `limit`), as the policy says.
   * Returns how many were revoked.
   */
  private async makeRoom(user: User, limit: number, tx: Queryable): Promise<number> {
    await this.sessions.holdLoginsOf(user.id, tx);
    const live = await this.sessions.liveIdsOldestFirst(user.id, tx);
    if (live.length < limit) return 0;
    if (this.config.SESSION_LIMIT_POLICY === 'refuse') {
      throw new DomainError(
        DomainErrorCode.Conflict,
        `${user.username} already has ${live.length} live sessions, the most allowed (${limit}): end one first.`,
        'user',
      );
    }
    const oldest = live.slice(0, live.length - limit + 1);
    const evicted = await this.sessions.end({ ids: oldest }, 'revoked', 'limit', null, 'hub', tx);
    this.cache.evict(evicted);
    return evicted.length;
  }

  /**
   * A session by its uuid, Prefactor id or integer id; another user's is not visible unless the caller sees all.
   * Read where ReadRouting sends the caller's reads, unless `from` says (the primary, before a write).
   */
  getSession(caller: Caller, ref: SessionRef, face: Face, from?: Queryable): Promise<Session> {
    return this.getSessionFields(caller, ref, face, ALL_SESSION_FIELDS, from);
  }

  /**
   * getSession reading only `fields`, the owner among them (visibility needs it): what a face that renders a few of
   * a session's fields reads (Prefactor's fetch).
   */
  async getSessionFields<K extends keyof Session>(
    caller: Caller,
    ref: SessionRef,
    face: Face,
    fields: SessionFields<K | 'userId'>,
    from?: Queryable,
  ): Promise<Pick<Session, K | 'userId'>> {
    const session = await this.sessions.findFields(ref, fields, from ?? this.routing.readsOf(caller));
    if (!session) throw DomainError.notFound('Session');
    if (!canSee(caller, session, face)) throw DomainError.notVisible('Session');
    return session;
  }

  /**
   * A live session by uuid that also passes a list's filters (authentik applies its filter backends to detail
   * lookups): not found when it is not live or does not match. `toWrite`: the caller acts on it next (authentik's
   * destroy), so it is read on the primary.
   */
  async getLiveMatching(
    caller: Caller,
    uuid: string,
    filters: SessionFilters,
    face: Face,
    toWrite = false,
  ): Promise<Session> {
    if (filters.lastIp !== undefined) requireIp(filters.lastIp, 'lastIp');
    const from = toWrite ? undefined : this.routing.readsOf(caller);
    const session = await this.sessions.findLiveMatching(uuid, filters, from);
    if (!session) throw DomainError.notFound('Session');
    if (!canSee(caller, session, face)) throw DomainError.notVisible('Session');
    return session;
  }

  /**
   * The sessions the caller may see, of the fields the face renders. `signal`: the list's statements are cancelled
   * when it fires (the client went away).
   */
  async listSessions<K extends keyof Session>(
    caller: Caller,
    query: SessionQuery,
    face: Face,
    fields: SessionFields<K>,
    signal?: AbortSignal,
  ): Promise<Page<Pick<Session, K>>> {
    return this.sessions.list(this.visibleQuery(caller, query, face), fields, signal, this.routing.readsOf(caller));
  }

  /** getLiveMatching for a face that keeps rendered rows (`held`): the session comes back kept or read. */
  async getLiveMatchingHeld<K extends keyof Session, T>(
    caller: Caller,
    uuid: string,
    filters: SessionFilters,
    face: Face,
    fields: SessionFields<K>,
    held: RowsHeld<T>,
  ): Promise<HeldOrRead<T, Pick<Session, K>>> {
    if (filters.lastIp !== undefined) requireIp(filters.lastIp, 'lastIp');
    const row = await this.sessions.findLiveMatchingHeld(uuid, filters, fields, held, this.routing.readsOf(caller));
    if (!row) throw DomainError.notFound('Session');
    if (!canSee(caller, { userId: row.ownerId }, face)) throw DomainError.notVisible('Session');
    return row;
  }

  /** listSessions for a face that keeps rendered rows (`held`): each row comes back kept or read (heldPage). */
  listSessionsHeld<K extends keyof Session, T>(
    caller: Caller,
    query: SessionQuery,
    face: Face,
    fields: SessionFields<K>,
    held: RowsHeld<T>,
    signal?: AbortSignal,
  ): Promise<Page<HeldOrRead<T, Pick<Session, K>>>> {
    const source = { query: this.visibleQuery(caller, query, face) };
    return this.sessions.heldPage(source, fields, held, signal, this.routing.readsOf(caller));
  }

  /** A list's query narrowed to what the caller may see through this face. */
  private visibleQuery(caller: Caller, query: SessionQuery, face: Face): SessionQuery {
    if (query.filters.lastIp !== undefined) requireIp(query.filters.lastIp, 'lastIp');
    const userIds = visibleUserIds(caller, face, query.scope.userIds);
    return { ...query, scope: { ...query.scope, userIds } };
  }

  /** Logout: the session's own user (or a superuser) ends it; status `complete`. */
  endSession(caller: Caller, ref: SessionRef, face: Face): Promise<Session> {
    return this.finish(caller, ref, 'complete', face);
  }

  /** Revocation: status `revoked`, with its event, in one transaction. Not live any more: invalid action. */
  revokeSession(caller: Caller, ref: SessionRef, face: Face): Promise<Session> {
    return this.finish(caller, ref, 'revoked', face);
  }

  private async finish(caller: Caller, ref: SessionRef, status: 'complete' | 'revoked', face: Face): Promise<Session> {
    const session = await this.getSession(caller, ref, face, this.sessions.primary);
    const ended = await this.sessions.transaction((tx) =>
      this.sessions.end(
        { ids: [session.id] },
        status,
        status === 'revoked' ? 'revoke' : 'logout',
        caller.userId,
        face,
        tx,
      ),
    );
    this.cache.evict(ended);
    if (ended.length === 0) {
      throw new DomainError(
        DomainErrorCode.InvalidAction,
        `The session is ${isLive(session) ? 'busy' : 'no longer active'}.`,
      );
    }
    await this.routing.wrote(caller);
    const reason = status === 'revoked' ? 'revoked' : 'logout';
    this.observer.sessionsEnded(face, reason, session.userId === caller.userId ? 'self' : 'admin', ended.length);
    return (await this.sessions.find({ id: session.id }))!;
  }

  /**
   * Revokes every live session of one user, optionally keeping one, as one action; returns how many were revoked.
   * `credential_change`: the application reports a password reset or role change (the reason the events record).
   */
  async revokeAllForUser(
    caller: Caller,
    userId: number,
    exceptSession: SessionRef | null,
    face: Face,
    reason: 'revoke_all' | 'credential_change' = 'revoke_all',
  ): Promise<number> {
    if (!canSeeUser(caller, userId)) throw DomainError.notVisible('User');
    const user = await this.accounts.findUser(userId);
    if (!user) throw DomainError.notFound('User');
    let exceptId: number | null = null;
    if (exceptSession) {
      const kept = await this.sessions.find(exceptSession);
      if (!kept || kept.userId !== userId)
        throw DomainError.invalid('exceptSession', 'exceptSession is not a session of this user.');
      exceptId = kept.id;
    }
    const ids = await this.sessions.transaction((tx) =>
      this.sessions.end({ userIds: [userId], exceptId }, 'revoked', reason, caller.userId, face, tx),
    );
    this.cache.evict(ids);
    await this.routing.wrote(caller);
    this.observer.sessionsEnded(face, 'revoked', userId === caller.userId ? 'self' : 'admin', ids.length);
    return ids.length;
  }

  /** Revokes every live session of several users (authentik's bulk_delete); superusers only. */
  async revokeAllForUsers(caller: Caller, userIds: number[], face: Face): Promise<number> {
    requireSuperuser(caller);
    const valid = userIds.filter(isUserId);
    if (valid.length === 0) return 0;
    const ids = await this.sessions.transaction((tx) =>
      this.sessions.end({ userIds: valid }, 'revoked', 'revoke_all', caller.userId, face, tx),
    );
    this.cache.evict(ids);
    await this.routing.wrote(caller);
    // A superuser's bulk revocation: `self` only when it names nobody but the caller.
    const own = valid.every((id) => id === caller.userId);
    this.observer.sessionsEnded(face, 'revoked', own ? 'self' : 'admin', ids.length);
    return ids.length;
  }

  /** The history of all sessions, newest first: superusers see every event, anyone else those of their own sessions. */
  async listEvents(caller: Caller, query: EventQuery, signal?: AbortSignal): Promise<EventPage> {
    const requested = query.filters.userId === undefined ? undefined : [query.filters.userId];
    const visible = visibleUserIds(caller, 'hub', requested);
    if (visible?.length === 0) return { items: [], total: 0, more: false };
    const filters = { ...query.filters, userId: visible?.[0] };
    return this.events.list({ ...query, filters }, signal, this.routing.readsOf(caller));
  }

  async sessionEvents(caller: Caller, ref: SessionRef, face: Face): Promise<SessionEvent[]> {
    // The session and its events from one server.
    const from = this.routing.readsOf(caller);
    const session = await this.getSession(caller, ref, face, from);
    return this.sessions.events(session.id, from);
  }

  /** Users with live sessions and their counts (the MOVENS admin list); operators and superusers only. */
  async usersWithLiveSessions(
    caller: Caller,
    offset: number,
    limit: number,
    signal?: AbortSignal,
  ): Promise<Page<UserWithLiveSessions>> {
    requireOperator(caller);
    return this.sessions.usersWithLiveSessions(offset, limit, signal, this.routing.readsOf(caller));
  }

  /** One user's live sessions, most recently seen first (MOVENS); an unknown user has none. */
  async liveSessionsOfUser<K extends keyof Session>(
    caller: Caller,
    userUuid: string,
    offset: number,
    limit: number,
    fields: SessionFields<K>,
  ): Promise<Page<Pick<Session, K>>> {
    requireOperator(caller);
    // Only a user's own uuid, as it is stored (lowercase, hyphenated), names the user here.
    if (!isCanonicalUuid(userUuid)) return { items: [], total: 0 };
    return this.sessions.liveSessionsOfUser(userUuid, offset, limit, fields, this.routing.readsOf(caller));
  }

  /** liveSessionsOfUser for a face that keeps rendered rows (`held`): each row comes back kept or read (heldPage). */
  async liveSessionsOfUserHeld<K extends keyof Session, T>(
    caller: Caller,
    userUuid: string,
    offset: number,
    limit: number,
    fields: SessionFields<K>,
    held: RowsHeld<T>,
  ): Promise<Page<HeldOrRead<T, Pick<Session, K>>>> {
    requireOperator(caller);
    if (!isCanonicalUuid(userUuid)) return { items: [], total: 0 };
    return this.sessions.heldPage({ userUuid, offset, limit }, fields, held, undefined, this.routing.readsOf(caller));
  }
}
