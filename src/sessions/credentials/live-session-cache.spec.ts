import { AppConfig } from '../../config/app-config';
import { Database, NotificationHandlers } from '../../database/database';
import { Session } from '../session.model';
import { LiveSessionCache } from './live-session-cache';

/**
 * The sharing rules of LiveSessionCache.readOnce, with the database's LISTEN played by the test (the end-to-end
 * suite, validate-cache.e2e-spec.ts, counts the shared reads on PostgreSQL).
 */
describe('LiveSessionCache.readOnce', () => {
  let cache: LiveSessionCache;
  let handlers: NotificationHandlers;

  beforeEach(async () => {
    const db = {
      listen: (_channel: string, given: NotificationHandlers) => {
        handlers = given;
        given.onListening?.();
        return Promise.resolve(() => Promise.resolve());
      },
    } as unknown as Database;
    cache = new LiveSessionCache(db, { VALIDATE_CACHE_SECONDS: 30, VALIDATE_CACHE_ENTRIES: 100 } as AppConfig);
    await cache.onModuleInit();
  });

  const session = (id: number) =>
    ({ id, expiresAt: new Date(Date.now() + 60_000), lastSeen: { at: new Date() } }) as Session;

  /** A read the test answers when it chooses, counting how many were started. */
  function reads() {
    const started: ((s: Session) => void)[] = [];
    return {
      started,
      read: () => new Promise<Session>((resolve) => started.push(resolve)),
    };
  }

  it('should share one read among the validates that miss the same token meanwhile, and keep its answer', async () => {
    const { started, read } = reads();
    const answers = Promise.all([1, 2, 3].map(() => cache.readOnce('hash-a', read)));
    const other = cache.readOnce('hash-b', read);
    expect(started).toHaveLength(2);
    started[0](session(1));
    started[1](session(2));
    expect((await answers).map((s) => s.id)).toEqual([1, 1, 1]);
    expect((await other).id).toBe(2);
    expect(cache.get('hash-a')?.id).toBe(1);
  });

  it('should let no validate join a read that began before an end was heard', async () => {
    const { started, read } = reads();
    const before = cache.readOnce('hash-a', read);
    handlers.onNotify('999'); // another session's end
    const after = cache.readOnce('hash-a', read);
    expect(started).toHaveLength(2);
    started.forEach((answer) => answer(session(1)));
    expect([(await before).id, (await after).id]).toEqual([1, 1]);
  });

  it("should read again for the joined validates when the session's end was heard while the read ran", async () => {
    const { started, read } = reads();
    const first = cache.readOnce('hash-a', read);
    const joined = [cache.readOnce('hash-a', read), cache.readOnce('hash-a', read)];
    expect(started).toHaveLength(1);
    handlers.onNotify('1'); // this session ended after the read began: its answer is not kept
    await new Promise((r) => setTimeout(r, 5)); // the next read begins after the end (the clock is in ms)
    started[0](session(1));
    expect((await first).id).toBe(1); // the request that read began before the end
    await new Promise((r) => setImmediate(r));
    expect(started).toHaveLength(2); // the joined ones read again, together
    expect(cache.get('hash-a')).toBeNull();
    started[1](session(1));
    expect((await Promise.all(joined)).map((s) => s.id)).toEqual([1, 1]);
  });

  it('should share nothing while not listening', async () => {
    handlers.onGap?.();
    const { started, read } = reads();
    const answers = [cache.readOnce('hash-a', read), cache.readOnce('hash-a', read)];
    expect(started).toHaveLength(2);
    started.forEach((answer) => answer(session(1)));
    await Promise.all(answers);
    expect(cache.get('hash-a')).toBeNull();
  });

  it('should pass a refusal on to every validate that joined the read', async () => {
    let refuse!: (error: Error) => void;
    const read = () => new Promise<Session>((_, reject) => (refuse = reject));
    const answers = [cache.readOnce('hash-a', read), cache.readOnce('hash-a', read)];
    refuse(new Error('not live'));
    for (const answer of answers) await expect(answer).rejects.toThrow('not live');
  });
});
