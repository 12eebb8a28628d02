import { makeSession, makeUser, TestSession, TestUser } from './support/factories';
import { Http } from './support/http';
import { sleep } from './support/service-process';
import { engines, startTestApp, TestApp } from './support/test-app';

const LIVE_STATUSES = `('new', 'unauthenticated', 'authenticated')`;

/**
 * Ends `session` behind the service's back, as time would: past its expiry (its idle one, when it was made with
 * `idleSeconds`: its absolute expiry is still ahead).
 */
async function expire(t: TestApp, session: TestSession): Promise<void> {
  await t.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE uuid = $1`, [session.uuid]);
}

async function unmarked(t: TestApp): Promise<number> {
  const [{ n }] = await t.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM sessions WHERE status IN ${LIVE_STATUSES} AND expires_at <= now()`,
  );
  return n;
}

/**
 * Every process marks sessions past their expiry every EXPIRY_SWEEP_SECONDS, between housekeeping's passes, so the
 * exact totals, which subtract the expired sessions not marked yet, rarely have many to subtract.
 */
describe.each(engines())('the expiry sweep on %s', (engine) => {
  describe('every second', () => {
    let t: TestApp;
    let admin: Http;
    let user: TestUser;

    beforeAll(async () => {
      t = await startTestApp(engine, { EXPIRY_SWEEP_SECONDS: '1' });
      admin = new Http(t.baseUrl, t.adminKey);
      user = await makeUser(admin);
    });
    afterAll(() => t.close());

    it('should mark expired sessions complete within two sweeps, with why, keeping every total exact', async () => {
      const idle = await makeSession(admin, user, { idleSeconds: 600, ttlSeconds: 3600 });
      const absolute = await makeSession(admin, user);
      const live = await makeSession(admin, user);
      await expire(t, idle);
      await expire(t, absolute);
      const listTotal = async () =>
        (await admin.get(`/api/v3/core/authenticated_sessions/?user=${user.id}`)).body.pagination.count;
      expect(await listTotal()).toBe(1);

      const planted = Date.now();
      while ((await unmarked(t)) > 0 && Date.now() - planted < 5000) await sleep(100);
      expect(await unmarked(t)).toBe(0);
      // Sweeps run every second: the two are marked by the second one at the latest (about 2 s), with room for a
      // busy machine's late timers.
      expect(Date.now() - planted).toBeLessThan(4500);

      const statuses = await t.sql<{ uuid: string; status: string }>(
        `SELECT uuid, status FROM sessions WHERE user_id = $1`,
        [user.id],
      );
      expect(Object.fromEntries(statuses.map((s) => [s.uuid, s.status]))).toEqual({
        [idle.uuid]: 'complete',
        [absolute.uuid]: 'complete',
        [live.uuid]: 'authenticated',
      });
      const reasons = async (session: TestSession) =>
        (await admin.get(`/api/hub/v1/events?session=${session.uuid}&kind=expired`)).body.items.map((e: any) => [
          e.reason,
          e.face,
          e.actorUserId,
        ]);
      expect(await reasons(idle)).toEqual([['idle', 'system', null]]);
      expect(await reasons(absolute)).toEqual([['expiry', 'system', null]]);
      expect(await reasons(live)).toEqual([]);
      expect(await listTotal()).toBe(1);
      const metrics = (await admin.get('/metrics')).text;
      expect(metrics).toMatch(
        /^sessionhub_sessions_ended_total\{face="system",reason="expired",initiator="system"\} 2$/m,
      );
      expect(metrics).toMatch(/^sessionhub_housekeeping_sessions_total\{action="expired"\} 2$/m);
    });
  });

  describe('turned off (0)', () => {
    let t: TestApp;
    let admin: Http;

    beforeAll(async () => {
      t = await startTestApp(engine, { EXPIRY_SWEEP_SECONDS: '0' });
      admin = new Http(t.baseUrl, t.adminKey);
    });
    afterAll(() => t.close());

    it('should leave expired sessions to housekeeping, still left out of every total', async () => {
      const user = await makeUser(admin);
      const expired = await makeSession(admin, user);
      await makeSession(admin, user);
      await expire(t, expired);
      await sleep(2500);
      expect(await unmarked(t)).toBe(1);
      expect((await admin.get(`/api/v3/core/authenticated_sessions/?user=${user.id}`)).body.pagination.count).toBe(1);
    });
  });
});
