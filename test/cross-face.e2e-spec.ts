import { makeSession, makeUser, TestUser, USER_AGENTS } from './support/factories';
import { Http } from './support/http';
import { PrefactorClient, PrefactorContract } from './support/prefactor-contract';
import { engines, startTestApp, TestApp } from './support/test-app';

const AUTHENTIK = '/api/v3/core/authenticated_sessions';

/** One session store behind two faces: authentik's and Prefactor's views of the same session must agree. */
describe.each(engines())('authentik and Prefactor faces on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let pf: PrefactorClient;
  let dave: TestUser;

  beforeAll(async () => {
    t = await startTestApp(engine);
    admin = new Http(t.baseUrl, t.adminKey);
    pf = new PrefactorClient(new Http(t.baseUrl), await PrefactorContract.load(t.baseUrl)).as(t.adminKey);
    dave = await makeUser(admin, { username: 'xf-dave' });
  });
  afterAll(() => t?.close());

  it('should show the same last seen time, IP and user agent through both faces, before and after activity', async () => {
    const s = await makeSession(admin, dave, { ip: '198.51.100.4', userAgent: USER_AGENTS.windowsChrome });
    const agree = async (ip: string, userAgent: string) => {
      const ak = await admin.get(`${AUTHENTIK}/${s.uuid}/`);
      const pfRes = await pf.get(`/api/v1/session/${s.pfid}`);
      expect(ak.status).toBe(200);
      expect(pfRes.status).toBe(200);
      const lastSeen = pfRes.body.summary.last_seen;
      expect(ak.body.last_ip).toBe(ip);
      expect(lastSeen.remote_ip).toBe(ip);
      expect(ak.body.last_user_agent).toBe(userAgent);
      expect(lastSeen.user_agent).toBe(userAgent);
      // authentik shows the time to the microsecond, Prefactor in whole seconds.
      expect(lastSeen.at).toBe(Math.floor(Date.parse(ak.body.last_used) / 1000));
      expect(ak.body.user).toBe(dave.id);
    };
    await agree('198.51.100.4', USER_AGENTS.windowsChrome);
    const moved = await admin.post('/api/hub/v1/sessions/validate', {
      token: s.token,
      ip: '2001:db8::44',
      userAgent: USER_AGENTS.androidChrome,
    });
    expect(moved.status).toBe(200);
    await agree('2001:db8::44', USER_AGENTS.androidChrome);
  });

  it('should list the same live sessions of a user through both faces', async () => {
    const erin = await makeUser(admin, { username: 'xf-erin' });
    const sessions = [];
    for (let i = 0; i < 3; i++) sessions.push(await makeSession(admin, erin, { title: `s${i}` }));
    const ak = await admin.get(`${AUTHENTIK}/?user__username=xf-erin&ordering=-session__last_used`);
    expect(ak.status).toBe(200);
    const pool = (await pf.get(`/api/v1/session/${sessions[0].pfid}`)).body.summary.pool_id;
    const pfList = await pf.as(erin.key).get(`/api/v1/session?pool_id=${pool}&sorting=-last_seen`);
    // Both most recently seen first.
    expect(ak.body.results.map((r: any) => r.uuid)).toEqual(sessions.map((s) => s.uuid).reverse());
    expect(pfList.body.summaries.map((r: any) => r.id)).toEqual(sessions.map((s) => s.pfid).reverse());
    expect(pfList.body.summaries.map((r: any) => r.last_seen.at)).toEqual(
      ak.body.results.map((r: any) => Math.floor(Date.parse(r.last_used) / 1000)),
    );
  });

  it('should make a session revoked through Prefactor gone from authentik', async () => {
    const s = await makeSession(admin, dave);
    expect((await admin.get(`${AUTHENTIK}/${s.uuid}/`)).status).toBe(200);
    const revoked = await pf.as(dave.key).post(`/api/v1/session/${s.pfid}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(revoked.body.summary.status).toBe('revoked');
    expect((await admin.get(`${AUTHENTIK}/${s.uuid}/`)).status).toBe(404);
    expect((await admin.delete(`${AUTHENTIK}/${s.uuid}/`)).status).toBe(404);
    const list = await admin.get(`${AUTHENTIK}/?user__username=xf-dave&page_size=100`);
    expect(list.body.results.length).toBeGreaterThan(0);
    expect(list.body.results.map((r: any) => r.uuid)).not.toContain(s.uuid);
  });

  it('should make a session deleted through authentik revoked in Prefactor', async () => {
    const s = await makeSession(admin, dave);
    expect((await pf.get(`/api/v1/session/${s.pfid}`)).body.actions).toEqual({ revoke: true });
    expect((await admin.delete(`${AUTHENTIK}/${s.uuid}/`)).status).toBe(204);
    const after = await pf.get(`/api/v1/session/${s.pfid}`);
    expect(after.status).toBe(200);
    expect(after.body.actions).toEqual({ revoke: false });
    expect(after.body.summary.status).toBe('revoked');
    const again = await pf.post(`/api/v1/session/${s.pfid}/revoke`, {});
    expect([again.status, again.body.code]).toEqual([422, 'invalid_action']);
    const events = await admin.get(`/api/hub/v1/sessions/${s.uuid}/events`);
    expect(events.body.map((e: any) => [e.kind, e.face])).toEqual([
      ['created', 'hub'],
      ['revoked', 'authentik'],
    ]);
  });

  it("should keep each face's own answer for someone else's session: authentik 404, Prefactor 403", async () => {
    const s = await makeSession(admin, dave);
    const other = await makeUser(admin, { username: 'xf-frank' });
    expect((await admin.as(other.key).get(`${AUTHENTIK}/${s.uuid}/`)).status).toBe(404);
    expect((await pf.as(other.key).get(`/api/v1/session/${s.pfid}`)).status).toBe(403);
    expect((await admin.as(other.key).delete(`${AUTHENTIK}/${s.uuid}/`)).status).toBe(404);
    expect((await pf.as(other.key).post(`/api/v1/session/${s.pfid}/revoke`, {})).status).toBe(403);
    expect((await pf.get(`/api/v1/session/${s.pfid}`)).body.summary.status).toBe('authenticated');
  });
});
