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
  private readonly cache = new Map<ScopeKind, string>();

  constructor(private readonly store: SessionStore) {}

  async get(kind: ScopeKind): Promise<string> {
    const cached = this.cache.get(kind);
    if (cached) return cached;
    const account = await this.store.settingOnce('default_account_id', generatePfid());
    const value =
      kind === 'account' ? account : await this.store.settingOnce(`default_${kind}_id`, generateRelatedPfid(account));
    this.cache.set(kind, value);
    return value;
  }
}
