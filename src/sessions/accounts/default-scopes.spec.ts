import { SessionStore } from '../persistence/session.store';
import { isPfid, pfidPartition } from '../pfid';
import { DefaultScopes } from './default-scopes';

/** The settings table as SessionStore.settingOnce keeps it (the first value stored wins), counting the reads. */
class Settings {
  readonly values = new Map<string, string>();
  reads = 0;
  failNext = false;

  async settingOnce(key: string, value: string): Promise<string> {
    this.reads++;
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('connection refused');
    }
    if (!this.values.has(key)) this.values.set(key, value);
    return this.values.get(key)!;
  }
}

describe('DefaultScopes', () => {
  it('reads each scope once for many concurrent callers, and keeps the answer', async () => {
    const settings = new Settings();
    const scopes = new DefaultScopes(settings as unknown as SessionStore);
    const kinds = ['account', 'domain', 'pool'] as const;
    const answers = await Promise.all(Array.from({ length: 64 }, (_, i) => scopes.get(kinds[i % 3])));
    expect(settings.reads).toBe(3);
    for (const [i, answer] of answers.entries()) expect(answer).toBe(settings.values.get(`default_${kinds[i % 3]}_id`));
    await scopes.get('pool');
    expect(settings.reads).toBe(3);
  });

  it('relates the domain and the pool to the account', async () => {
    const settings = new Settings();
    const scopes = new DefaultScopes(settings as unknown as SessionStore);
    const [account, domain, pool] = await Promise.all([
      scopes.get('account'),
      scopes.get('domain'),
      scopes.get('pool'),
    ]);
    expect([account, domain, pool].every(isPfid)).toBe(true);
    expect(new Set([account, domain, pool]).size).toBe(3);
    expect(pfidPartition(domain)).toBe(pfidPartition(account));
    expect(pfidPartition(pool)).toBe(pfidPartition(account));
  });

  it('reads again after a failed read instead of keeping the failure', async () => {
    const settings = new Settings();
    const scopes = new DefaultScopes(settings as unknown as SessionStore);
    settings.failNext = true;
    await expect(scopes.get('account')).rejects.toThrow('connection refused');
    const account = await scopes.get('account');
    expect(account).toBe(settings.values.get('default_account_id'));
    expect(settings.reads).toBe(2);
  });
});
