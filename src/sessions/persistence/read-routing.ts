import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG, DATABASE } from '../../config/tokens';
import { Database, Queryable } from '../../database/database';
import { Caller } from '../session.model';

/** The channel on which a process tells the others that a credential wrote (its reads stay on the primary). */
export const WROTE_CHANNEL = 'caller_wrote';

/** Read-your-writes follows the credential: an API token, a session token, else the user. */
export function credentialOf(caller: Caller): string {
  if (caller.apiTokenId !== undefined) return `t${caller.apiTokenId}`;
  if (caller.sessionId !== null) return `s${caller.sessionId}`;
  return `u${caller.userId}`;
}

/** Past this many remembered credentials, expired ones are dropped (amortised: the bound doubles with the live ones). */
const MIN_PRUNE_SIZE = 1024;

/**
 * Where a caller's pure reads go (DATABASE_REPLICA_URLS): to a replica, except for REPLICA_STICKY_SECONDS after the
 * caller's own last write, when they go to the primary so that nobody sees their own revoke undone by replica lag.
 * - The domain's write paths call `wrote` once their transaction committed; it resolves after every other process
 *   (workers, instances) was told by a NOTIFY on WROTE_CHANNEL, so the answer leaves only once they know. A NOTIFY
 *   announces twice the window and is sent again only when the announced one would end too early: at most one per
 *   credential per REPLICA_STICKY_SECONDS, however busy it writes.
 * - A process that was not listening (starting, or its listening connection dropped) may have missed announcements:
 *   it reads only from the primary until it has listened for one window.
 * Without replicas (or with REPLICA_STICKY_SECONDS=0) it does nothing and costs nothing.
 */
@Injectable()
export class ReadRouting implements OnModuleInit, OnModuleDestroy {
  private readonly replicated: boolean;
  private readonly stickyMs: number;
  /** Credential -> until when its reads go to the primary. */
  private readonly primaryUntil = new Map<string, number>();
  /** Credential -> until when the other processes know it, and the NOTIFY that tells them. */
  private readonly announced = new Map<string, { until: number; sent: Promise<void> }>();
  /** Every read goes to the primary until then: what this process may have missed hearing. */
  private deafUntil = Infinity;
  private pruneAt = MIN_PRUNE_SIZE;
  /** Tells this process's own announcements from the others'. */
  private readonly origin = randomBytes(6).toString('hex');
  private unlisten?: () => Promise<void>;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.replicated = config.DATABASE_REPLICA_URLS.length > 0;
    this.stickyMs = config.REPLICA_STICKY_SECONDS * 1000;
  }

  private get sticky(): boolean {
    return this.replicated && this.stickyMs > 0;
  }

  async onModuleInit(): Promise<void> {
    if (!this.sticky) return;
    this.unlisten = await this.db.listen(WROTE_CHANNEL, {
      onNotify: (payload) => this.heard(payload),
      onListening: () => (this.deafUntil = Date.now() + this.stickyMs),
      onGap: () => (this.deafUntil = Infinity),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.unlisten?.();
  }

  /** Where `caller`'s pure reads go: the primary for a while after its writes, else a replica (Database.replica). */
  readsOf(caller: Caller): Queryable {
    if (!this.replicated) return this.db;
    if (this.stickyMs > 0) {
      const now = Date.now();
      if (now < this.deafUntil) return this.db;
      const until = this.primaryUntil.get(credentialOf(caller));
      if (until !== undefined && now < until) return this.db;
    }
    return this.db.replica();
  }

  /**
   * `caller` changed something: its reads go to the primary for the next REPLICA_STICKY_SECONDS, here at once, and in
   * every other process once the notification this sends (committed when this resolves) reaches its listening
   * connection, a few milliseconds later. Never throws: the write itself succeeded.
   */
  async wrote(caller: Caller): Promise<void> {
    if (!this.sticky) return;
    const credential = credentialOf(caller);
    const now = Date.now();
    this.stick(credential, now + this.stickyMs, now);
    const known = this.announced.get(credential);
    if (known && known.until >= now + this.stickyMs) return known.sent;
    const window = 2 * this.stickyMs;
    const sent = this.db
      .rows(`SELECT pg_notify($1, $2)`, [WROTE_CHANNEL, `${this.origin} ${credential} ${window}`])
      .then(
        () => undefined,
        // The primary just took the write but not the NOTIFY: the next write tries again.
        () => void this.announced.delete(credential),
      );
    this.announced.set(credential, { until: now + window, sent });
    return sent;
  }

  private heard(payload: string): void {
    const [origin, credential, ms] = payload.split(' ');
    const window = Number(ms);
    if (origin === this.origin || !credential || !Number.isFinite(window)) return;
    const now = Date.now();
    this.stick(credential, now + window, now);
  }

  private stick(credential: string, until: number, now: number): void {
    if (until > (this.primaryUntil.get(credential) ?? 0)) this.primaryUntil.set(credential, until);
    if (this.primaryUntil.size + this.announced.size < this.pruneAt) return;
    for (const [key, at] of this.primaryUntil) if (at <= now) this.primaryUntil.delete(key);
    for (const [key, known] of this.announced) if (known.until <= now) this.announced.delete(key);
    this.pruneAt = Math.max(MIN_PRUNE_SIZE, 2 * (this.primaryUntil.size + this.announced.size));
  }
}
