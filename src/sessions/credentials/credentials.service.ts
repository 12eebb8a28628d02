import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG, GEOIP } from '../../config/tokens';
import { BadCredentialsError, RefusalReason } from '../domain-error';
import { agentFacts } from '../insight/client-facts';
import { Finding, findings, travelPolicy } from '../insight/login-insight';
import { GeoIpLookup } from '../insight/geoip';
import { canonicalIp, requireIp, sameAddress } from '../lifecycle/session-input';
import { touchThrottleSeconds } from '../policy/session-timeouts';
import { AccountStore, TokenWithOwner } from '../persistence/account.store';
import { SessionStore } from '../persistence/session.store';
import { Caller, Session, User } from '../session.model';
import { API_TOKEN_PREFIX, hashKey, SESSION_TOKEN_PREFIX } from './keys';
import { AccountCache } from './account-cache';
import { LiveSessionCache } from './live-session-cache';

/** Credentials: a bearer key becomes a caller; a session token is checked and its activity recorded. */
@Injectable()
export class CredentialsService {
  private readonly touching = new Map<number, ReturnType<SessionStore['touch']>>();

  constructor(
    private readonly accounts: AccountStore,
    private readonly sessions: SessionStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(GEOIP) private readonly geoip: GeoIpLookup,
    private readonly cache: LiveSessionCache,
    private readonly accountCache: AccountCache,
  ) {}

