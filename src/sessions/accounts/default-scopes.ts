import { Injectable } from '@nestjs/common';
import { SessionStore } from '../persistence/session.store';
import { generatePfid, generateRelatedPfid } from '../pfid';

export type ScopeKind = 'account' | 'domain' | 'pool';

/**
 * The installation's default Prefactor account, domain and pool: made once (the first value stored wins, also
 * across processes), related to the account, and kept in memory after the first read.
 */
@Injectable()
export class DefaultScopes {
  /**
   * The read in flight or done, per kind: calls that come while the first read runs share it. Keeping only the
   * answer, a service started under load read the settings again for every login until the first answer came: 591
   * reads and as many inserts in its first second at 64 connections (docs/performance.md, nineteenth stop).
   */
  private readonly reads = new Map<ScopeKind, Promise<string>>();

  constructor(private readonly store: SessionStore) {}

  get(kind: ScopeKind): Promise<string> {
    let read = this.reads.get(kind);
    if (!read) {
      read = kind === 'account' ? this.readAccount() : this.readRelated(kind);
      this.reads.set(kind, read);
      // A failed read (the database away) is not kept: the next call reads again.
      read.catch(() => this.reads.delete(kind));
    }
    return read;
  }

  private readAccount(): Promise<string> {
    return this.store.settingOnce('default_account_id', generatePfid());
  }

  private async readRelated(kind: Exclude<ScopeKind, 'account'>): Promise<string> {
    const account = await this.get('account');
    return this.store.settingOnce(`default_${kind}_id`, generateRelatedPfid(account));
  }
}
