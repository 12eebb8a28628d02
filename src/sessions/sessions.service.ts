import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { AppConfig } from '../config/app-config';
import { API_TOKEN_PREFIX, hashKey, newKey, sameHash, SESSION_TOKEN_PREFIX } from './credentials';
import { DomainError, DomainErrorCode } from './domain-error';
import { GeoIpLookup } from './geoip';
import { AccountStore, StoredToken } from './persistence/account.store';
import { SessionStore } from './persistence/session.store';
import { generatePfid, generateRelatedPfid, isPfid } from './pfid';
import { Page, SessionQuery, Visibility } from './session-query';
import {
  Caller,
  DeviceInfo,
  Face,
  isLive,
  LIVE_STATUSES,
  Session,
  SessionEvent,
  SessionStatus,
  SessionType,
  SESSION_TYPES,
  User,
} from './session.model';
import { deviceClass, parseUserAgent } from './user-agent/uap-parser';

export const APP_CONFIG = Symbol('APP_CONFIG');
export const GEOIP = Symbol('GEOIP');

export interface NewUserInput {
  username: string;
  name?: string;
  email?: string;
  isSuperuser?: boolean;
  isOperator?: boolean;
}

export interface NewSessionInput {
  /** A user id, uuid or username. */
  user: number | string;
  ip: string;
  userAgent: string;
  sessionType?: SessionType;
  status?: SessionStatus;
  ttlSeconds?: number;
  accountId?: string;
  domainId?: string;
  poolId?: string;
  deviceId?: string;
  title?: string;
  device?: Partial<DeviceInfo>;
}

export interface IssuedToken {
  key: string;
  token: StoredToken;
}

const USERNAME_PATTERN = /^[\w.@+-]{1,150}$/;
const MAX_TTL_SECONDS = 366 * 24 * 3600;

