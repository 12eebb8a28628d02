/**
 * What authentik 2026 answers around the data, byte for byte: microsecond timestamps, OPTIONS metadata, the bare
 * `application/json` content type, the bearer key read after the first space, DRF's order of checks and its content
 * negotiation. Expected bodies are DRF 3.17's and drf-orjson-renderer's (compact JSON).
 */
import { engines, startTestApp, TestApp } from './support/test-app';
import { Http, HttpResult } from './support/http';
import { makeSession, makeUser, TestSession, TestUser } from './support/factories';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BASE } from './authentik-support';

const NOT_PROVIDED = '{"detail":"Authentication credentials were not provided."}';
const NO_PERMISSION = '{"detail":"You do not have permission to perform this action."}';
const TOKEN_INVALID = '{"detail":"Token invalid/expired"}';
const notAllowed = (method: string) => `{"detail":"Method \\"${method}\\" not allowed."}`;

describe.each(engines())('authentik face, DRF conventions, on %s', (engine) => {
  let t: TestApp;
  let anon: Http;
  let admin: Http;
  let plain: Http;
  let carol: TestUser;
  let session: TestSession;

  beforeAll(async () => {
    t = await startTestApp(engine);
    anon = new Http(t.baseUrl);
    admin = anon.as(t.adminKey);
    carol = await makeUser(admin, { username: 'carol' });
    plain = anon.as(carol.key);
    session = await makeSession(admin, carol, { ip: '192.0.2.10' });
  });
  afterAll(() => t?.close());

  function expectExactly(res: HttpResult, status: number, text: string): void {
    expect({ status: res.status, text: res.text }).toEqual({ status, text });
    expect(res.headers.get('content-type')).toBe('application/json');
  }

  it('should print last_used and expires with the microseconds the row holds', async () => {
    await t.sql(
      `UPDATE sessions SET last_seen_at = '2026-11-20 08:47:09.980787+00', expires_at = '2099-04-20 08:47:25.000001+00'
        WHERE uuid = $1`,
      [session.uuid],
    );
    const retrieved = await admin.get(`${BASE}/${session.uuid}/`);
    expect(retrieved.text).toContain(
      '"last_used":"2026-11-20T08:47:09.980787Z","expires":"2099-04-20T08:47:25.000001Z"}',
    );
    const listed = await admin.get(`${BASE}/?user__username=carol`);
    expect(listed.text).toContain('"last_used":"2026-11-20T08:47:09.980787Z","expires":"2099-04-20T08:47:25.000001Z"}');
    // A whole second prints without a fraction, as Python's isoformat does.
    await t.sql(`UPDATE sessions SET last_seen_at = '2026-11-20 08:47:09+00' WHERE uuid = $1`, [session.uuid]);
    expect((await admin.get(`${BASE}/${session.uuid}/`)).text).toContain('"last_used":"2026-11-20T08:47:09Z"');
  });

  it("should answer OPTIONS with DRF's metadata of each route", async () => {
    const metadata = (name: string, description: string) =>
      `{"name":"${name}","description":"${description}","renders":["application/json"],"parses":["application/json"]}`;
    const cases: [string, string, string][] = [
      [`${BASE}/`, metadata('Authenticated Session List', 'AuthenticatedSession Viewset'), 'GET, HEAD, OPTIONS'],
      [
        `${BASE}/${session.uuid}/`,
        metadata('Authenticated Session Instance', 'AuthenticatedSession Viewset'),
        'GET, DELETE, HEAD, OPTIONS',
      ],
      [
        `${BASE}/${session.uuid}/used_by/`,
        metadata('Used by', 'Get a list of all objects that use this object'),
        'GET, HEAD, OPTIONS',
      ],
      [
        `${BASE}/bulk_delete/`,
        metadata('Bulk delete', 'Bulk revoke all sessions for multiple users'),
        'DELETE, OPTIONS',
      ],
    ];
    for (const [path, body, allow] of cases) {
      for (const caller of [admin, plain]) {
        const res = await caller.request('OPTIONS', path);
        expectExactly(res, 200, body);
        expect(res.headers.get('allow')).toBe(allow);
      }
    }
    // Without credentials: the list needs an authenticated caller; detail routes let everyone through.
    expectExactly(await anon.request('OPTIONS', `${BASE}/`), 403, NOT_PROVIDED);
    expectExactly(await anon.request('OPTIONS', `${BASE}/${session.uuid}/`), 200, cases[1][1]);
  });

  it("should send `Content-Type: application/json` without Fastify's charset, on answers and errors alike", async () => {
    for (const res of [
      await admin.get(`${BASE}/`),
      await admin.get(`${BASE}/${session.uuid}/`),
      await admin.get(`${BASE}/00000000-0000-0000-0000-000000000000/`),
      await anon.get(`${BASE}/`),
      await admin.request('PUT', `${BASE}/`),
      await admin.delete(`${BASE}/bulk_delete/`),
      await admin.get(`${BASE}/?page=99`),
    ]) {
      expect([res.status, res.headers.get('content-type')]).toEqual([res.status, 'application/json']);
    }
    // The other faces keep Fastify's type.
    expect((await admin.get('/api/hub/v1/users')).headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('should read the key after the first space, as authentik does: two spaces are a wrong key', async () => {
    const res = await anon.get(`${BASE}/`, { headers: { authorization: `Bearer  ${t.adminKey}` } });
    expectExactly(res, 403, TOKEN_INVALID);
    expect((await anon.get(`${BASE}/`, { headers: { authorization: `bearer ${t.adminKey}` } })).status).toBe(200);
    // RFC 6750 allows one or more spaces; the other faces keep accepting them.
    const hub = await anon.get('/api/hub/v1/users', { headers: { authorization: `Bearer  ${t.adminKey}` } });
    expect(hub.status).toBe(200);
  });

  it("should check in DRF's order: negotiation, authentication, permission, then the method", async () => {
    const wrong = anon.as('not-a-key');
    const detail = `${BASE}/${session.uuid}/`;
    const cases: [string, Http, string, string, number, string][] = [
      // [who, caller, method, path, status, body]
      ['plain user', plain, 'POST', `${BASE}/`, 403, NO_PERMISSION],
      ['superuser', admin, 'POST', `${BASE}/`, 405, notAllowed('POST')],
      ['anonymous', anon, 'POST', `${BASE}/`, 403, NOT_PROVIDED],
      ['wrong key', wrong, 'POST', `${BASE}/`, 403, TOKEN_INVALID],
      ['plain user', plain, 'DELETE', `${BASE}/`, 403, NO_PERMISSION],
      ['superuser', admin, 'DELETE', `${BASE}/`, 405, notAllowed('DELETE')],
      ['plain user', plain, 'PATCH', `${BASE}/`, 403, NO_PERMISSION],
      ['plain user', plain, 'GET', `${BASE}/bulk_delete/`, 405, notAllowed('GET')],
      ['anonymous', anon, 'GET', `${BASE}/bulk_delete/`, 403, NOT_PROVIDED],
      ['plain user', plain, 'PUT', `${BASE}/bulk_delete/`, 403, NO_PERMISSION],
      ['superuser', admin, 'PUT', `${BASE}/bulk_delete/`, 405, notAllowed('PUT')],
      ['anonymous', anon, 'PUT', detail, 405, notAllowed('PUT')],
      ['anonymous', anon, 'PATCH', detail, 405, notAllowed('PATCH')],
      ['anonymous', anon, 'POST', `${detail}used_by/`, 405, notAllowed('POST')],
      ['anonymous', anon, 'DELETE', `${detail}used_by/`, 405, notAllowed('DELETE')],
      ['plain user', plain, 'PUT', detail, 405, notAllowed('PUT')],
      ['wrong key', wrong, 'PUT', detail, 403, TOKEN_INVALID],
      // authentik fails with a 500 here (its owner filter meets an anonymous user); SessionHub says why.
      ['anonymous', anon, 'GET', detail, 403, NOT_PROVIDED],
      ['anonymous', anon, 'DELETE', detail, 403, NOT_PROVIDED],
    ];
    for (const [who, caller, method, path, status, body] of cases) {
      const res = await caller.request(method, path);
      expect([who, method, path, res.status, res.text]).toEqual([who, method, path, status, body]);
      expect(res.headers.get('content-type')).toBe('application/json');
    }
    expect((await t.sql(`SELECT status FROM sessions WHERE uuid = $1`, [session.uuid]))[0]).toEqual({
      status: 'authenticated',
    });
  });

  it('should negotiate content as DRF does: ?format= names a renderer, Accept must admit JSON', async () => {
    expectExactly(await admin.get(`${BASE}/?format=xml`), 404, '{"detail":"Not found."}');
    expectExactly(await admin.get(`${BASE}/${session.uuid}/?format=api`), 404, '{"detail":"Not found."}');
    // Before authentication: even without credentials.
    expectExactly(await anon.get(`${BASE}/?format=xml`), 404, '{"detail":"Not found."}');
    expect((await admin.get(`${BASE}/?format=json`)).status).toBe(200);
    const accepting = (accept: string) => admin.get(`${BASE}/`, { headers: { accept } });
    const refused = '{"detail":"Could not satisfy the request Accept header."}';
    for (const accept of ['text/html', 'application/xml', 'text/*', '*', 'application/json-patch'])
      expectExactly(await accepting(accept), 406, refused);
    expectExactly(await anon.get(`${BASE}/`, { headers: { accept: 'text/html' } }), 406, refused);
    for (const accept of [
      'application/json',
      'APPLICATION/JSON',
      'application/json; charset=utf-8',
      'application/*',
      '*/*',
      'text/html, application/xhtml+xml, */*;q=0.8',
      // DRF does not weigh q: a type it can render is accepted whatever its quality.
      'application/json;q=0',
    ])
      expect([accept, (await accepting(accept)).status]).toEqual([accept, 200]);
    // The 406 carries the view's Allow header, as every DRF answer does.
    expect((await accepting('text/html')).headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it("should store and answer every OS case of the shipped uap-core fixtures as authentik's parser does", async () => {
    const { test_cases: cases } = parse(
      readFileSync(join(__dirname, 'fixtures', 'uap-core', 'test_os.yaml'), 'utf8'),
    ) as { test_cases: Record<string, string | null>[] };
    const owner = await makeUser(admin, { username: 'fixture-owner' });
    const expected = new Map<string, Record<string, string | null>>();
    for (const { user_agent_string: agent, ...os } of cases) {
      const login = await admin.post('/api/hub/v1/sessions', { user: owner.id, ip: '192.0.2.1', userAgent: agent });
      expect([agent, login.status]).toEqual([agent, 201]);
      expected.set(agent!, { family: null, major: null, minor: null, patch: null, patch_minor: null, ...os });
    }
    const seen = new Map<string, unknown>();
    for (let page = 1; seen.size < expected.size; page++) {
      const res = await admin.get(`${BASE}/?user__username=fixture-owner&page_size=100&page=${page}`);
      expect(res.status).toBe(200);
      for (const item of res.body.results) seen.set(item.last_user_agent, item.user_agent.os);
    }
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(expected));
  }, 120_000);
});
