import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG, DATABASE } from '../../config/tokens';
import { Database } from '../../database/database';
import { TokenWithOwner } from '../persistence/account.store';
import { User } from '../session.model';
import { ListeningCopy, ReadTicket } from './listening-copy';

/** The channel the `api_tokens` and `users` triggers notify when a token or its owner's standing changes. */
export const CREDENTIALS_CHANGED_CHANNEL = 'credentials_changed';

interface Kept<T> {
  value: T;
  /** When the read that filled it began: the entry is used until then + the bound. */
  readAt: number;
}

/**
 * API tokens with their owners by key hash, and users by id (the owner behind a session token, whose session the
 * validate copy keeps), so a request's credentials are checked without reading the database. The same rules as the
 * validate copy (LiveSessionCache), simpler because such changes are rare:
 * - an entry is used at most API_TOKEN_CACHE_SECONDS after the read that filled it began, and a token's own expiry
 *   and a user's standing are checked on every use;
 * - any change to a token (deleted, expiry, key, owner) or to a user's standing (active, superuser, operator,
 *   name, deleted) NOTIFYs `credentials_changed` from a trigger, and every process drops all its entries when it
 *   hears it; the process that made the change drops them before it answers;
 * - a read that began before the last drop is not stored; while the listening connection is down nothing is stored
 *   or used.
 * Only accepted tokens are kept: a refused key always reads the database (the rate limits bound those).
 * When an entry is missing or has aged out, concurrent requests with the same key share one read instead of each
 * reading (at 900 requests/s one key's expiry brought 74 reads in 5 s), but only a read that began after the last
 * drop: a request that arrives after a change was heard never takes an answer read before it.
 */
@Injectable()
export class AccountCache extends ListeningCopy {
  private readonly maxEntries: number;
  private readonly tokens = new Map<string, Kept<TokenWithOwner>>();
  private readonly users = new Map<number, Kept<User>>();

  constructor(@Inject(DATABASE) db: Database, @Inject(APP_CONFIG) config: AppConfig) {
    super(db, CREDENTIALS_CHANGED_CHANNEL, config.API_TOKEN_CACHE_SECONDS * 1000);
    this.maxEntries = config.VALIDATE_CACHE_ENTRIES;
  }

  protected heard(): void {
    this.dropAll();
  }

  protected clear(): void {
    this.tokens.clear();
    this.users.clear();
  }

  /** The token and owner of a key hash, if read recently enough and nothing changed since; null: ask the database. */
  token(keyHash: string): TokenWithOwner | null {
    return this.fresh(this.tokens, keyHash);
  }

  /** A user, if read recently enough and no user or token changed since; null: ask the database. */
  user(id: number): User | null {
    return this.fresh(this.users, id);
  }

  /**
   * The read of a key already in flight, if it began since the last drop; otherwise `read()`, shared with the
   * requests that come while it runs. Nothing is shared while not listening (a bound of 0 reads every time).
   */
  readTokenOnce(keyHash: string, read: () => Promise<TokenWithOwner | null>): Promise<TokenWithOwner | null> {
    return this.inFlight<TokenWithOwner | null>(keyHash) ?? this.startRead(keyHash, read);
  }

  /** As readTokenOnce, for a user by id. */
  readUserOnce(id: number, read: () => Promise<User | null>): Promise<User | null> {
    const key = `user:${id}`;
    return this.inFlight<User | null>(key) ?? this.startRead(key, read);
  }

  /** Keeps an accepted token just read (`ticket`: taken when the read began), unless a change was heard meanwhile. */
  keepToken(keyHash: string, found: TokenWithOwner, ticket: ReadTicket): void {
    this.keep(this.tokens, keyHash, found, ticket);
  }

  /** Keeps a user just read, unless a change was heard meanwhile. */
  keepUser(user: User, ticket: ReadTicket): void {
    this.keep(this.users, user.id, user, ticket);
  }

  /** Forgets every copy: on any token or user change, heard or made by this process. */
  dropAll(): void {
    this.epoch++;
    this.forgetReads();
    this.clear();
  }

  private fresh<K, T>(entries: Map<K, Kept<T>>, key: K): T | null {
    const entry = entries.get(key);
    if (!entry) return null;
    if (!this.listening || Date.now() - entry.readAt >= this.boundMs) {
      entries.delete(key);
      return null;
    }
    return entry.value;
  }

  private keep<K, T>(entries: Map<K, Kept<T>>, key: K, value: T, ticket: ReadTicket): void {
    if (!this.listening || ticket.epoch !== this.epoch) return;
    if (entries.size >= this.maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    entries.set(key, { value, readAt: ticket.at });
  }
}
