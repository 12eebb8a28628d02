import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG, DATABASE } from '../../config/tokens';
import { Database } from '../../database/database';
import { TokenWithOwner } from '../persistence/account.store';
import { ListeningCopy } from './listening-copy';

/** The channel the `api_tokens` and `users` triggers notify when a token or its owner's standing changes. */
export const CREDENTIALS_CHANGED_CHANNEL = 'credentials_changed';

/**
 * API tokens and their owners by key hash, so an API-token request does not read the database to authenticate.
 * The same rules as the validate copy (LiveSessionCache), simpler because such changes are rare:
 * - an entry is used at most API_TOKEN_CACHE_SECONDS after the read that filled it began, and the token's own
 *   expiry is checked on every use;
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
export class ApiTokenCache extends ListeningCopy {
  private readonly maxEntries: number;
  private readonly entries = new Map<string, { found: TokenWithOwner; readAt: number }>();

  constructor(@Inject(DATABASE) db: Database, @Inject(APP_CONFIG) config: AppConfig) {
    super(db, CREDENTIALS_CHANGED_CHANNEL, config.API_TOKEN_CACHE_SECONDS * 1000);
    this.maxEntries = config.VALIDATE_CACHE_ENTRIES;
  }

  protected heard(): void {
    this.dropAll();
  }

  protected clear(): void {
    this.entries.clear();
  }

  ticket(): number {
    return this.epoch;
  }

  /** The token and owner of a key hash, if read recently enough and nothing changed since; null: ask the database. */
  get(keyHash: string): TokenWithOwner | null {
    const entry = this.entries.get(keyHash);
    if (!entry) return null;
    if (!this.listening || Date.now() - entry.readAt >= this.boundMs) {
      this.entries.delete(keyHash);
      return null;
    }
    return entry.found;
  }

  /**
   * The read of a key already in flight, if it began since the last drop; otherwise `read()`, shared with the
   * requests that come while it runs. Nothing is shared while not listening (a bound of 0 reads every time).
   */
  readOnce(keyHash: string, read: () => Promise<TokenWithOwner | null>): Promise<TokenWithOwner | null> {
    return this.inFlight<TokenWithOwner | null>(keyHash) ?? this.startRead(keyHash, read);
  }

  /** Keeps an accepted token just read (`readAt`: when the read began), unless a change was heard meanwhile. */
  put(keyHash: string, found: TokenWithOwner, ticket: number, readAt: number): void {
    if (!this.listening || ticket !== this.epoch) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(keyHash, { found, readAt });
  }

  /** Forgets every copy: on any token or user change, heard or made by this process. */
  dropAll(): void {
    this.epoch++;
    this.forgetReads();
    this.clear();
  }
}
