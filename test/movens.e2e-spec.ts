import { randomUUID } from 'node:crypto';
import { engines, startTestApp, TestApp } from './support/test-app';
import { Http, HttpResult } from './support/http';
import { makeSession, makeUser, MOBILE_APP_DEVICE, TestSession, TestUser, USER_AGENTS } from './support/factories';
import { CheckedHttp, MovensContract } from './support/movens-contract';

const LIST = '/api/admin/v1/authenticated-sessions/list';
const USER_SESSIONS = '/api/admin/v1/authenticated-sessions/user-sessions';
const REVOKE = '/api/admin/v1/authenticated-sessions/revoke';
const MOVENS_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const movensDate = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

function expectMessage(res: HttpResult, message: string): void {
  expect({ status: res.status, text: res.text }).toEqual({ status: 400, text: JSON.stringify({ Message: message }) });
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
}

function expectPaging(res: HttpResult, total: number, pageSize: number, page: number, link: string | null): void {
  expect(res.headers.get('x-total-count')).toBe(String(total));
  expect(res.headers.get('x-pagination')).toBe(
    JSON.stringify({
      TotalCount: total,
      PageSize: pageSize,
      CurrentPage: page,
      TotalPages: Math.ceil(total / pageSize),
    }),
  );
  expect(res.headers.get('link')).toBe(link);
}

