/**
 * validate answers live sessions from memory (LiveSessionCache). What must hold: a session ended by any path is
 * refused at once in the process that ended it, within 100 ms (p99) in every other worker, and never later than
 * VALIDATE_CACHE_SECONDS; a broken LISTEN connection turns the copy off until it listens again; 0 turns it off.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SESSION_ENDED_CHANNEL } from '../src/sessions/credentials/live-session-cache';
import { makeSession, makeUser, TestUser } from './support/factories';
import { Http } from './support/http';
import { createDatabase, dropDatabase } from './support/pg-cluster';
import { TableLock } from './support/table-lock';
import { killService, rawRequest, ServiceProcess, sleep, spawnService, waitReady } from './support/service-process';
import { engines, startTestApp, TestApp } from './support/test-app';

const VALIDATE = '/api/hub/v1/sessions/validate';

describe.each(engines())('validate from memory, in one process, on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let anon: Http;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestApp(engine, { VALIDATE_CACHE_SECONDS: '30' });
    anon = new Http(t.baseUrl);
    admin = anon.as(t.adminKey);
    user = await makeUser(admin, { username: 'cached-user' });
  });
  afterAll(() => t?.close());

  const validate = (token: string) => anon.post(VALIDATE, { token });

  /**
   * A session validated twice (so its copy is in memory), then ended by `end`. Ended by the service: the next
   * validate is refused. Ended behind its back: the NOTIFY reaches the service within `withinMs` (on PostgreSQL it
   * travels over the listening connection, so it may arrive just after the SQL's answer).
   */
  async function expectRefusedRightAfter(
    end: (session: Awaited<ReturnType<typeof makeSession>>) => Promise<unknown>,
    withinMs = 0,
  ) {
    const session = await makeSession(admin, user);
    expect((await validate(session.token)).status).toBe(200);
    expect((await validate(session.token)).status).toBe(200);
    const ended = Date.now();
    await end(session);
    let status = (await validate(session.token)).status;
    while (status === 200 && Date.now() - ended < withinMs) status = (await validate(session.token)).status;
    expect(status).toBe(401);
  }

  it('should refuse a session at once after it ends through any face, and within 100 ms after SQL', async () => {
    await expectRefusedRightAfter((s) => admin.post(`/api/hub/v1/sessions/${s.uuid}/end`));
    await expectRefusedRightAfter((s) => admin.delete(`/api/v3/core/authenticated_sessions/${s.uuid}/`));
    await expectRefusedRightAfter((s) => admin.post(`/api/v1/session/${s.pfid}/revoke`, {}));
    await expectRefusedRightAfter((s) => admin.post('/api/admin/v1/authenticated-sessions/revoke', { Session: s.id }));
    await expectRefusedRightAfter(() => admin.post(`/api/hub/v1/users/${user.id}/sessions/revoke`, {}));
    await expectRefusedRightAfter((s) =>
      admin.delete(`/api/v3/core/authenticated_sessions/bulk_delete/?user_pks=${user.id}`).then(() => s),
    );
    // Behind the service's back: the trigger tells the service all the same.
    await expectRefusedRightAfter(
      (s) => t.sql(`UPDATE sessions SET status = 'revoked' WHERE uuid = $1`, [s.uuid]),
      100,
    );
    await expectRefusedRightAfter(
      (s) => t.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE uuid = $1`, [s.uuid]),
      100,
    );
    await expectRefusedRightAfter((s) => t.sql(`DELETE FROM sessions WHERE uuid = $1`, [s.uuid]), 100);
  });

  it('should answer from memory within the bound: a change behind its back shows only after a read', async () => {
    const session = await makeSession(admin, user);
    expect((await validate(session.token)).status).toBe(200);
    await t.sql(`UPDATE sessions SET title = 'changed behind its back' WHERE uuid = $1`, [session.uuid]);
    // The copy read before the change still answers (the bound is 30 s here): proof that no database read happened.
    const fromMemory = await validate(session.token);
    expect(fromMemory.status).toBe(200);
    expect(fromMemory.text).not.toContain('changed behind its back');
    // A new client address is decided on the stored row, and refreshes the copy.
    const moved = await anon.post(VALIDATE, { token: session.token, ip: '198.51.100.99' });
    expect(moved.status).toBe(200);
    expect(moved.text).toContain('changed behind its back');
  });
});

describe.each(engines())('validate with VALIDATE_CACHE_SECONDS=0 on %s', (engine) => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('should read the database on every validate', async () => {
    t = await startTestApp(engine, { VALIDATE_CACHE_SECONDS: '0' });
    const anon = new Http(t.baseUrl);
    const admin = anon.as(t.adminKey);
    const user = await makeUser(admin);
    const session = await makeSession(admin, user);
    expect((await anon.post(VALIDATE, { token: session.token })).status).toBe(200);
    await t.sql(`UPDATE sessions SET title = 'seen at once' WHERE uuid = $1`, [session.uuid]);
    expect((await anon.post(VALIDATE, { token: session.token })).text).toContain('seen at once');
  });
});

const server = process.env.TEST_DATABASE_URL;
(server ? describe : describe.skip)('validate from memory across two workers (PostgreSQL)', () => {
  let service: ServiceProcess | undefined;
  let name: string;
  let databaseUrl: string;
  let adminKey: string;

  beforeAll(async () => {
    name = `sessionhub_vc_${randomBytes(5).toString('hex')}`;
    databaseUrl = await createDatabase(server!, name);
    adminKey = `vc-${randomBytes(12).toString('hex')}`;
    service = await spawnService({
      DATABASE_URL: databaseUrl,
      WORKERS: '2',
      DATABASE_POOL_SIZE: '4',
      BOOTSTRAP_TOKEN: adminKey,
      VALIDATE_CACHE_SECONDS: '1',
    });
    await waitReady(service);
  }, 120_000);
  afterAll(async () => {
    await killService(service);
    await dropDatabase(server!, name);
  });

  /** A validate on a fresh connection: the cluster hands fresh connections to the workers in turn. */
  const validate = (token: string) =>
    rawRequest(service!.baseUrl, { method: 'POST', path: VALIDATE, body: { token }, timeoutMs: 5000 });

  /**
   * Revokes a session whose copy both workers hold, then validates on fresh connections for `watchMs`: how long
   * after the revoke's answer a request could still start and be accepted (0: none was).
   */
  async function acceptedAfterRevoke(watchMs: number): Promise<number> {
    const login = await rawRequest(service!.baseUrl, {
      method: 'POST',
      path: '/api/hub/v1/sessions',
      key: adminKey,
      body: { user: 'admin', ip: '203.0.113.5', userAgent: 'curl/8.5.0' },
    });
    expect(login.status).toBe(201);
    const { token, uuid } = login.body as { token: string; uuid: string };
    for (let i = 0; i < 6; i++) expect((await validate(token)).status).toBe(200);
    const revoke = await rawRequest(service!.baseUrl, {
      method: 'POST',
      path: `/api/hub/v1/sessions/${uuid}/end`,
      key: adminKey,
    });
    expect(revoke.status).toBe(200);
    const answeredAt = revoke.endedAt;
    let lastAccepted = 0;
    while (Date.now() - answeredAt < watchMs) {
      const res = await validate(token);
      if (res.status === 200) lastAccepted = Math.max(lastAccepted, res.startedAt - answeredAt);
      else expect(res.status).toBe(401);
    }
    return lastAccepted;
  }

  it('should refuse a revoked session in every worker within 100 ms (p99), never past the 1 s bound', async () => {
    const accepted: number[] = [];
    for (let i = 0; i < 40; i++) accepted.push(await acceptedAfterRevoke(150));
    accepted.sort((a, b) => a - b);
    const p99 = accepted[Math.ceil(accepted.length * 0.99) - 1];
    // Logged for the closing note: how late an accepted validate started after the revoke's answer, in ms.
    console.log(`validate after revoke across 2 workers: p99 ${p99} ms, max ${accepted[accepted.length - 1]} ms`);
    expect(p99).toBeLessThanOrEqual(100);
    // Watched past the bound: nothing is accepted later than VALIDATE_CACHE_SECONDS after the revoke.
    for (let i = 0; i < 3; i++) expect(await acceptedAfterRevoke(1300)).toBeLessThan(1000);
  }, 120_000);

  it('should stop answering from memory while the LISTEN connection is down, and resume after', async () => {
    const admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'LISTEN %session_ended%'`,
        [name],
      );
      expect(killed.rowCount).toBe(2); // one listener per worker
      // Right after the cut (before or after the reconnect), revocations are still refused at once.
      for (let i = 0; i < 5; i++) expect(await acceptedAfterRevoke(100)).toBeLessThanOrEqual(100);
      await sleep(1500);
      const listening = await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'LISTEN %session_ended%'`,
        [name],
      );
      expect(listening.rows[0]).toEqual({ n: 2 });
    } finally {
      await admin.end();
    }
  }, 60_000);
});

/**
 * Concurrent validates of a token not in memory share one read, and concurrent validates past the last-seen
 * throttle one write: a busy token (an application's page firing its calls at once) would otherwise bring a read
 * or a write per call each time its copy ages out (at 64 connections on one token set, 3 of 4 validates read the
 * database). The statements are made to wait on a lock another connection holds, so those in flight can be counted
 * in pg_stat_activity. PostgreSQL only: PGlite runs one statement at a time in-process, so nothing can be seen
 * waiting.
 */
(server ? describe : describe.skip)('validate reads and writes shared on postgres', () => {
  let t: TestApp;
  let anon: Http;
  let admin: Http;
  let user: TestUser;
  let lock: TableLock;

  beforeAll(async () => {
    t = await startTestApp('postgres', { VALIDATE_CACHE_SECONDS: '30', TOUCH_INTERVAL_SECONDS: '1' });
    anon = new Http(t.baseUrl);
    admin = anon.as(t.adminKey);
    user = await makeUser(admin);
    lock = await TableLock.open(t.config.DATABASE_URL!);
  });
  afterAll(async () => {
    await lock?.close();
    await t?.close();
  });

  const burst = (token: string, n: number) =>
    Array.from({ length: n }, () => anon.post(VALIDATE, { token }).then((r) => r.status));

  it('should read a token once for many validates at the same moment, and once per token', async () => {
    const [first, second] = [await makeSession(admin, user), await makeSession(admin, user)];
    const answers = await lock.holding('sessions', async () => {
      const sent = [...burst(first.token, 12), ...burst(second.token, 12)];
      expect(await lock.settledWaiting()).toBe(2);
      return sent;
    });
    expect(await Promise.all(answers)).toEqual(Array(24).fill(200));
  });

  it('should not share a read that began before an end was heard', async () => {
    const session = await makeSession(admin, user);
    const answers = await lock.holding('sessions', async () => {
      const sent = burst(session.token, 6);
      expect(await lock.settledWaiting()).toBe(1);
      // What the sessions' trigger sends when a session ends (another one here): no request joins reads in flight.
      await lock.query(`NOTIFY ${SESSION_ENDED_CHANNEL}, '0'`);
      await sleep(200);
      sent.push(...burst(session.token, 6));
      expect(await lock.settledWaiting()).toBe(2);
      return sent;
    });
    expect(await Promise.all(answers)).toEqual(Array(12).fill(200));
  });

  it('should write last-seen once for many validates past the throttle at the same moment', async () => {
    const session = await makeSession(admin, user);
    expect((await anon.post(VALIDATE, { token: session.token })).status).toBe(200);
    await sleep(1100); // past TOUCH_INTERVAL_SECONDS: the next validates write last-seen
    const answers = await lock.holding('sessions', async () => {
      const sent = burst(session.token, 12);
      expect(await lock.settledWaiting()).toBe(1);
      return sent;
    });
    expect(await Promise.all(answers)).toEqual(Array(12).fill(200));
    const [row] = await t.sql<{ seen: Date }>(`SELECT last_seen_at AS seen FROM sessions WHERE uuid = $1`, [
      session.uuid,
    ]);
    expect(Date.now() - new Date(row.seen).getTime()).toBeLessThan(5000);
  });
});
