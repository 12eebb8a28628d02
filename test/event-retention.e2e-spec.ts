/**
 * The event history has a retention of its own: a purged session's events stay, with its uuid, until
 * EVENT_RETENTION_DAYS; events past it go whether or not their session is kept. The clock is moved forward
 * (support/clock.ts), not waited for.
 */
import { advanceClock } from './support/clock';
import { domainOf } from './support/domain';
import { makeSession, makeUser, TestUser } from './support/factories';
import { Http } from './support/http';
import { engines, startTestApp, TestApp } from './support/test-app';

const DAY = 24 * 3600;

describe.each(engines())('event retention on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestApp(engine, { RETENTION_DAYS: '30', EVENT_RETENTION_DAYS: '90', VALIDATE_CACHE_SECONDS: '0' });
    admin = new Http(t.baseUrl, t.adminKey);
    user = await makeUser(admin, { username: 'retention-user' });
  });
  afterAll(() => t?.close());

  const history = async (query: string) => {
    const res = await admin.get(`/api/hub/v1/events?${query}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  it("should keep a purged session's history until the events' own retention, then purge it", async () => {
    const ended = await makeSession(admin, user);
    const kept = await makeSession(admin, user, { ttlSeconds: 366 * DAY });
    expect((await new Http(t.baseUrl, user.key).post(`/api/hub/v1/sessions/${ended.uuid}/end`)).status).toBe(200);
    const before = await history(`session=${ended.uuid}`);
    expect(before.items.map((e: any) => [e.kind, e.reason, e.sessionUuid])).toEqual([
      ['ended', 'logout', ended.uuid],
      ['created', null, ended.uuid],
    ]);

    // 31 days on: the ended session is purged, its history is not.
    await advanceClock(t, 31 * DAY);
    expect(await domainOf(t.app).housekeeping.run()).toEqual({ expired: 0, purged: 1, eventsPurged: 0 });
    expect((await admin.get(`/api/hub/v1/sessions/${ended.uuid}`)).status).toBe(404);
    // The same events, 31 days older to the service's clock.
    const withoutTime = (page: any) => ({ ...page, items: page.items.map(({ at: _at, ...rest }: any) => rest) });
    expect(withoutTime(await history(`session=${ended.uuid}`))).toEqual(withoutTime(before));
    const mine = await history(`user=${user.id}`);
    expect(mine.total).toBe(3);
    expect(new Set(mine.items.map((e: any) => e.sessionUuid))).toEqual(new Set([ended.uuid, kept.uuid]));
    // A user still sees the history of their own purged session.
    const own = await new Http(t.baseUrl, user.key).get(`/api/hub/v1/events?session=${ended.uuid}`);
    expect([own.status, own.body.total]).toEqual([200, 2]);

    // 91 days after they happened, every one of those events is gone, the live session's included; it stays.
    await advanceClock(t, 60 * DAY);
    expect(await domainOf(t.app).housekeeping.run()).toEqual({ expired: 0, purged: 0, eventsPurged: 3 });
    expect((await history(`user=${user.id}`)).total).toBe(0);
    expect((await admin.get(`/api/hub/v1/sessions/${kept.uuid}`)).body.live).toBe(true);
    const fresh = await makeSession(admin, user);
    expect((await history(`user=${user.id}`)).items.map((e: any) => e.sessionUuid)).toEqual([fresh.uuid]);
  });
});
