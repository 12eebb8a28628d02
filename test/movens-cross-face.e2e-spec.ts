import { engines, startTestApp, TestApp } from './support/test-app';
import { Http } from './support/http';
import { makeSession, makeUser, TestSession, TestUser } from './support/factories';
import { CheckedHttp, MovensContract } from './support/movens-contract';

const REVOKE = '/api/admin/v1/authenticated-sessions/revoke';
const USER_SESSIONS = '/api/admin/v1/authenticated-sessions/user-sessions';
const LIST = '/api/admin/v1/authenticated-sessions/list';
const AUTHENTIK = '/api/v3/core/authenticated_sessions';
const PREFACTOR = '/api/v1/session';

/** One session store behind every face: a revocation made in one face is a revocation in all of them. */
describe.each(engines())('MOVENS revocations seen by the other faces on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let movens: CheckedHttp;
  let ann: TestUser;

  beforeAll(async () => {
    t = await startTestApp(engine);
    admin = new Http(t.baseUrl).as(t.adminKey);
    const olga = await makeUser(admin, { username: 'xm-olga', isOperator: true });
    movens = new CheckedHttp(new Http(t.baseUrl), await MovensContract.load(admin)).as(olga.key);
    ann = await makeUser(admin, { username: 'xm-ann' });
  });
  afterAll(() => t?.close());

  const movensIds = async () => (await movens.get(`${USER_SESSIONS}/${ann.uuid}`)).body.map((s: any) => s.ID);

  async function expectLiveEverywhere(session: TestSession): Promise<void> {
    expect((await admin.get(`${AUTHENTIK}/${session.uuid}/`)).status).toBe(200);
    const asAnn = await admin.get(`${AUTHENTIK}/${session.uuid}/`, { key: ann.key });
    expect(asAnn.status).toBe(200);
    const pf = await admin.get(`${PREFACTOR}/${session.pfid}`);
    expect(pf.status).toBe(200);
    expect(pf.body.summary.status).toBe('authenticated');
    expect(pf.body.actions).toEqual({ revoke: true });
    expect(await movensIds()).toContain(session.id);
  }

  it('should make a session revoked here revoked in the authentik and Prefactor faces too', async () => {
    const session = await makeSession(admin, ann);
    await expectLiveEverywhere(session);

    expect((await movens.post(REVOKE, { Session: session.id })).text).toBe('{}');

    for (const key of [t.adminKey, ann.key]) {
      const ak = await admin.get(`${AUTHENTIK}/${session.uuid}/`, { key });
      expect({ status: ak.status, body: ak.body }).toEqual({
        status: 404,
        body: { detail: 'No AuthenticatedSession matches the given query.' },
      });
      const akList = await admin.get(`${AUTHENTIK}/?user=${ann.id}`, { key });
      expect(akList.body.results.map((s: any) => s.uuid)).not.toContain(session.uuid);
    }
    expect((await admin.delete(`${AUTHENTIK}/${session.uuid}/`)).status).toBe(404);

    const pf = await admin.get(`${PREFACTOR}/${session.pfid}`);
    expect(pf.status).toBe(200);
    expect(pf.body.summary.status).toBe('revoked');
    expect(pf.body.actions).toEqual({ revoke: false });
    const pfAgain = await admin.post(`${PREFACTOR}/${session.pfid}/revoke`, {});
    expect({ status: pfAgain.status, code: pfAgain.body.code }).toEqual({ status: 422, code: 'invalid_action' });

    expect((await admin.post('/api/hub/v1/sessions/validate', { token: session.token })).status).toBe(401);
    // The revocation was recorded once, by the MOVENS face: the later attempts in other faces changed nothing.
    const events = await t.sql<any>(
      `SELECT kind, face FROM session_events WHERE session_id = $1 AND kind = 'revoked'`,
      [session.id],
    );
    expect(events).toEqual([{ kind: 'revoked', face: 'movens' }]);
  });

  it('should drop sessions revoked in the authentik and Prefactor faces from MOVENS, which then refuses to revoke them', async () => {
    const viaAuthentik = await makeSession(admin, ann);
    const viaPrefactor = await makeSession(admin, ann);
    const kept = await makeSession(admin, ann);
    expect((await admin.delete(`${AUTHENTIK}/${viaAuthentik.uuid}/`)).status).toBe(204);
    expect((await admin.post(`${PREFACTOR}/${viaPrefactor.pfid}/revoke`, {})).status).toBe(200);

    const ids = await movensIds();
    expect(ids).toContain(kept.id);
    expect(ids).not.toContain(viaAuthentik.id);
    expect(ids).not.toContain(viaPrefactor.id);
    const listed = (await movens.get(LIST)).body.find((u: any) => u.UserGuid === ann.uuid);
    expect(listed.SessionCount).toBe(ids.length);
    for (const gone of [viaAuthentik, viaPrefactor]) {
      const res = await movens.post(REVOKE, { Session: gone.id });
      expect({ status: res.status, text: res.text }).toEqual({
        status: 400,
        text: '{"Message":"err_NoActiveSession"}',
      });
    }
  });
});