describe.each(engines())('MOVENS admin face on %s', (engine) => {
  describe("users with live sessions, and one user's sessions", () => {
    let t: TestApp;
    let admin: Http;
    let movens: CheckedHttp;
    let olga: TestUser;
    let amy: TestUser;
    let ben: TestUser;
    let cat: TestUser;
    let dan: TestUser;
    let eve: TestUser;
    let zoe: TestUser;
    let amyPhone: TestSession;
    let amyAndroid: TestSession;
    let amyUnknown: TestSession;
    let amyExpired: TestSession;

    beforeAll(async () => {
      t = await startTestApp(engine);
      admin = new Http(t.baseUrl).as(t.adminKey);
      movens = new CheckedHttp(admin, await MovensContract.load(admin));
      olga = await makeUser(admin, { username: 'olga', isOperator: true });
      amy = await makeUser(admin, { username: 'amy' });
      ben = await makeUser(admin, { username: 'ben' });
      cat = await makeUser(admin, { username: 'cat' });
      dan = await makeUser(admin, { username: 'dan' });
      eve = await makeUser(admin, { username: 'eve', isOperator: true });
      zoe = await makeUser(admin, { username: 'zoe' });
      // Short-lived sessions first, so they have expired by the time the tests run.
      amyExpired = await makeSession(admin, amy, { ttlSeconds: 1 });
      await makeSession(admin, cat, { ttlSeconds: 1 });
      const started = Date.now();
      amyPhone = await makeSession(admin, amy, {
        userAgent: USER_AGENTS.iphone,
        device: MOBILE_APP_DEVICE,
      });
      amyAndroid = await makeSession(admin, amy, { userAgent: USER_AGENTS.androidChrome });
      amyUnknown = await makeSession(admin, amy, { userAgent: '' });
      await makeSession(admin, ben);
      const benEnded = await makeSession(admin, ben);
      expect((await admin.post(`/api/hub/v1/sessions/${benEnded.uuid}/end`)).status).toBe(200);
      const danEnded = await makeSession(admin, dan);
      expect((await admin.post(`/api/hub/v1/sessions/${danEnded.uuid}/end`)).status).toBe(200);
      await makeSession(admin, eve);
      await makeSession(admin, eve);
      // Fresh activity on the phone session makes it amy's newest.
      expect((await admin.post('/api/hub/v1/sessions/validate', { token: amyPhone.token })).status).toBe(200);
      await sleep(Math.max(0, 1200 - (Date.now() - started)));
    });
    afterAll(() => t?.close());

    it('should list users with live sessions ordered by name, counting live sessions only', async () => {
      const res = await movens.as(olga.key).get(LIST);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      // amy's expired session is not counted; cat (expired only), dan (ended only), zoe, olga and admin are absent.
      expect(res.text).toBe(
        JSON.stringify([
          { UserGuid: amy.uuid, UserName: 'amy', SessionCount: 3, IsOperator: false },
          { UserGuid: ben.uuid, UserName: 'ben', SessionCount: 1, IsOperator: false },
          { UserGuid: eve.uuid, UserName: 'eve', SessionCount: 2, IsOperator: true },
        ]),
      );
      expectPaging(res, 3, 20, 1, null);
      expect(amy.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    });

    it('should page the user list with headers whose arithmetic holds', async () => {
      const first = await movens.as(olga.key).get(`${LIST}?PageSize=2`);
      expect(first.body.map((u: any) => u.UserName)).toEqual(['amy', 'ben']);
      expectPaging(first, 3, 2, 1, `<${LIST}?PageIndex=2&PageSize=2>; rel="next"`);

      const second = await movens.as(olga.key).get(`${LIST}?PageIndex=2&PageSize=2`);
      expect(second.body.map((u: any) => u.UserName)).toEqual(['eve']);
      expectPaging(second, 3, 2, 2, `<${LIST}?PageIndex=1&PageSize=2>; rel="prev"`);

      const middle = await movens.as(olga.key).get(`${LIST}?PageIndex=2&PageSize=1`);
      expect(middle.body.map((u: any) => u.UserName)).toEqual(['ben']);
      expectPaging(
        middle,
        3,
        1,
        2,
        `<${LIST}?PageIndex=3&PageSize=1>; rel="next", <${LIST}?PageIndex=1&PageSize=1>; rel="prev"`,
      );
    });

    it('should answer a page past the end with [] and the true totals, its prev link leading to the last page', async () => {
      const past = await movens.as(olga.key).get(`${LIST}?PageIndex=7&PageSize=2`);
      expect(past.status).toBe(200);
      expect(past.text).toBe('[]');
      expectPaging(past, 3, 2, 7, `<${LIST}?PageIndex=2&PageSize=2>; rel="prev"`);
      const farthest = await movens.as(olga.key).get(`${LIST}?PageIndex=2147483647&PageSize=100`);
      expect(farthest.text).toBe('[]');
      expectPaging(farthest, 3, 100, 2147483647, `<${LIST}?PageIndex=1&PageSize=100>; rel="prev"`);
    });

    it('should match paging names case-insensitively and keep other query parameters in the links', async () => {
      const res = await movens.as(olga.key).get(`${LIST}?filter=a%20b&pageindex=2&PAGESIZE=1&x=1`);
      expect(res.body.map((u: any) => u.UserName)).toEqual(['ben']);
      expectPaging(
        res,
        3,
        1,
        2,
        `<${LIST}?filter=a%20b&x=1&PageIndex=3&PageSize=1>; rel="next", <${LIST}?filter=a%20b&x=1&PageIndex=1&PageSize=1>; rel="prev"`,
      );
      const trailingSlash = await movens.as(olga.key).get(`${LIST}/?pageSize=1`);
      expect(trailingSlash.body.map((u: any) => u.UserName)).toEqual(['amy']);
    });

    it('should refuse paging values that are not page numbers or sizes with err_InvalidRequest', async () => {
      const bad = [
        'PageIndex=0',
        'PageIndex=-1',
        'PageIndex=1.5',
        'PageIndex=abc',
        'PageIndex=',
        'PageIndex=2147483648',
        'PageIndex=%201',
        'PageSize=0',
        'PageSize=-5',
        'PageSize=101',
        'PageSize=1000000',
        'PageSize=99999999999999999999999',
        'PageSize=1e2',
        'PageSize=1&PageSize=2',
        'pagesize=1&PageSize=1',
        'PageSize=1;DROP TABLE sessions',
        "PageIndex=1'%20OR%20'1'='1",
        'PageSize=0x10',
        'PageSize=%EF%BC%91',
      ];
      for (const query of bad) {
        for (const path of [LIST, `${USER_SESSIONS}/${amy.uuid}`]) {
          const res = await movens.as(olga.key).get(`${path}?${query}`);
          expect([query, res.status, res.text]).toEqual([query, 400, '{"Message":"err_InvalidRequest"}']);
          expect(res.headers.get('x-total-count')).toBeNull();
        }
      }
      // Parameters that only look like paging ones are not paging ones (ASP.NET binds by exact name).
      expect((await movens.as(olga.key).get(`${LIST}?PageSize[]=1&Page=0&Size=-1`)).body).toHaveLength(3);
      expect((await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM sessions`))[0].n).toBe(10);
    });

    it("should list a user's live sessions newest activity first, with device strings from login data, user agent or literals", async () => {
      const res = await movens.as(olga.key).get(`${USER_SESSIONS}/${amy.uuid}`);
      expect(res.status).toBe(200);
      const hub = async (s: TestSession) => (await admin.get(`/api/hub/v1/sessions/${s.uuid}`)).body;
      const [phone, android, unknown] = [await hub(amyPhone), await hub(amyAndroid), await hub(amyUnknown)];
      const row = (s: any, Smartphone: string, OperatingSystem: string, Application: string) => ({
        ID: s.id,
        UserID: amy.id,
        UserGuid: amy.uuid,
        LastUpdated: movensDate(s.lastSeen.at),
        ExpirationDate: movensDate(s.expiresAt),
        UserName: 'amy',
        IsOperator: false,
        Smartphone,
        OperatingSystem,
        Application,
      });
      expect(res.text).toBe(
        JSON.stringify([
          row(phone, 'Apple-iPhone 15', 'iOS- v. 17.2', 'Movens- v. 3.4.1'),
          row(unknown, '-', 'Other- v. ', 'Other- v. '),
          row(android, 'Google-Pixel 8', 'Android- v. 14', 'Chrome Mobile- v. 120.0.6099'),
        ]),
      );
      for (const item of res.body) {
        expect(item.LastUpdated).toMatch(MOVENS_DATE);
        expect(item.ExpirationDate).toMatch(MOVENS_DATE);
      }
      expect(res.body.map((s: any) => s.ID)).not.toContain(amyExpired.id);
      expectPaging(res, 3, 20, 1, null);
    });

    it("should page a user's sessions with links on the user's lower-case GUID", async () => {
      const upper = amy.uuid.toUpperCase();
      const first = await movens.as(olga.key).get(`${USER_SESSIONS}/${upper}?PageSize=2`);
      expect(first.body.map((s: any) => s.ID)).toEqual([amyPhone.id, amyUnknown.id]);
      expectPaging(first, 3, 2, 1, `<${USER_SESSIONS}/${amy.uuid}?PageIndex=2&PageSize=2>; rel="next"`);
      const second = await movens.as(olga.key).get(`${USER_SESSIONS}/{${upper}}?PageIndex=2&PageSize=2`);
      expect(second.body.map((s: any) => s.ID)).toEqual([amyAndroid.id]);
      expectPaging(second, 3, 2, 2, `<${USER_SESSIONS}/${amy.uuid}?PageIndex=1&PageSize=2>; rel="prev"`);
      const past = await movens
        .as(olga.key)
        .get(`${USER_SESSIONS}/${amy.uuid.replace(/-/g, '')}?PageIndex=3&PageSize=2`);
      expect(past.text).toBe('[]');
      expectPaging(past, 3, 2, 3, `<${USER_SESSIONS}/${amy.uuid}?PageIndex=2&PageSize=2>; rel="prev"`);
    });

    it('should show operators as operators and answer [] for users without live sessions or unknown GUIDs', async () => {
      const evesSessions = await movens.as(olga.key).get(`${USER_SESSIONS}/${eve.uuid}`);
      expect(evesSessions.body).toHaveLength(2);
      expect(
        evesSessions.body.every((s: any) => s.IsOperator === true && s.UserName === 'eve' && s.UserID === eve.id),
      ).toBe(true);
      for (const guid of [cat.uuid, dan.uuid, zoe.uuid, randomUUID()]) {
        const res = await movens.as(olga.key).get(`${USER_SESSIONS}/${guid}`);
        expect({ status: res.status, text: res.text }).toEqual({ status: 200, text: '[]' });
        expectPaging(res, 0, 20, 1, null);
      }
    });

    it("should show a user's new operator flag and an ended session at once, however often the list was read", async () => {
      const fay = await makeUser(admin);
      const fays: TestSession[] = [];
      for (let i = 0; i < 3; i++) fays.push(await makeSession(admin, fay));
      // Enough lists for the kept rows to be worth asking for first (RenderedRows' hit ratio), with changes between.
      for (let round = 0; round < 20; round++) {
        if (round === 10) await t.sql(`UPDATE users SET is_operator = true WHERE id = $1`, [fay.id]);
        if (round === 15) expect((await admin.post(`/api/hub/v1/sessions/${fays[1].uuid}/end`)).status).toBe(200);
        const res = await movens.as(olga.key).get(`${USER_SESSIONS}/${fay.uuid}`);
        expect(res.text).toBe(JSON.stringify(res.body));
        const expected = fays.filter((_, i) => round < 15 || i !== 1).map((s) => s.id);
        expect(res.body.map((s: any) => s.ID).sort((a: number, b: number) => a - b)).toEqual(expected);
        expect(res.body.map((s: any) => s.IsOperator)).toEqual(expected.map(() => round >= 10));
        expect(res.headers.get('x-total-count')).toBe(String(expected.length));
      }
      // The user list the later tests read stays as it was.
      for (const session of [fays[0], fays[2]])
        expect((await admin.post(`/api/hub/v1/sessions/${session.uuid}/end`)).status).toBe(200);
    });

    it('should refuse malformed GUIDs with err_InvalidGuid, before looking at paging', async () => {
      const bad = [
        'not-a-guid',
        '123',
        'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
        amy.uuid.slice(0, 35),
        `${amy.uuid}0`,
        `${amy.uuid.slice(0, 8)}${amy.uuid.slice(8)}-`,
        `${amy.uuid.slice(0, 9)}-${amy.uuid.slice(9)}`,
        encodeURIComponent("' OR '1'='1"),
        encodeURIComponent('1;DROP TABLE sessions'),
        encodeURIComponent(`${amy.uuid}' --`),
        encodeURIComponent(`{${amy.uuid}`),
        '%00',
        'x'.repeat(400),
        encodeURIComponent(amy.username),
      ];
      for (const guid of bad)
        expectMessage(await movens.as(olga.key).get(`${USER_SESSIONS}/${guid}?PageSize=0`), 'err_InvalidGuid');
    });

    it('should let superusers and operators signed in with a session token use the face', async () => {
      expect((await movens.get(LIST)).body).toHaveLength(3);
      const olgaSession = await makeSession(admin, olga);
      const res = await movens.as(olgaSession.token).get(LIST);
      expect(res.status).toBe(200);
      // olga now has a live session herself: she is listed, as an operator.
      expect(res.body.map((u: any) => [u.UserName, u.IsOperator])).toEqual([
        ['amy', false],
        ['ben', false],
        ['eve', true],
        ['olga', true],
      ]);
    });
  });

  describe('revoke, credentials and permissions', () => {
    let t: TestApp;
    let admin: Http;
    let anon: CheckedHttp;
    let movens: CheckedHttp;
    let olga: TestUser;
    let ann: TestUser;
    let bo: TestUser;

    beforeAll(async () => {
      t = await startTestApp(engine);
      admin = new Http(t.baseUrl).as(t.adminKey);
      anon = new CheckedHttp(new Http(t.baseUrl), await MovensContract.load(admin));
      olga = await makeUser(admin, { username: 'olga', isOperator: true });
      ann = await makeUser(admin, { username: 'ann' });
      bo = await makeUser(admin, { username: 'bo' });
      movens = anon.as(olga.key);
    });
    afterAll(() => t?.close());

    const stored = async (id: number) =>
      (await t.sql<any>(`SELECT status, ended_by, ended_at FROM sessions WHERE id = $1`, [id]))[0];
    const events = async (id: number) =>
      t.sql<any>(`SELECT kind, actor_user_id, face FROM session_events WHERE session_id = $1 ORDER BY id`, [id]);

    it("should let an operator revoke another user's session: 200 {}, stored with its event, gone from every list", async () => {
      const session = await makeSession(admin, ann);
      const kept = await makeSession(admin, ann);
      const res = await movens.post(REVOKE, { Session: session.id });
      expect({ status: res.status, text: res.text }).toEqual({ status: 200, text: '{}' });
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await stored(session.id)).toMatchObject({ status: 'revoked', ended_by: olga.id });
      expect((await stored(session.id)).ended_at).not.toBeNull();
      expect(await events(session.id)).toEqual([
        { kind: 'created', actor_user_id: null, face: 'hub' },
        { kind: 'revoked', actor_user_id: olga.id, face: 'movens' },
      ]);
      expect((await admin.post('/api/hub/v1/sessions/validate', { token: session.token })).status).toBe(401);
      const list = await movens.get(`${USER_SESSIONS}/${ann.uuid}`);
      expect(list.body.map((s: any) => s.ID)).toEqual([kept.id]);
      expect((await movens.get(LIST)).body).toEqual([
        { UserGuid: ann.uuid, UserName: 'ann', SessionCount: 1, IsOperator: false },
      ]);
      expect((await stored(kept.id)).status).toBe('authenticated');
    });

    it('should answer err_NoActiveSession for unknown, already revoked, ended and expired sessions', async () => {
      const revoked = await makeSession(admin, ann);
      expect((await movens.post(REVOKE, { Session: revoked.id })).status).toBe(200);
      const ended = await makeSession(admin, ann);
      expect((await admin.post(`/api/hub/v1/sessions/${ended.uuid}/end`)).status).toBe(200);
      const expired = await makeSession(admin, ann, { ttlSeconds: 1 });
      await sleep(1100);
      for (const id of [revoked.id, ended.id, expired.id, 987654321, 0, -5, 2147483647, -2147483648]) {
        expectMessage(await movens.post(REVOKE, { Session: id }), 'err_NoActiveSession');
      }
      expect(await stored(ended.id)).toMatchObject({ status: 'complete' });
      expect((await events(revoked.id)).filter((e: any) => e.kind === 'revoked')).toHaveLength(1);
      expect((await events(expired.id)).map((e: any) => e.kind)).toEqual(['created']);
    });

    it('should answer err_InvalidRequest for a body without an integer Session, malformed JSON included', async () => {
      const session = await makeSession(admin, ann);
      const bodies: unknown[] = [
        {},
        { Session: String(session.id) },
        { Session: session.id + 0.5 },
        { Session: null },
        { Session: true },
        { Session: [session.id] },
        { Session: { id: session.id } },
        { Session: 2147483648 },
        { Session: -2147483649 },
        { Session: 1e300 },
        { SessionId: session.id },
        [],
        [session.id],
        null,
        session.id,
        'Session',
      ];
      for (const body of bodies) expectMessage(await movens.post(REVOKE, body), 'err_InvalidRequest');
      const raw = [
        '{"Session": ',
        `{Session: ${session.id}}`,
        `{"Session": ${session.id},}`,
        "{'Session': 1}",
        '',
        'null',
      ];
      for (const rawBody of raw) expectMessage(await movens.request('POST', REVOKE, { rawBody }), 'err_InvalidRequest');
      expectMessage(await movens.request('POST', REVOKE), 'err_InvalidRequest');
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data'])
        expectMessage(
          await movens.request('POST', REVOKE, { rawBody: `Session=${session.id}`, headers: { 'content-type': type } }),
          'err_InvalidRequest',
        );
      expect((await stored(session.id)).status).toBe('authenticated');
    });

    it('should read the Session key case-insensitively, as ASP.NET binds JSON, and ignore other keys', async () => {
      const session = await makeSession(admin, ann);
      expect((await movens.post(REVOKE, { session: session.id, Reason: 'x' })).text).toBe('{}');
      expect((await stored(session.id)).status).toBe('revoked');
    });

    it('should let a superuser revoke too', async () => {
      const session = await makeSession(admin, bo);
      expect((await anon.as(t.adminKey).post(REVOKE, { Session: session.id })).text).toBe('{}');
      expect(await stored(session.id)).toMatchObject({ status: 'revoked', ended_by: 1 });
    });

    it('should answer 401 with an empty body and WWW-Authenticate: Bearer for missing or bad tokens', async () => {
      const session = await makeSession(admin, ann);
      const revokedOperatorSession = await makeSession(admin, olga);
      expect((await movens.post(REVOKE, { Session: revokedOperatorSession.id })).status).toBe(200);
      const credentials: { key?: string | null; headers?: Record<string, string> }[] = [
        { key: null },
        { key: 'not-a-real-token' },
        { key: revokedOperatorSession.token },
        { key: null, headers: { authorization: 'Bearer ' } },
        { key: null, headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` } },
        { key: null, headers: { authorization: t.adminKey } },
        { key: `${t.adminKey}' OR '1'='1` },
      ];
      for (const credential of credentials) {
        const responses = [
          await anon.get(LIST, credential),
          await anon.get(`${USER_SESSIONS}/${ann.uuid}`, credential),
          await anon.get(`${USER_SESSIONS}/not-a-guid?PageSize=0`, credential),
          await anon.request('POST', REVOKE, { ...credential, body: { Session: session.id } }),
          await anon.request('POST', REVOKE, { ...credential, rawBody: '{"Session":' }),
        ];
        for (const res of responses) {
          expect({ status: res.status, text: res.text, auth: res.headers.get('www-authenticate') }).toEqual({
            status: 401,
            text: '',
            auth: 'Bearer',
          });
          expect(res.headers.get('content-type')).toBeNull();
        }
      }
      expect((await stored(session.id)).status).toBe('authenticated');
    });

    it('should answer 403 with an empty body to authenticated users who are not operators, before reading input', async () => {
      const annSession = await makeSession(admin, ann);
      const boSession = await makeSession(admin, bo);
      for (const key of [bo.key, boSession.token]) {
        const responses = [
          await anon.as(key).get(LIST),
          await anon.as(key).get(`${USER_SESSIONS}/${ann.uuid}`),
          await anon.as(key).get(`${USER_SESSIONS}/${bo.uuid}`),
          await anon.as(key).get(`${USER_SESSIONS}/not-a-guid?PageSize=1000`),
          await anon.as(key).post(REVOKE, { Session: annSession.id }),
          await anon.as(key).post(REVOKE, { Session: boSession.id }),
          await anon.as(key).post(REVOKE, { Session: 'x' }),
          await anon.as(key).request('POST', REVOKE, { rawBody: '{"Session":' }),
        ];
        for (const res of responses) {
          expect({ status: res.status, text: res.text, auth: res.headers.get('www-authenticate') }).toEqual({
            status: 403,
            text: '',
            auth: null,
          });
        }
      }
      expect((await stored(annSession.id)).status).toBe('authenticated');
      expect((await stored(boSession.id)).status).toBe('authenticated');
    });

    it('should revoke a session once when several revocations race, answering the others err_NoActiveSession', async () => {
      const session = await makeSession(admin, ann);
      const results = await Promise.all(Array.from({ length: 6 }, () => movens.post(REVOKE, { Session: session.id })));
      const texts = results.map((r) => r.text).sort();
      expect(texts).toEqual([...Array(5).fill('{"Message":"err_NoActiveSession"}'), '{}']);
      expect((await events(session.id)).filter((e: any) => e.kind === 'revoked')).toHaveLength(1);
    });

    it('should answer unknown paths under /api/admin with an empty 404 and wrong methods with an empty 405 and Allow', async () => {
      const raw = new Http(t.baseUrl, olga.key);
      for (const [method, path, allow] of [
        ['GET', REVOKE, 'POST'],
        ['DELETE', LIST, 'GET'],
        ['PUT', `${USER_SESSIONS}/${ann.uuid}`, 'GET'],
        ['POST', `${LIST}/`, 'GET'],
      ]) {
        const res = await raw.request(method, path, { key: null });
        expect({ method, path, status: res.status, text: res.text, allow: res.headers.get('allow') }).toEqual({
          method,
          path,
          status: 405,
          text: '',
          allow,
        });
      }
      for (const path of [
        '/api/admin',
        '/api/admin/v1/authenticated-sessions',
        `${USER_SESSIONS}/`,
        `${USER_SESSIONS}/${ann.uuid}/x`,
        '/api/admin/v2/x',
        `${LIST}//`,
        '/api/admin//v1/authenticated-sessions/list',
      ]) {
        const res = await raw.get(path);
        expect({ path, status: res.status, text: res.text }).toEqual({ path, status: 404, text: '' });
      }
    });

    it('should let an operator signed in with a session token revoke that very session, which then stops working', async () => {
      const own = await makeSession(admin, olga);
      expect((await anon.as(own.token).post(REVOKE, { Session: own.id })).text).toBe('{}');
      const after = await anon.as(own.token).get(LIST);
      expect({ status: after.status, text: after.text }).toEqual({ status: 401, text: '' });
    });
  });

  describe('OpenAPI document', () => {
    let t: TestApp;
    let anon: Http;

    beforeAll(async () => {
      t = await startTestApp(engine);
      anon = new Http(t.baseUrl);
    });
    afterAll(() => t?.close());

    it("should serve the face's document with the three operations, their summaries and PascalCase schemas", async () => {
      const res = await anon.get('/api/docs/movens.json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(res.body.servers).toEqual([{ url: '/api/admin' }]);
      const operations = Object.entries<any>(res.body.paths).flatMap(([path, item]) =>
        Object.entries<any>(item).map(([method, op]) => [method, path, op.summary]),
      );
      expect(operations).toEqual([
        ['get', '/v1/authenticated-sessions/list', 'Gets the list of authenticated users with active session count'],
        [
          'get',
          '/v1/authenticated-sessions/user-sessions/{guid}',
          'Gets list of active session for authenticated user',
        ],
        ['post', '/v1/authenticated-sessions/revoke', 'Revoke the specified session'],
      ]);
      const schemas = res.body.components.schemas;
      for (const [name, schema] of Object.entries<any>(schemas)) {
        expect(name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
        for (const key of Object.keys(schema.properties ?? {})) expect(key).toMatch(/^[A-Z][A-Za-z]*$/);
      }
      expect(Object.keys(schemas.MovensUserSession.properties)).toEqual([
        'ID',
        'UserID',
        'UserGuid',
        'LastUpdated',
        'ExpirationDate',
        'UserName',
        'IsOperator',
        'Smartphone',
        'OperatingSystem',
        'Application',
      ]);
      expect(Object.keys(schemas.MovensUserSessionCount.properties)).toEqual([
        'UserGuid',
        'UserName',
        'SessionCount',
        'IsOperator',
      ]);
      expect(schemas.MovensRevokeRequest.properties.Session.type).toBe('integer');
    });

    it('should check responses strictly enough to catch what the document does not allow', async () => {
      const contract = await MovensContract.load(anon);
      const json = (status: number, body: unknown): HttpResult => ({
        status,
        text: JSON.stringify(body),
        body,
        headers: new Headers({ 'content-type': 'application/json; charset=utf-8' }),
      });
      const row = { UserGuid: randomUUID(), UserName: 'u', SessionCount: 1, IsOperator: false };
      expect(() => contract.check('GET', LIST, json(200, [row]))).not.toThrow();
      expect(() => contract.check('GET', LIST, json(200, [{ ...row, Extra: 1 }]))).toThrow(
        /must NOT have additional properties/,
      );
      expect(() => contract.check('GET', LIST, json(200, [{ ...row, UserGuid: 'x' }]))).toThrow(/format "uuid"/);
      expect(() => contract.check('GET', LIST, json(200, [{ ...row, SessionCount: '1' }]))).toThrow(/must be integer/);
      expect(() => contract.check('GET', LIST, json(404, {}))).toThrow(/not documented/);
      expect(() => contract.check('POST', REVOKE, json(200, { ok: true }))).toThrow(/additional properties/);
      expect(() => contract.check('POST', REVOKE, json(400, { Message: 'err_Other' }))).toThrow(/allowed values/);
      expect(() => contract.check('GET', LIST, { ...json(401, {}), text: '{}' })).toThrow(/documents no body/);
      expect(() => contract.check('DELETE', REVOKE, json(200, {}))).toThrow(/no such operation/);
    });

    it('should offer the document in Swagger UI', async () => {
      const page = await anon.get('/api/docs');
      expect(page.status).toBe(200);
      expect(page.text).toContain('swagger-ui');
      const init = await anon.get('/api/docs/swagger-ui-init.js');
      expect(init.status).toBe(200);
      expect(init.text).toContain('/api/docs/movens.json');
    });
  });
});
