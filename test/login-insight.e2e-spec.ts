/**
 * Login insight, replayed: a sequence of logins and validates of one user, from real public addresses placed by the
 * built-in geo data, must produce exactly the expected new_device / new_country / impossible_travel events,
 * including VPN-like jitter between London and Paris that must not count as travel. Time between steps is replayed
 * by moving the user's history back, not by waiting.
 */
import { makeUser, TestUser, USER_AGENTS } from './support/factories';
import { Http } from './support/http';
import { engines, startTestApp, TestApp } from './support/test-app';

const LONDON = '81.2.69.160';
const LONDON_2 = '185.45.4.1';
const LONDON_3 = '212.58.244.1';
const PARIS = '212.27.48.10';
const SYDNEY = '1.1.1.1';
const MOUNTAIN_VIEW = '8.8.8.8';
const FRANKFURT = '2a00:1450:4001:81b::200e';

describe.each(engines())('login insight on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let traveller: TestUser;

  beforeAll(async () => {
    t = await startTestApp(engine, { GEOIP_BUILTIN: 'on' });
    admin = new Http(t.baseUrl, t.adminKey);
    traveller = await makeUser(admin, { username: `traveller-${engine}` });
  });
  afterAll(() => t?.close());

  const login = async (ip: string, userAgent: string) => {
    const res = await admin.post('/api/hub/v1/sessions', { user: traveller.id, ip, userAgent });
    expect(res.status).toBe(201);
    return res.body as { uuid: string; token: string };
  };

  /** The insight events recorded since `afterId`, oldest first: kind and the detail a person reads. */
  async function insightSince(afterId: number) {
    const res = await admin.get(`/api/hub/v1/events?user=${traveller.id}&limit=100`);
    return (res.body.items as any[])
      .filter((e) => e.id > afterId && ['new_device', 'new_country', 'impossible_travel'].includes(e.kind))
      .reverse()
      .map((e) => ({ kind: e.kind, detail: e.detail, face: e.face }));
  }
  const lastEventId = async () =>
    Number((await t.sql<{ id: number }>(`SELECT coalesce(max(id), 0) AS id FROM session_events`))[0].id);

  it('should record exactly the expected events over a replayed sequence', async () => {
    const step = async (work: () => Promise<unknown>) => {
      const before = await lastEventId();
      await work();
      return insightSince(before);
    };

    // a. The first login: nothing to compare with.
    expect(await step(() => login(LONDON, USER_AGENTS.macSafari))).toEqual([]);
    // b. Another device, same city.
    const b = await step(() => login(LONDON_2, USER_AGENTS.windowsChrome));
    expect(b).toEqual([
      {
        kind: 'new_device',
        face: 'system',
        detail: { device: 'Other · Windows · Chrome', ip: LONDON_2, knownDevices: ['Mac · Mac OS X · Safari'] },
      },
    ]);
    // c. VPN jitter: Paris a moment later. A new country, but 344 km is not a journey.
    const c = await step(() => login(PARIS, USER_AGENTS.macSafari));
    expect(c.map((e) => e.kind)).toEqual(['new_country']);
    expect(c[0].detail).toEqual({ country: 'FR', city: 'Paris', ip: PARIS, knownCountries: ['GB'] });
    // d. Back to London: nothing new.
    expect(await step(() => login(LONDON_3, USER_AGENTS.macSafari))).toEqual([]);
    // e. Two days later, Sydney: a new country, but 17,000 km in two days is a flight, not impossible.
    await t.sql(`UPDATE login_insight SET last_at = last_at - interval '2 days' WHERE user_id = $1`, [traveller.id]);
    const e = await step(() => login(SYDNEY, USER_AGENTS.macSafari));
    expect(e.map((x) => [x.kind, x.detail.country])).toEqual([['new_country', 'AU']]);
    // f. Mountain View right after Sydney: impossible.
    let mountainView: { uuid: string; token: string } | undefined;
    const f = await step(async () => (mountainView = await login(MOUNTAIN_VIEW, USER_AGENTS.macSafari)));
    expect(f.map((x) => x.kind)).toEqual(['new_country', 'impossible_travel']);
    const travel = f[1].detail;
    expect(travel.from).toMatchObject({ country: 'AU', city: 'Sydney', ip: SYDNEY });
    expect(travel.to).toMatchObject({ country: 'US', city: 'Mountain View', ip: MOUNTAIN_VIEW });
    expect(travel.distanceKm).toBeGreaterThan(11_000);
    expect(travel.distanceKm).toBeLessThan(13_000);
    expect(travel.maxSpeedKmh).toBe(1000);
    // g. That session validated from Frankfurt: the address moved again, impossibly fast, to a new country.
    const g = await step(() =>
      admin.post('/api/hub/v1/sessions/validate', { token: mountainView!.token, ip: FRANKFURT }),
    );
    expect(g.map((x) => [x.kind, x.detail.country ?? x.detail.to.country])).toEqual([
      ['new_country', 'DE'],
      ['impossible_travel', 'DE'],
    ]);
    expect(g[1].detail.from).toMatchObject({ city: 'Mountain View' });
    // h. The same address validated again: nothing moved.
    expect(
      await step(() => admin.post('/api/hub/v1/sessions/validate', { token: mountainView!.token, ip: FRANKFURT })),
    ).toEqual([]);
  });

  it('should refuse a login on impossible travel when the policy says so, and store nothing of it', async () => {
    const strict = await startTestApp(engine, { GEOIP_BUILTIN: 'on', TRAVEL_POLICY: 'refuse' });
    try {
      const root = new Http(strict.baseUrl, strict.adminKey);
      const user = await makeUser(root);
      const first = await root.post('/api/hub/v1/sessions', { user: user.id, ip: LONDON, userAgent: USER_AGENTS.curl });
      expect(first.status).toBe(201);
      const refused = await root.post('/api/hub/v1/sessions', {
        user: user.id,
        ip: SYDNEY,
        userAgent: USER_AGENTS.curl,
      });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(
        /^Login refused: impossible travel from London, GB to Sydney, AU, \d+ km in 0 h \(more than 1000 km\/h\)\.$/,
      );
      const stored = await strict.sql<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`, [
        user.id,
      ]);
      expect(stored[0].n).toBe(1);
    } finally {
      await strict.close();
    }
  });

  it('should record nothing with LOGIN_INSIGHT=off', async () => {
    const quiet = await startTestApp(engine, { GEOIP_BUILTIN: 'on', LOGIN_INSIGHT: 'off' });
    try {
      const root = new Http(quiet.baseUrl, quiet.adminKey);
      const user = await makeUser(root);
      for (const ip of [LONDON, SYDNEY, MOUNTAIN_VIEW])
        await root.post('/api/hub/v1/sessions', { user: user.id, ip, userAgent: USER_AGENTS.curl });
      const events = await quiet.sql<{ kind: string }>(`SELECT DISTINCT kind FROM session_events`);
      expect(events.map((e) => e.kind)).toEqual(['created']);
    } finally {
      await quiet.close();
    }
  });
});
