import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG, DATABASE } from '../../config/tokens';
import { Database } from '../../database/database';
import { Session } from '../session.model';
import { ListeningCopy, ReadTicket } from './listening-copy';

/** The channel the `sessions` triggers notify with a session's id when it stops being live. */
export const SESSION_ENDED_CHANNEL = 'session_ended';

interface Entry {
  session: Session;
  /** When the read that filled it began: the entry is used until then + the bound. */
  readAt: number;
}

/**
 * Live sessions by token hash, so `validate` answers without a database round trip. A revoked session must never
 * be accepted from here, which rests on four rules:
 * - an entry is used at most VALIDATE_CACHE_SECONDS after the read that filled it began, and never past its expiry;
 * - every end of a session NOTIFYs `session_ended` from a trigger (any face, the sweeper, another instance), and
 *   every process evicts that session when it hears it, within milliseconds;
 * - a read that began before an end was heard is not stored (the ended session's id is remembered for one bound);
 * - while the listening connection is down nothing is stored or used, until it listens again.
 * Concurrent validates of a token not in memory share one read (`readOnce`), joined only while no end was heard
 * since it began, and its answer is theirs only if it was kept (no end of that session was heard meanwhile).
 * Written by hand rather than with an LRU library: the eviction by session id and the rules above are the substance;
 * the size bound is Map insertion order.
 */
@Injectable()
export class LiveSessionCache extends ListeningCopy {
  private readonly maxEntries: number;
  private readonly entries = new Map<string, Entry>();
  private readonly hashOfSession = new Map<number, string>();
  /** Session id -> when its end was heard, for one bound: reads that began before then are not stored. */
  private readonly endedAt = new Map<number, number>();

  constructor(@Inject(DATABASE) db: Database, @Inject(APP_CONFIG) config: AppConfig) {
    super(db, SESSION_ENDED_CHANNEL, config.VALIDATE_CACHE_SECONDS * 1000);
    this.maxEntries = config.VALIDATE_CACHE_ENTRIES;
  }

  /**
   * The live session of a token hash read by `read` (which refuses a token that is not live) and kept, or the read
   * of that hash already in flight. The requests that joined a read take its answer only if it was kept: when an
   * end of that session was heard while it ran, they read again.
   */
  async readOnce(tokenHash: string, read: () => Promise<Session>): Promise<Session> {
    // Twice at most: after a read that was not kept, the first of its requests to go on starts the next read, and
    // the others join that one.
    for (let joined = 0; joined < 2; joined++) {
      const shared = this.inFlight<{ session: Session; kept: boolean }>(tokenHash);
      if (!shared) break;
      const outcome = await shared;
      if (outcome.kept) return outcome.session;
    }
    const ticket = this.ticket();
    const outcome = await this.startRead(tokenHash, async () => {
      const session = await read();
      return { session, kept: this.put(tokenHash, session, ticket) };
    });
    return outcome.session;
  }

  protected heard(payload: string): void {
    this.evict([Number(payload)]);
  }

  protected clear(): void {
    this.entries.clear();
    this.hashOfSession.clear();
  }

  /** The live session of a token hash, if read recently enough and not ended since; null: ask the database. */
  get(tokenHash: string): Session | null {
    const entry = this.entries.get(tokenHash);
    if (!entry) return null;
    const now = Date.now();
    if (!this.listening || now - entry.readAt >= this.boundMs || entry.session.expiresAt.getTime() <= now) {
      this.remove(tokenHash, entry.session.id);
      return null;
    }
    return entry.session;
  }

  /**
   * Keeps a session just read from the database, unless something ended it (or listening broke) meanwhile; whether
   * it was kept.
   */
  private put(tokenHash: string, session: Session, ticket: ReadTicket): boolean {
    if (!this.listening || ticket.epoch !== this.epoch) return false;
    const ended = this.endedAt.get(session.id);
    if (ended !== undefined && ended >= ticket.at) return false;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.entries().next().value;
      if (oldest) this.remove(oldest[0], oldest[1].session.id);
    }
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, { session, readAt: ticket.at });
    this.hashOfSession.set(session.id, tokenHash);
    return true;
  }

  /** Drops a copy that the caller found out of date (e.g. the client's address changed). */
  forget(tokenHash: string): void {
    const entry = this.entries.get(tokenHash);
    if (entry) this.remove(tokenHash, entry.session.id);
  }

  /**
   * Drops sessions that ended: told by the NOTIFY of any process, and at once by this process's own revocations
   * (its answer must not race its own notification).
   */
  evict(sessionIds: readonly number[]): void {
    if (sessionIds.length > 0) this.forgetReads();
    for (const id of sessionIds) this.ended(id);
  }

  private ended(sessionId: number): void {
    if (!Number.isSafeInteger(sessionId)) return;
    const now = Date.now();
    const hash = this.hashOfSession.get(sessionId);
    if (hash) this.remove(hash, sessionId);
    this.endedAt.delete(sessionId);
    this.endedAt.set(sessionId, now);
    // Oldest first (insertion order): drop what is older than one bound, when no read that old can still store.
    for (const [id, at] of this.endedAt) {
      if (now - at < this.boundMs) break;
      this.endedAt.delete(id);
    }
  }

  private remove(tokenHash: string, sessionId: number): void {
    this.entries.delete(tokenHash);
    if (this.hashOfSession.get(sessionId) === tokenHash) this.hashOfSession.delete(sessionId);
  }
}
