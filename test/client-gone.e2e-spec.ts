import { Client } from 'pg';
import { startTestApp, TestApp } from './support/test-app';

/**
 * A list whose client hangs up does not keep the database busy: its statements are cancelled. The list is made
 * to wait on a lock another connection holds, the client aborts, and the waiting statements must be gone at once
 * (without cancellation they would wait until the lock is released). PostgreSQL only: PGlite runs statements
 * in-process and cannot interrupt one.
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('client gone on postgres', () => {
  let t: TestApp;
  let locker: Client;
  // A connection of its own: pg_stat_activity is read once per transaction, and the locker's stays open.
  let observer: Client;

  beforeAll(async () => {
    t = await startTestApp('postgres');
    locker = new Client({ connectionString: t.config.DATABASE_URL });
    observer = new Client({ connectionString: t.config.DATABASE_URL });
    await Promise.all([locker.connect(), observer.connect()]);
  });
  afterAll(async () => {
    await locker?.end();
    await observer?.end();
    await t?.close();
  });

  const waiting = async () => {
    const rows = await observer.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
    );
    return Number(rows.rows[0].n);
  };

  it('should cancel the statements of an authentik list whose client went away', async () => {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE');
    try {
      const aborted = new AbortController();
      const request = fetch(`${t.baseUrl}/api/v3/core/authenticated_sessions/`, {
        headers: { authorization: `Bearer ${t.adminKey}` },
        signal: aborted.signal,
      }).catch((error: Error) => error.name);
      for (let i = 0; i < 50 && (await waiting()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await waiting()).toBeGreaterThan(0);
      aborted.abort();
      expect(await request).toBe('AbortError');
      let left = await waiting();
      for (let i = 0; i < 40 && left > 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        left = await waiting();
      }
      expect(left).toBe(0);
    } finally {
      await locker.query('ROLLBACK');
    }
    // The service is fine afterwards.
    const after = await fetch(`${t.baseUrl}/api/v3/core/authenticated_sessions/`, {
      headers: { authorization: `Bearer ${t.adminKey}` },
    });
    expect(after.status).toBe(200);
  });
});