  /** Turns a bearer key (API token or session token) into a caller; unknown, expired or revoked keys are refused. */
  async authenticate(key: string): Promise<Caller> {
    const keyHash = hashKey(key);
    if (!key.startsWith(SESSION_TOKEN_PREFIX)) {
      const found = this.accountCache.token(keyHash) ?? (await this.readToken(keyHash));
      if (found) {
        const { tokenId, token, user } = found;
        if (token.expiresAt && token.expiresAt.getTime() <= Date.now()) throw new BadCredentialsError('expired');
        if (!user.isActive) throw new BadCredentialsError('inactive_user');
        // The throttle is known from the row just read: a recent last-used needs no write at all.
        if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() >= this.config.TOUCH_INTERVAL_SECONDS * 1000) {
          // The copy moves with the row, so the next uses within the interval do not write again.
          token.lastUsedAt = new Date();
          this.accounts.touchToken(keyHash, this.config.TOUCH_INTERVAL_SECONDS).catch(() => undefined);
        }
        return { ...callerOf(user, null, 'api_token'), apiTokenId: tokenId };
      }
    }
    if (!key.startsWith(API_TOKEN_PREFIX)) {
      const { session, owner } = await this.sessionWithOwner(keyHash);
      if (!owner.isActive) throw new BadCredentialsError('inactive_user');
      return callerOf(owner, session.id, 'session');
    }
    throw new BadCredentialsError(await this.whyNotLive(keyHash));
  }

  /**
   * The live session of a session token and its owner, from the two copies when both hold them (the session from
   * validate's, which every end of a session evicts; the owner from the account copy, which every change of a
   * user's standing drops), otherwise read: both in one read when the session is not in memory. Refuses a token
   * whose session is not live.
   */
  private async sessionWithOwner(
    keyHash: string,
    kept: Session | null = this.cache.get(keyHash),
  ): Promise<{ session: Session; owner: User }> {
    let owner: User | null = null;
    const session =
      kept ??
      (await this.cache.readOnce(keyHash, async () => {
        const ticket = this.accountCache.ticket();
        const found = await this.sessions.findLiveWithOwnerByTokenHash(keyHash);
        if (!found) throw new BadCredentialsError(await this.whyNotLive(keyHash));
        this.accountCache.keepUser(found.owner, ticket);
        owner = found.owner;
        return found.session;
      }));
    // A request that joined another's read, or found the session in memory, takes the owner from the copy.
    owner ??= this.accountCache.user(session.userId) ?? (await this.readUser(session.userId));
    // The owner is gone (deleted with its sessions since the session was read): the token names nothing now.
    if (!owner) throw new BadCredentialsError(await this.whyNotLive(keyHash));
    return { session, owner };
  }

  /** A user from the database (one read for concurrent requests), kept in the account copy. */
  private readUser(id: number): Promise<User | null> {
    return this.accountCache.readUserOnce(id, async () => {
      const ticket = this.accountCache.ticket();
      const user = await this.accounts.userById(id);
      if (user) this.accountCache.keepUser(user, ticket);
      return user;
    });
  }

  /** An API token and its owner from the database (one read for concurrent requests), kept when it is accepted. */
  private readToken(keyHash: string): Promise<TokenWithOwner | null> {
    return this.accountCache.readTokenOnce(keyHash, () => this.readAndKeepToken(keyHash));
  }

  private async readAndKeepToken(keyHash: string): Promise<TokenWithOwner | null> {
    const ticket = this.accountCache.ticket();
    const found = await this.accounts.tokenByHash(keyHash);
    const accepted = found?.user.isActive && !(found.token.expiresAt && found.token.expiresAt.getTime() <= Date.now());
    if (found && accepted) this.accountCache.keepToken(keyHash, found, ticket);
    return found;
  }

  /**
   * Why a key matched no live session: asked only on the failure path (which the rate limits bound), so operators
   * can tell a guess from a revoked or expired token.
   */
  private async whyNotLive(keyHash: string): Promise<RefusalReason> {
    const state = await this.sessions.stateByTokenHash(keyHash);
    if (!state) return 'unknown_key';
    if (state.status === 'revoked') return 'revoked';
    if (state.status === 'complete') return 'ended';
    return 'expired';
  }

  /**
   * Checks a session token and records activity; the last-seen write is throttled. A live session read within
   * VALIDATE_CACHE_SECONDS is answered from memory (LiveSessionCache: every end of a session evicts it at once).
   */
  async validate(token: string, ip?: string, userAgent?: string): Promise<Session> {
    if (ip !== undefined) requireIp(ip, 'ip');
    const keyHash = hashKey(token);
    let kept = this.cache.get(keyHash);
    // A new address or agent is a write: decide it on the stored row, not on a copy another process may have moved on.
    if (kept && clientChanged(kept, ip, userAgent)) {
      this.cache.forget(keyHash);
      kept = null;
    }
    // The owner's standing as the bearer path checks it: a deactivated user's sessions are not valid either.
    const { session, owner } = await this.sessionWithOwner(keyHash, kept);
    if (!owner.isActive) throw new BadCredentialsError('inactive_user');
    if (clientChanged(session, ip, userAgent)) return this.recordNewClient(session, ip, userAgent);
    // The throttle is known from the row just read: a recent last-seen needs no write at all.
    const throttle = touchThrottleSeconds(session, this.config.TOUCH_INTERVAL_SECONDS);
    if (Date.now() - session.lastSeen.at.getTime() < throttle * 1000) return session;
    const touched = await this.touchOnce(session.id, throttle);
    if (touched) {
      // The copy a cache holds moves with the row: its idle expiry slid with this activity.
      session.lastSeen = { ...session.lastSeen, at: touched.lastSeenAt };
      session.expiresAt = touched.expiresAt;
    }
    return session;
  }

  /**
   * The last-seen write of a session, shared by the validates of it that come while one is in flight: once its
   * throttle has passed, every validate of a busy token would otherwise write (each a round trip that changes
   * nothing after the first) until the first one's answer comes back.
   */
  private touchOnce(sessionId: number, throttle: number): ReturnType<SessionStore['touch']> {
    let touching = this.touching.get(sessionId);
    if (!touching) {
      touching = this.sessions.touch(sessionId, throttle).finally(() => this.touching.delete(sessionId));
      this.touching.set(sessionId, touching);
    }
    return touching;
  }

  /** A validate from a new address or user agent: the client facts are computed again, with an event for a new IP. */
  private async recordNewClient(
    session: Session,
    ip: string | undefined,
    userAgent: string | undefined,
  ): Promise<Session> {
    const ipChanged = ip !== undefined && !sameAddress(ip, session.lastSeen.ip);
    const agentChanged = userAgent !== undefined && userAgent !== session.lastSeen.userAgent;
    const nextIp = ip !== undefined && ipChanged ? canonicalIp(ip) : session.lastSeen.ip;
    const nextAgent = userAgent ?? session.lastSeen.userAgent;
    const { geo, asn } = ipChanged ? this.geoip.lookup(nextIp) : { geo: session.geo, asn: session.asn };
    const agent = agentChanged ? agentFacts(nextAgent) : null;
    await this.sessions.transaction(async (tx) => {
      // Where the user was before this address (this session's last position included).
      let found: Finding[] = [];
      if (ipChanged && this.config.LOGIN_INSIGHT === 'on') {
        const arrival = { deviceLabel: null, geo, ip: nextIp, at: new Date() };
        const known = await this.sessions.recordInsight(session.userId, arrival, tx);
        found = findings(known, arrival, travelPolicy(this.config));
      }
      await this.sessions.recordSeen(
        session.id,
        {
          last_ip: nextIp,
          last_user_agent: nextAgent,
          device_class: agent?.deviceClass ?? session.deviceClass,
          user_agent_parsed: agent?.parsed ?? session.userAgent,
          geo,
          asn,
        },
        tx,
      );
      if (ipChanged)
        await this.sessions.addEvent(session.id, 'validated_new_ip', session.userId, 'hub', nextIp, nextAgent, tx);
      await this.sessions.addFindings(session.id, found, nextIp, nextAgent, tx);
    });
    return (await this.sessions.find({ id: session.id }))!;
  }
}

function clientChanged(session: Session, ip: string | undefined, userAgent: string | undefined): boolean {
  return (
    (ip !== undefined && !sameAddress(ip, session.lastSeen.ip)) ||
    (userAgent !== undefined && userAgent !== session.lastSeen.userAgent)
  );
}

function callerOf(user: User, sessionId: number | null, tokenKind: Caller['tokenKind']): Caller {
  return {
    userId: user.id,
    username: user.username,
    isSuperuser: user.isSuperuser,
    isOperator: user.isOperator,
    sessionId,
    tokenKind,
  };
}