/** The SessionsDomain: the only code that knows what users, tokens and sessions are and who may touch them. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionStore,
    private readonly accounts: AccountStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(GEOIP) private readonly geoip: GeoIpLookup,
  ) {}

  // ---- users -------------------------------------------------------------------------------------------------

  async createUser(caller: Caller, input: NewUserInput): Promise<User> {
    this.requireSuperuser(caller);
    return this.insertUser(input);
  }

  /** Creates a user without a caller: first-start bootstrap and the seed command. */
  async insertUser(input: NewUserInput): Promise<User> {
    if (!USERNAME_PATTERN.test(input.username)) {
      throw DomainError.invalid('username', 'Enter a valid username: 1-150 letters, digits and @/./+/-/_ only.');
    }
    const user = await this.accounts.insertUser({
      username: input.username,
      name: input.name ?? '',
      email: input.email ?? '',
      isSuperuser: input.isSuperuser ?? false,
      isOperator: input.isOperator ?? false,
      pfid: generateRelatedPfid(await this.defaultScope('account')),
    });
    if (!user)
      throw new DomainError(DomainErrorCode.Conflict, `A user named ${input.username} already exists.`, 'username');
    return user;
  }

  async listUsers(caller: Caller, search: string | undefined, offset: number, limit: number): Promise<Page<User>> {
    this.requireSuperuser(caller);
    return this.accounts.listUsers(search, offset, limit);
  }

  async getUser(caller: Caller, id: number): Promise<User> {
    if (!caller.isSuperuser && caller.userId !== id) throw DomainError.notFound('User');
    const user = await this.accounts.userById(id);
    if (!user) throw DomainError.notFound('User');
    return user;
  }

  /** Resolves a user given as id, uuid or username. */
  async findUser(ref: number | string): Promise<User | null> {
    if (typeof ref === 'number')
      return Number.isSafeInteger(ref) && ref > 0 && ref <= 2147483647 ? this.accounts.userById(ref) : null;
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref)) {
      return (await this.accounts.userByUuid(ref.toLowerCase())) ?? this.accounts.userByUsername(ref);
    }
    return this.accounts.userByUsername(ref);
  }

  private async requireUser(ref: number | string, field = 'user'): Promise<User> {
    const user = await this.findUser(ref);
    if (!user) throw new DomainError(DomainErrorCode.NotFound, `User ${JSON.stringify(ref)} does not exist.`, field);
    return user;
  }

  // ---- API tokens --------------------------------------------------------------------------------------------

  async createToken(
    caller: Caller,
    input: { user: number | string; description?: string; expiresAt?: Date; identifier?: string },
  ): Promise<IssuedToken> {
    this.requireSuperuser(caller);
    const user = await this.requireUser(input.user);
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw DomainError.invalid('expiresAt', 'expiresAt must be in the future.');
    }
    return this.issueToken(
      user,
      input.description ?? '',
      input.expiresAt ?? null,
      input.identifier,
      newKey(API_TOKEN_PREFIX),
    );
  }

  /** Stores a token with a given key: BOOTSTRAP_TOKEN and the token command. Idempotent for the same key. */
  async issueToken(
    user: User,
    description: string,
    expiresAt: Date | null,
    identifier: string | undefined,
    key: string,
  ): Promise<IssuedToken> {
    const keyHash = hashKey(key);
    const existing = await this.accounts.tokenByHash(keyHash);
    if (existing) return { key, token: existing };
    const chosen = identifier ?? `${user.username}-${randomBytes(6).toString('hex')}`;
    const inserted = await this.accounts.insertToken({
      identifier: chosen,
      keyHash,
      userId: user.id,
      description,
      expiresAt,
    });
    if (!inserted)
      throw new DomainError(DomainErrorCode.Conflict, `A token named ${chosen} already exists.`, 'identifier');
    return { key, token: (await this.accounts.tokenByIdentifier(chosen))! };
  }

  async listTokens(caller: Caller): Promise<StoredToken[]> {
    return this.accounts.listTokens(caller.isSuperuser ? null : caller.userId);
  }

  async deleteToken(caller: Caller, identifier: string): Promise<void> {
    const token = await this.accounts.tokenByIdentifier(identifier);
    if (!token || (!caller.isSuperuser && token.userId !== caller.userId)) throw DomainError.notFound('Token');
    await this.accounts.deleteToken(identifier);
  }

  // ---- credentials -------------------------------------------------------------------------------------------

  /** Turns a bearer key (API token or session token) into a caller; unknown, expired or revoked keys are refused. */
  async authenticate(key: string): Promise<Caller> {
    const keyHash = hashKey(key);
    if (!key.startsWith(SESSION_TOKEN_PREFIX)) {
      const token = await this.accounts.tokenByHash(keyHash);
      if (token && sameHash(token.keyHash, keyHash)) {
        if ((token.expiresAt && token.expiresAt.getTime() <= Date.now()) || !token.user.isActive)
          throw this.badCredentials();
        // The throttle is known from the row just read: a recent last-used needs no write at all.
        if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() >= this.config.TOUCH_INTERVAL_SECONDS * 1000) {
          void this.accounts.touchToken(keyHash, this.config.TOUCH_INTERVAL_SECONDS).catch(() => undefined);
        }
        return this.callerOf(token.user, null, 'api_token');
      }
    }
    if (!key.startsWith(API_TOKEN_PREFIX)) {
      const found = await this.accounts.userBySessionTokenHash(keyHash);
      if (found?.user.isActive) return this.callerOf(found.user, found.sessionId, 'session');
    }
    throw this.badCredentials();
  }

  private badCredentials(): DomainError {
    return new DomainError(DomainErrorCode.BadCredentials, 'Token invalid/expired');
  }

  private callerOf(user: User, sessionId: number | null, tokenKind: Caller['tokenKind']): Caller {
    return {
      userId: user.id,
      username: user.username,
      isSuperuser: user.isSuperuser,
      isOperator: user.isOperator,
      sessionId,
      tokenKind,
    };
  }

  // ---- sessions ----------------------------------------------------------------------------------------------

  /** The application's login call: a new session and its token, shown once. */
  async createSession(caller: Caller, input: NewSessionInput): Promise<{ session: Session; token: string }> {
    this.requireSuperuser(caller);
    const ip = this.requireIp(input.ip, 'ip');
    const ttl = input.ttlSeconds ?? this.config.SESSION_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
      throw DomainError.invalid('ttlSeconds', `ttlSeconds must be an integer from 1 to ${MAX_TTL_SECONDS}.`);
    }
    const sessionType = input.sessionType ?? 'browser';
    if (!SESSION_TYPES.includes(sessionType))
      throw DomainError.invalid('sessionType', 'sessionType must be browser or api.');
    const status = input.status ?? 'authenticated';
    if (!LIVE_STATUSES.includes(status)) {
      throw DomainError.invalid('status', 'A new session starts as new, unauthenticated or authenticated.');
    }
    for (const field of ['accountId', 'domainId', 'poolId', 'deviceId'] as const) {
      const value = input[field];
      if (value !== undefined && !isPfid(value)) throw DomainError.invalid(field, `${field} must be a valid ID.`);
    }
    const user = await this.requireUser(input.user);
    const userAgent = input.userAgent ?? '';
    const device: DeviceInfo = {
      brand: input.device?.brand ?? null,
      model: input.device?.model ?? null,
      osName: input.device?.osName ?? null,
      osVersion: input.device?.osVersion ?? null,
      appName: input.device?.appName ?? null,
      appVersion: input.device?.appVersion ?? null,
    };
    const parsed = parseUserAgent(userAgent);
    const { geo, asn } = this.geoip.lookup(ip);
    const accountId = input.accountId ?? (await this.defaultScope('account'));
    const domainId = input.domainId ?? (await this.defaultScope('domain'));
    const poolId = input.poolId ?? (await this.defaultScope('pool'));
    const key = newKey(SESSION_TOKEN_PREFIX);
    const session = await this.sessions.transaction(async (tx) => {
      const deviceId =
        input.deviceId ??
        (await this.sessions.upsertDevice(
          user.id,
          deviceFingerprint(userAgent, device),
          generateRelatedPfid(accountId),
          tx,
        ));
      return this.sessions.insert(
        {
          uuid: randomUUID(),
          pfid: generateRelatedPfid(accountId),
          tokenHash: hashKey(key),
          userId: user.id,
          username: user.username,
          status,
          sessionType,
          accountId,
          domainId,
          poolId,
          identityId: user.pfid,
          deviceId,
          title: input.title ?? defaultTitle(parsed.user_agent.family, parsed.os.family),
          ip,
          userAgent,
          expiresAt: new Date(Date.now() + ttl * 1000),
          device,
          deviceClass: deviceClass(userAgent),
          parsedUserAgent: parsed,
          geo,
          asn,
        },
        tx,
      );
    });
    return { session, token: key };
  }

  /** Checks a session token and records activity; the last-seen write is throttled. */
  async validate(token: string, ip?: string, userAgent?: string): Promise<Session> {
    if (ip !== undefined) this.requireIp(ip, 'ip');
    const session = await this.sessions.findLiveByTokenHash(hashKey(token));
    if (!session) throw this.badCredentials();
    const ipChanged = ip !== undefined && ip !== session.lastSeen.ip;
    const agentChanged = userAgent !== undefined && userAgent !== session.lastSeen.userAgent;
    if (ipChanged || agentChanged) {
      const nextIp = ip ?? session.lastSeen.ip;
      const nextAgent = userAgent ?? session.lastSeen.userAgent;
      const { geo, asn } = ipChanged ? this.geoip.lookup(nextIp) : { geo: session.geo, asn: session.asn };
      await this.sessions.transaction(async (tx) => {
        await this.sessions.recordSeen(
          session.id,
          {
            ip: nextIp,
            userAgent: nextAgent,
            deviceClass: agentChanged ? deviceClass(nextAgent) : session.deviceClass,
            parsedUserAgent: agentChanged ? parseUserAgent(nextAgent) : session.userAgent,
            geo,
            asn,
          },
          tx,
        );
        if (ipChanged)
          await this.sessions.addEvent(session.id, 'validated_new_ip', session.userId, 'hub', nextIp, nextAgent, tx);
      });
      return (await this.sessions.findById(session.id))!;
    }
    // The throttle is known from the row just read: a recent last-seen needs no write at all.
    if (Date.now() - session.lastSeen.at.getTime() < this.config.TOUCH_INTERVAL_SECONDS * 1000) return session;
    const touchedAt = await this.sessions.touch(session.id, this.config.TOUCH_INTERVAL_SECONDS);
    if (touchedAt) session.lastSeen = { ...session.lastSeen, at: touchedAt };
    return session;
  }

  /** A session by its authentik uuid, Prefactor id or integer id, if the caller may see it; else not found. */
  async getSession(caller: Caller, ref: SessionRef, visibility: Visibility = {}): Promise<Session> {
    const session = await this.lookup(ref);
    if (!session) throw DomainError.notFound('Session');
    if (!this.canSee(caller, session, visibility)) {
      if (visibility.othersNotPermitted)
        throw new DomainError(DomainErrorCode.NotPermitted, 'You may not access this session.');
      throw DomainError.notFound('Session');
    }
    return session;
  }

  async listSessions(caller: Caller, query: SessionQuery, visibility: Visibility = {}): Promise<Page<Session>> {
    if (query.lastIp !== undefined) this.requireIp(query.lastIp, 'lastIp');
    if (!this.seesAll(caller, visibility)) {
      const own = query.userIds ? query.userIds.filter((id) => id === caller.userId) : [caller.userId];
      query = { ...query, userIds: own };
    }
    return this.sessions.list(query);
  }

  /** Logout: the session's own user (or a superuser) ends it; status `complete`. */
  async endSession(caller: Caller, ref: SessionRef, face: Face): Promise<Session> {
    return this.finish(caller, ref, 'complete', face, {});
  }

  /** Revocation: status `revoked`, with its event, in one transaction. Not live any more: invalid action. */
  async revokeSession(caller: Caller, ref: SessionRef, face: Face, visibility: Visibility = {}): Promise<Session> {
    return this.finish(caller, ref, 'revoked', face, visibility);
  }

  private async finish(
    caller: Caller,
    ref: SessionRef,
    status: 'complete' | 'revoked',
    face: Face,
    visibility: Visibility,
  ): Promise<Session> {
    const session = await this.getSession(caller, ref, visibility);
    const ended = await this.sessions.transaction((tx) =>
      this.sessions.end({ ids: [session.id] }, status, caller.userId, face, tx),
    );
    if (ended.length === 0) {
      throw new DomainError(
        DomainErrorCode.InvalidAction,
        `The session is ${isLive(session) ? 'busy' : 'no longer active'}.`,
      );
    }
    return (await this.sessions.findById(session.id))!;
  }

  /** Revokes every live session of one user, optionally keeping one; returns how many were revoked. */
  async revokeAllForUser(
    caller: Caller,
    userId: number,
    exceptSession: SessionRef | null,
    face: Face,
  ): Promise<number> {
    if (!caller.isSuperuser && caller.userId !== userId) throw DomainError.notFound('User');
    const user = await this.accounts.userById(userId);
    if (!user) throw DomainError.notFound('User');
    let exceptId: number | null = null;
    if (exceptSession) {
      const kept = await this.lookup(exceptSession);
      if (!kept || kept.userId !== userId)
        throw new DomainError(
          DomainErrorCode.InvalidValue,
          'exceptSession is not a session of this user.',
          'exceptSession',
        );
      exceptId = kept.id;
    }
    const ids = await this.sessions.transaction((tx) =>
      this.sessions.end({ userIds: [userId], exceptId }, 'revoked', caller.userId, face, tx),
    );
    return ids.length;
  }

  /** Revokes every live session of several users (authentik's bulk_delete); superusers only. */
  async revokeAllForUsers(caller: Caller, userIds: number[], face: Face): Promise<number> {
    this.requireSuperuser(caller);
    const valid = userIds.filter((id) => Number.isSafeInteger(id) && id > 0 && id <= 2147483647);
    if (valid.length === 0) return 0;
    const ids = await this.sessions.transaction((tx) =>
      this.sessions.end({ userIds: valid }, 'revoked', caller.userId, face, tx),
    );
    return ids.length;
  }

  async sessionEvents(caller: Caller, ref: SessionRef): Promise<SessionEvent[]> {
    const session = await this.getSession(caller, ref);
    return this.sessions.events(session.id);
  }

  /** Users with live sessions and their counts (the MOVENS admin list); operators and superusers only. */
  async usersWithLiveSessions(caller: Caller, offset: number, limit: number) {
    this.requireOperator(caller);
    return this.sessions.usersWithLiveSessions(offset, limit);
  }

  async liveSessionsOfUser(caller: Caller, userUuid: string, offset: number, limit: number): Promise<Page<Session>> {
    this.requireOperator(caller);
    const user = await this.accounts.userByUuid(userUuid);
    if (!user) return { items: [], total: 0 };
    return this.sessions.list({
      liveOnly: true,
      userIds: [user.id],
      order: [{ field: 'last_seen', descending: true }],
      offset,
      limit,
    });
  }

  requireOperator(caller: Caller): void {
    if (!caller.isSuperuser && !caller.isOperator)
      throw new DomainError(DomainErrorCode.NotPermitted, 'Operators only.');
  }

  /** Marks expired sessions complete and purges those ended past retention; returns what it did. */
  async housekeeping(): Promise<{ expired: number; purged: number }> {
    let expired = 0;
    for (let n = -1; n !== 0;) expired += n = await this.sessions.sweepExpired(1000);
    let purged = 0;
    for (let n = -1; n !== 0;) purged += n = await this.sessions.purgeEnded(this.config.RETENTION_DAYS, 1000);
    return { expired, purged };
  }

  canRevoke(caller: Caller, session: Session, visibility: Visibility = {}): boolean {
    return isLive(session) && this.canSee(caller, session, visibility);
  }

  /** The installation's default Prefactor account, domain and pool; made once, related to the account. */
  async defaultScope(kind: 'account' | 'domain' | 'pool'): Promise<string> {
    const cached = this.scopeCache.get(kind);
    if (cached) return cached;
    const account = await this.sessions.putSettingIfAbsent('default_account_id', generatePfid());
    const value =
      kind === 'account'
        ? account
        : await this.sessions.putSettingIfAbsent(`default_${kind}_id`, generateRelatedPfid(account));
    this.scopeCache.set(kind, value);
    return value;
  }
  private readonly scopeCache = new Map<string, string>();

  private seesAll(caller: Caller, visibility: Visibility): boolean {
    return caller.isSuperuser || (visibility.operatorsSeeAll === true && caller.isOperator);
  }

  private canSee(caller: Caller, session: Session, visibility: Visibility): boolean {
    return this.seesAll(caller, visibility) || session.userId === caller.userId;
  }

  private lookup(ref: SessionRef): Promise<Session | null> {
    if ('uuid' in ref) return this.sessions.findByUuid(ref.uuid);
    if ('pfid' in ref) return this.sessions.findByPfid(ref.pfid);
    return Number.isSafeInteger(ref.id) && ref.id > 0 ? this.sessions.findById(ref.id) : Promise.resolve(null);
  }

  requireSuperuser(caller: Caller): void {
    if (!caller.isSuperuser) throw new DomainError(DomainErrorCode.NotPermitted, 'Superusers only.');
  }

  private requireIp(ip: unknown, field: string): string {
    if (typeof ip !== 'string' || isIP(ip) === 0)
      throw DomainError.invalid(field, 'Enter a valid IPv4 or IPv6 address.');
    return ip;
  }
}

export type SessionRef = { uuid: string } | { pfid: string } | { id: number };

function deviceFingerprint(userAgent: string, device: DeviceInfo): string {
  return createHash('sha256')
    .update(JSON.stringify([userAgent, device.brand, device.model, device.osName, device.appName]))
    .digest('hex');
}

function defaultTitle(browser: string, os: string): string {
  return `${browser} on ${os}`;
}
