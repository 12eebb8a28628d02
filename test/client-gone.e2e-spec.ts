import { TableLock } from './support/table-lock';
import { startTestApp, TestApp } from './support/test-app';

/**
 * A list whose client hangs up does not keep the database busy: its statements are cancelled. The list is made
 * to wait on a lock another connection holds, the client aborts, and the waiting statements must be gone at once
 * (without cancellation they would wait until the lock is released). PostgreSQL only: PGlite runs statements
 * in-process and cannot interrupt one.
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('client gone on postgres', () => {
  let t: TestApp;
  let lock: TableLock;

  beforeAll(async () => {
    t = await startTestApp('postgres');
    lock = await TableLock.open(t.config.DATABASE_URL!);
  });
  afterAll(async () => {
    await lock?.close();
    await t?.close();
  });

  it('should cancel the statements of an authentik list whose client went away', async () => {
    await lock.holding('sessions', async () => {
      const aborted = new AbortController();
      const request = fetch(`${t.baseUrl}/api/v3/core/authenticated_sessions/`, {
        headers: { authorization: `Bearer ${t.adminKey}` },
        signal: aborted.signal,
      }).catch((error: Error) => error.name);
      for (let i = 0; i < 50 && (await lock.waiting()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await lock.waiting()).toBeGreaterThan(0);
      aborted.abort();
      expect(await request).toBe('AbortError');
      let left = await lock.waiting();
      for (let i = 0; i < 40 && left > 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        left = await lock.waiting();
      }
      expect(left).toBe(0);
    });
    // The service is fine afterwards.
    const after = await fetch(`${t.baseUrl}/api/v3/core/authenticated_sessions/`, {
      headers: { authorization: `Bearer ${t.adminKey}` },
    });
    expect(after.status).toBe(200);
  });
});
