/**
 * Session policy through the hub: concurrent-session limits that hold under 200 parallel logins (both policies, a
 * per-user override), credential change ending a user's sessions as one action, and the reason every end records.
 */
import { domainOf } from './support/domain';
import { makeSession, makeUser, TestUser } from './support/factories';
import { Http } from './support/http';
import { engines, startTestApp, TestApp } from './support/test-app';

const LOGIN = '/api/hub/v1/sessions';
const VALIDATE = '/api/hub/v1/sessions/validate';

async function liveCount(t: TestApp, userId: number): Promise<number> {
  const rows = await t.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM sessions
      WHERE user_id = $1 AND status IN ('new', 'unauthenticated', 'authenticated') AND expires_at > now()`,
    [userId],
  );
  return Number(rows[0].n);
}

async function endReasons(t: TestApp, userId: number): Promise<Record<string, number>> {
  const rows = await t.sql<{ reason: string; n: number }>(
    `SELECT e.reason, count(*)::int AS n FROM session_events e JOIN sessions s ON s.id = e.session_id
      WHERE s.user_id = $1 AND e.reason IS NOT NULL GROUP BY e.reason ORDER BY e.reason`,
    [userId],
  );
  return Object.fromEntries(rows.map((r) => [r.reason, Number(r.n)]));
}

describe.each(engines())('session limits on %s', (engine) => {
  describe.each(['evict-oldest', 'refuse'] as const)('policy %s', (policy) => {
    let t: TestApp;
    let admin: Http;
    beforeAll(async () => {
      t = await startTestApp(engine, { SESSION_LIMIT: '5', SESSION_LIMIT_POLICY: policy });
      admin = new Http(t.baseUrl, t.adminKey);
    });
    afterAll(() => t?.close());

    it('should leave exactly the limit after 200 parallel logins of one user', async () => {
      const user = await makeUser(admin);
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          admin.post(LOGIN, { user: user.id, ip: '203.0.113.9', userAgent: `agent/${i}` }),
        ),
      );
      expect(await liveCount(t, user.id)).toBe(5);
      const statuses = answers.map((a) => a.status).sort();
      if (policy === 'evict-oldest') {
        expect(statuses.every((s) => s === 201)).toBe(true);
        expect(await endReasons(t, user.id)).toEqual({ limit: 195 });
      } else {
        expect(statuses.filter((s) => s === 201)).toHaveLength(5);
        expect(statuses.filter((s) => s === 409)).toHaveLength(195);
        const refused = answers.find((a) => a.status === 409)!;
        expect(refused.body).toEqual({
          statusCode: 409,
          error: 'Conflict',
          message: `${user.username} already has 5 live sessions, the most allowed (5): end one first.`,
        });
        expect(await endReasons(t, user.id)).toEqual({});
      }
    }, 120_000);

    it("should apply a user's own limit over the deployment's, and the deployment's again once cleared", async () => {
      const user = await makeUser(admin);
      const set = await admin.request('PATCH', `/api/hub/v1/users/${user.id}`, { body: { maxSessions: 2 } });
      expect([set.status, set.body.maxSessions]).toEqual([200, 2]);
      const login = () => admin.post(LOGIN, { user: user.id, ip: '203.0.113.9', userAgent: 'curl/8.5.0' });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await login()).status);
      expect(statuses).toEqual(policy === 'refuse' ? [201, 201, 409, 409] : [201, 201, 201, 201]);
      expect(await liveCount(t, user.id)).toBe(2);
      const cleared = await admin.request('PATCH', `/api/hub/v1/users/${user.id}`, { body: { maxSessions: null } });
      expect([cleared.status, cleared.body.maxSessions]).toEqual([200, null]);
      for (let i = 0; i < 4; i++) await login();
      expect(await liveCount(t, user.id)).toBe(5);
      const bad = await admin.request('PATCH', `/api/hub/v1/users/${user.id}`, { body: { maxSessions: 0 } });
      expect(bad.status).toBe(400);
      const plain = await makeUser(admin);
      const refused = await new Http(t.baseUrl, plain.key).request('PATCH', `/api/hub/v1/users/${plain.id}`, {
        body: { maxSessions: 100 },
      });
      expect(refused.status).toBe(403);
    });
  });

  describe('eviction order and defaults', () => {
    let t: TestApp;
    let admin: Http;
    beforeAll(async () => {
      t = await startTestApp(engine, { SESSION_LIMIT: '2' });
      admin = new Http(t.baseUrl, t.adminKey);
    });
    afterAll(() => t?.close());

    it('should evict the session seen longest ago, not the oldest created', async () => {
      const user = await makeUser(admin);
      const first = await makeSession(admin, user);
      const second = await makeSession(admin, user);
      // The first is used again (from a new address, which records last seen at once): the second is now the stalest.
      await t.sql(`UPDATE sessions SET last_seen_at = now() - interval '1 hour' WHERE uuid = $1`, [second.uuid]);
      expect((await admin.post(VALIDATE, { token: first.token, ip: '198.51.100.1' })).status).toBe(200);
      await makeSession(admin, user);
      const status = async (uuid: string) =>
        (await t.sql<{ status: string }>(`SELECT status FROM sessions WHERE uuid = $1`, [uuid]))[0].status;
      expect([await status(first.uuid), await status(second.uuid)]).toEqual(['authenticated', 'revoked']);
      const events = await admin.get(`/api/hub/v1/sessions/${second.uuid}/events`);
      expect(events.body.map((e: any) => [e.kind, e.reason, e.actorUserId, e.face])).toEqual([
        ['created', null, null, 'hub'],
        ['revoked', 'limit', null, 'hub'],
      ]);
    });
  });

  describe('credential change and end reasons', () => {
    let t: TestApp;
    let admin: Http;
    let dana: TestUser;
    beforeAll(async () => {
      t = await startTestApp(engine, { RETENTION_DAYS: '1' });
      admin = new Http(t.baseUrl, t.adminKey);
      dana = await makeUser(admin, { username: 'dana' });
    });
    afterAll(() => t?.close());

    const change = (as: Http, userId: number, body: unknown) =>
      as.post(`/api/hub/v1/users/${userId}/credential-change`, body);

    it("should end every session of the user but the caller's own, as one action", async () => {
      const sessions = [await makeSession(admin, dana), await makeSession(admin, dana), await makeSession(admin, dana)];
      const asDanaSession = new Http(t.baseUrl, sessions[0].token);
      const res = await change(asDanaSession, dana.id, { keepCurrentSession: true });
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { revoked: 2 } });
      expect((await admin.post(VALIDATE, { token: sessions[0].token })).status).toBe(200);
      for (const s of sessions.slice(1)) {
        expect((await admin.post(VALIDATE, { token: s.token })).status).toBe(401);
        const events = await admin.get(`/api/hub/v1/sessions/${s.uuid}/events`);
        expect(events.body.at(-1)).toMatchObject({
          kind: 'revoked',
          reason: 'credential_change',
          actorUserId: dana.id,
        });
      }
      // Kept by uuid, called by the application with its API token.
      const another = await makeSession(admin, dana);
      const byUuid = await change(admin, dana.id, { exceptSession: another.uuid });
      expect(byUuid.body).toEqual({ revoked: 1 });
      expect(await liveCount(t, dana.id)).toBe(1);
      // Nothing kept.
      expect((await change(admin, dana.id, {})).body).toEqual({ revoked: 1 });
      expect(await liveCount(t, dana.id)).toBe(0);
    });

    it('should refuse what cannot be done, and leave other users alone', async () => {
      const erin = await makeUser(admin);
      const kept = await makeSession(admin, erin);
      const both = await change(admin, erin.id, { exceptSession: kept.uuid, keepCurrentSession: true });
      expect(both.status).toBe(400);
      const noCurrent = await change(admin, erin.id, { keepCurrentSession: true });
      expect(noCurrent.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'keepCurrentSession needs the session token as the credential: this call has no current session.',
      });
      // Dana may not end Erin's sessions: Erin does not exist for her.
      expect((await change(new Http(t.baseUrl, dana.key), erin.id, {})).status).toBe(404);
      expect((await change(admin, 999999, {})).status).toBe(404);
      expect((await change(admin, erin.id, { exceptSession: 'not-a-uuid' })).status).toBe(400);
      expect(await liveCount(t, erin.id)).toBe(1);
    });

    it('should record why each session ended', async () => {
      const frank = await makeUser(admin);
      const [a, b, c, d] = [
        await makeSession(admin, frank),
        await makeSession(admin, frank),
        await makeSession(admin, frank),
        await makeSession(admin, frank),
      ];
      await admin.post(`/api/hub/v1/sessions/${a.uuid}/end`);
      await admin.delete(`/api/v3/core/authenticated_sessions/${b.uuid}/`);
      await t.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE uuid = $1`, [c.uuid]);
      await domainOf(t.app).housekeeping.run();
      await admin.post(`/api/hub/v1/users/${frank.id}/sessions/revoke`, {});
      const reasonOf = async (uuid: string) =>
        (await admin.get(`/api/hub/v1/sessions/${uuid}/events`)).body.at(-1).reason;
      expect([await reasonOf(a.uuid), await reasonOf(b.uuid), await reasonOf(c.uuid), await reasonOf(d.uuid)]).toEqual([
        'logout',
        'revoke',
        'expiry',
        'revoke_all',
      ]);
    });
  });
});
