/**
 * Idle and absolute timeouts, with the clock moved forward instead of waited for (support/clock.ts): a session's
 * effective expiry in every face, validate sliding an idle expiry but never past the absolute one, an idle-ended
 * session leaving every list at once and swept with reason `idle`, and the defaults per session type.
 */
import { advanceClock } from './support/clock';
import { domainOf } from './support/domain';
import { CheckedHttp, MovensContract } from './support/movens-contract';
import { makeSession, makeUser, TestSession, TestUser } from './support/factories';
import { Http } from './support/http';
import { engines, startTestApp, TestApp } from './support/test-app';

const HUB = '/api/hub/v1/sessions';
const VALIDATE = '/api/hub/v1/sessions/validate';
const AUTHENTIK = '/api/v3/core/authenticated_sessions';
const PREFACTOR = '/api/v1/session';
const MOVENS_USER_SESSIONS = '/api/admin/v1/authenticated-sessions/user-sessions';

/** Seconds from the database's now() to a stored time of the session. */
async function secondsLeft(t: TestApp, uuid: string, column: 'expires_at' | 'absolute_expires_at'): Promise<number> {
  const rows = await t.sql<{ left: number }>(
    `SELECT extract(epoch FROM ${column} - now())::float8 AS left FROM sessions WHERE uuid = $1`,
    [uuid],
  );
  return Number(rows[0].left);
}

describe.each(engines())('session timeouts on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let movens: CheckedHttp;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestApp(engine, {
      VALIDATE_CACHE_SECONDS: '0',
      SESSION_IDLE_SECONDS: '900',
      API_SESSION_TTL_SECONDS: '7200',
      API_SESSION_IDLE_SECONDS: '0',
    });
    admin = new Http(t.baseUrl, t.adminKey);
    const operator = await makeUser(admin, { username: 'timeouts-operator', isOperator: true });
    movens = new CheckedHttp(new Http(t.baseUrl), await MovensContract.load(admin)).as(operator.key);
    user = await makeUser(admin, { username: 'timeouts-user' });
  });
  afterAll(() => t?.close());

  const validate = (s: TestSession, extra: Record<string, unknown> = {}) =>
    admin.post(VALIDATE, { token: s.token, ...extra });

  /** What each face shows of the session: its effective expiry, or that it is gone. */
  async function faces(s: TestSession) {
    const hub = await admin.get(`${HUB}/${s.uuid}`);
    const authentik = await admin.get(`${AUTHENTIK}/${s.uuid}/`);
    const authentikList = await admin.get(`${AUTHENTIK}/?user=${user.id}`);
    const prefactor = await admin.get(`${PREFACTOR}/${s.pfid}`);
    const movensList = await movens.get(`${MOVENS_USER_SESSIONS}/${user.uuid}`);
    return {
      hub: hub.body,
      authentik: authentik.status === 200 ? Date.parse(authentik.body.expires) : authentik.status,
      inAuthentikList: authentikList.body.results.some((r: any) => r.uuid === s.uuid),
      prefactorStatus: prefactor.body.summary.status,
      movens: movensList.body.find((m: any) => m.ID === s.id)?.ExpirationDate ?? null,
    };
  }

  it('should show the idle expiry in every face, slide it on validate, and end the session when idle', async () => {
    const s = await makeSession(admin, user, { idleSeconds: 600, ttlSeconds: 3600 });
    expect([s.idleSeconds, Date.parse(s.absoluteExpiresAt as string) - Date.parse(s.expiresAt as string)]).toEqual([
      600, 3000_000,
    ]);
    expect(await secondsLeft(t, s.uuid, 'expires_at')).toBeCloseTo(600, -1);
    let seen = await faces(s);
    const expires = Date.parse(seen.hub.expiresAt);
    expect(seen.authentik).toBe(expires);
    expect(seen.movens).toBe(new Date(Math.floor(expires / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
    expect(seen.prefactorStatus).toBe('authenticated');

    // 400 s later a validate: the idle expiry slides to 600 s from now.
    await advanceClock(t, 400);
    expect(await secondsLeft(t, s.uuid, 'expires_at')).toBeCloseTo(200, -1);
    expect((await validate(s)).status).toBe(200);
    expect(await secondsLeft(t, s.uuid, 'expires_at')).toBeCloseTo(600, -1);
    expect(await secondsLeft(t, s.uuid, 'absolute_expires_at')).toBeCloseTo(3200, -1);
    seen = await faces(s);
    expect(seen.authentik).toBe(Date.parse(seen.hub.expiresAt));
    expect(seen.inAuthentikList).toBe(true);

    // A validate from a new address is activity too.
    await advanceClock(t, 500);
    expect((await validate(s, { ip: '198.51.100.20' })).status).toBe(200);
    expect(await secondsLeft(t, s.uuid, 'expires_at')).toBeCloseTo(600, -1);

    // 601 s without a validate: gone from every face at once, before any sweep.
    await advanceClock(t, 601);
    const refused = await validate(s);
    expect(refused.status).toBe(401);
    seen = await faces(s);
    expect([seen.hub.live, seen.hub.status]).toEqual([false, 'complete']);
    expect(seen.authentik).toBe(404);
    expect(seen.inAuthentikList).toBe(false);
    expect(seen.prefactorStatus).toBe('complete');
    expect(seen.movens).toBeNull();

    // The sweep records why: idle, by the system.
    await domainOf(t.app).housekeeping.run();
    const events = await admin.get(`/api/hub/v1/events?session=${s.uuid}&kind=expired`);
    expect(events.body.items.map((e: any) => [e.reason, e.face, e.actorUserId])).toEqual([['idle', 'system', null]]);
  });

  it('should never slide past the absolute expiry, which ends the session with reason expiry', async () => {
    const s = await makeSession(admin, user, { idleSeconds: 600, ttlSeconds: 1000 });
    await advanceClock(t, 500);
    expect((await validate(s)).status).toBe(200);
    // The idle expiry would be 600 s away; the absolute one is 500 s away and wins.
    expect(await secondsLeft(t, s.uuid, 'expires_at')).toBeCloseTo(500, -1);
    const hub = (await admin.get(`${HUB}/${s.uuid}`)).body;
    expect(hub.expiresAt).toBe(hub.absoluteExpiresAt);
    await advanceClock(t, 400);
    expect((await validate(s)).status).toBe(200);
    await advanceClock(t, 101);
    expect((await validate(s)).status).toBe(401);
    await domainOf(t.app).housekeeping.run();
    const events = await admin.get(`/api/hub/v1/events?session=${s.uuid}&kind=expired`);
    expect(events.body.items.map((e: any) => e.reason)).toEqual(['expiry']);
  });

  it('should not bring an idle-ended session back, whatever arrives after its expiry', async () => {
    const s = await makeSession(admin, user, { idleSeconds: 300 });
    await advanceClock(t, 301);
    expect((await validate(s)).status).toBe(401);
    expect((await validate(s, { ip: '198.51.100.21' })).status).toBe(401);
    expect(await secondsLeft(t, s.uuid, 'expires_at')).toBeLessThan(0);
  });

  it('should take each session type its own defaults, and a login its own values', async () => {
    const browser = await makeSession(admin, user);
    expect(browser.idleSeconds).toBe(900);
    expect(await secondsLeft(t, browser.uuid, 'expires_at')).toBeCloseTo(900, -1);
    expect(await secondsLeft(t, browser.uuid, 'absolute_expires_at')).toBeCloseTo(t.config.SESSION_TTL_SECONDS, -1);

    const api = await makeSession(admin, user, { sessionType: 'api' });
    expect(api.idleSeconds).toBeNull();
    expect(await secondsLeft(t, api.uuid, 'expires_at')).toBeCloseTo(7200, -1);
    expect(api.absoluteExpiresAt).toBe(api.expiresAt);

    const noIdle = await makeSession(admin, user, { idleSeconds: 0 });
    expect(noIdle.idleSeconds).toBeNull();
    // An idle timeout at or past the lifetime could never end the session first: there is none.
    const longIdle = await makeSession(admin, user, { idleSeconds: 7200, ttlSeconds: 3600 });
    expect([longIdle.idleSeconds, longIdle.expiresAt]).toEqual([null, longIdle.absoluteExpiresAt]);
  });

  it.each([[-1], [1.5], ['600'], [1e12]])('should refuse idleSeconds %p with the hub 400', async (value) => {
    const res = await admin.post(HUB, { user: user.id, ip: '203.0.113.7', userAgent: 'curl/8', idleSeconds: value });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Bad Request');
    expect(JSON.stringify(res.body.message)).toContain('idleSeconds');
  });
});
