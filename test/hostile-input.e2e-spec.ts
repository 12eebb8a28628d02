import { connect } from 'node:net';
import { makeSession, makeUser, TestUser, USER_AGENTS } from './support/factories';
import { Http } from './support/http';
import { engines, startTestApp, TestApp } from './support/test-app';

const HUB_SESSIONS = '/api/hub/v1/sessions';
const AUTHENTIK = '/api/v3/core/authenticated_sessions/';
const PREFACTOR = '/api/v1/session';
const MOVENS = '/api/admin/v1/authenticated-sessions';

/** A JSON text nested `depth` levels deep. */
const deepJson = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/**
 * Input an attacker would send: every former 500 is now a clear 4xx in the face's own shape, the service stays up,
 * and nothing stored is lost.
 */
describe.each(engines())('hostile input on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let anon: Http;
  let owner: TestUser;

  beforeAll(async () => {
    t = await startTestApp(engine);
    admin = new Http(t.baseUrl, t.adminKey);
    anon = new Http(t.baseUrl);
    owner = await makeUser(admin, { username: `owner-${engine}` });
  });
  afterAll(() => t?.close());

  it('should refuse JSON nested thousands deep with each face’s 400, even anonymously', async () => {
    const body = deepJson(5000);
    const validate = await anon.request('POST', `${HUB_SESSIONS}/validate`, { rawBody: body });
    expect(validate.status).toBe(400);
    expect(validate.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const login = await admin.request('POST', HUB_SESSIONS, { rawBody: `{"user": ${deepJson(3000)}}` });
    expect(login.status).toBe(400);
    const pfid = (await makeSession(admin, owner)).pfid;
    const prefactor = await admin.request('POST', `${PREFACTOR}/${pfid}/revoke`, { rawBody: body });
    expect(prefactor.status).toBe(400);
    expect(prefactor.body).toMatchObject({ code: 'bad_request', status: 'error' });
    const movens = await admin.request('POST', `${MOVENS}/revoke`, { rawBody: `{"Session": ${deepJson(4000)}}` });
    expect(movens.status).toBe(400);
    expect(movens.body).toEqual({ Message: 'err_InvalidRequest' });
    // Nesting a real body needs is accepted.
    expect((await admin.post(`${HUB_SESSIONS}/validate`, { token: 'x'.repeat(10) }, { key: null })).status).toBe(401);
  });

  it('should answer NUL characters in hub fields, queries and paths with 400, never 500', async () => {
    const nul = '\u0000';
    const cases = [
      await admin.post('/api/hub/v1/users', { username: `nul-${engine}`, name: `a${nul}b` }),
      await admin.post('/api/hub/v1/tokens', { user: owner.id, description: `d${nul}` }),
      await admin.post(HUB_SESSIONS, { user: owner.id, ip: '192.0.2.1', userAgent: `ua${nul}` }),
      await admin.post(HUB_SESSIONS, { user: `x${nul}`, ip: '192.0.2.1', userAgent: 'ua' }),
      await admin.post(HUB_SESSIONS, { user: owner.id, ip: '192.0.2.1', userAgent: 'ua', title: nul }),
      await anon.post(`${HUB_SESSIONS}/validate`, { token: `shs_${nul}`, userAgent: nul }),
      await admin.get(`/api/hub/v1/users?search=a${encodeURIComponent(nul)}`),
      await admin.delete(`/api/hub/v1/tokens/a${encodeURIComponent(nul)}`),
      await admin.get(`${HUB_SESSIONS}/${encodeURIComponent(nul)}`),
    ];
    for (const res of cases) {
      expect([res.status, res.body?.statusCode]).toEqual([expect.any(Number), res.status]);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(cases.slice(0, 3).map((r) => r.status)).toEqual([400, 400, 400]);
    // Nothing half-written: the user was not created.
    expect((await admin.get(`/api/hub/v1/users?search=nul-${engine}`)).body.total).toBe(0);
  });

  it('should refuse a login whose texts hold a lone UTF-16 surrogate with 400, and write the logins beside it', async () => {
    // Text that cannot be UTF-8 is refused as a value that cannot be stored, as NUL is. Logins arriving together
    // share a statement; the bad one fails that statement, and each of its logins runs again alone.
    const lone = 'a\ud800b';
    const others = await Promise.all(
      Array.from({ length: 5 }, (_, i) => makeUser(admin, { username: `lone-${engine}-${i}` })),
    );
    const bodies = [
      { user: owner.id, ip: '192.0.2.1', userAgent: 'ua', device: { brand: lone } },
      ...others.map((user) => ({ user: user.id, ip: '192.0.2.2', userAgent: USER_AGENTS.curl })),
      { user: owner.id, ip: '192.0.2.1', userAgent: `ua ${lone}` },
      { user: owner.id, ip: '192.0.2.1', userAgent: 'ua', title: lone },
    ];
    const before = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`, [owner.id]);
    const answers = await Promise.all(bodies.map((body) => admin.post(HUB_SESSIONS, body)));
    expect(answers.map((res) => res.status)).toEqual([400, 201, 201, 201, 201, 201, 400, 400]);
    expect(answers[0].body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The request holds a value that cannot be stored.',
    });
    const after = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`, [owner.id]);
    expect(after[0].n).toBe(before[0].n);
    const nul = await admin.post(HUB_SESSIONS, {
      user: owner.id,
      ip: '192.0.2.1',
      userAgent: 'ua',
      device: { brand: 'a\u0000b' },
    });
    expect(nul.status).toBe(400);
  });

  it('should refuse an IPv6 address with a zone id in every place an address is taken', async () => {
    const zoned = 'fe80::1%eth0';
    const login = await admin.post(HUB_SESSIONS, { user: owner.id, ip: zoned, userAgent: USER_AGENTS.curl });
    expect(login.status).toBe(400);
    const session = await makeSession(admin, owner);
    const validate = await anon.post(`${HUB_SESSIONS}/validate`, { token: session.token, ip: zoned });
    expect(validate.status).toBe(400);
    const filtered = await admin.get(`${AUTHENTIK}?session__last_ip=${encodeURIComponent(zoned)}`);
    expect(filtered.status).toBe(400);
    expect(filtered.body).toEqual({ session__last_ip: ['Enter a valid IPv4 or IPv6 address.'] });
  });

  it('should refuse huge numbers and ids with the face’s 4xx', async () => {
    const huge = '9'.repeat(400);
    expect((await admin.get(`/api/hub/v1/users/${huge}`)).status).toBe(400);
    expect((await admin.get(`/api/hub/v1/users?offset=${huge}`)).status).toBe(400);
    expect((await admin.post(HUB_SESSIONS, { user: 1e308, ip: '192.0.2.1', userAgent: 'x' })).status).toBe(400);
    expect((await admin.get(`${AUTHENTIK}?page=${huge}`)).status).toBe(404);
    expect((await admin.get(`${PREFACTOR}?pagination[offset]=${huge}`)).status).toBe(422);
    expect((await admin.get(`${MOVENS}/list?PageIndex=${huge}`)).status).toBe(400);
    expect((await admin.post(`${MOVENS}/revoke`, { Session: 1e300 })).status).toBe(400);
  });

  it('should answer path ids of any length by the face’s own validation, not as a route miss', async () => {
    for (const id of ['a'.repeat(500), 'a'.repeat(501), 'a'.repeat(8000)]) {
      const pfNoKey = await anon.get(`${PREFACTOR}/${id}`);
      expect([id.length, pfNoKey.status, pfNoKey.body?.code]).toEqual([id.length, 401, 'not_authenticated']);
      for (const [method, path] of [
        ['GET', `${PREFACTOR}/${id}`],
        ['POST', `${PREFACTOR}/${id}/revoke`],
      ]) {
        const res = await admin.request(method, path);
        expect([id.length, method, res.status, res.body?.errors]).toEqual([
          id.length,
          method,
          422,
          { session_id: ['must be a valid session ID'] },
        ]);
      }
      const movens = await admin.get(`${MOVENS}/user-sessions/${id}`);
      expect([id.length, movens.status, movens.body]).toEqual([id.length, 400, { Message: 'err_InvalidGuid' }]);
      const authentik = await admin.get(`${AUTHENTIK}${id}/`);
      expect([id.length, authentik.status, authentik.body]).toEqual([id.length, 404, { detail: 'Not found.' }]);
      const hub = await admin.get(`${HUB_SESSIONS}/${id}`);
      expect([id.length, hub.status, hub.body?.error]).toEqual([id.length, 400, 'Bad Request']);
      const poll = await anon.request('POST', `/ssf/poll/${id}`, { body: {} });
      expect([id.length, poll.status, poll.body?.err]).toEqual([id.length, 401, 'authentication_failed']);
    }
  });

  it('should answer a body over 64 KiB and a URL that does not decode in each face’s own shape', async () => {
    const pfid = (await makeSession(admin, owner)).pfid;
    const huge = JSON.stringify({ x: 'x'.repeat(70_000) });
    const tooLarge: [string, string, number, unknown][] = [
      [
        'POST',
        `${PREFACTOR}/${pfid}/revoke`,
        413,
        { code: 'bad_request', message: 'Request body is too large', status: 'error' },
      ],
      ['POST', `${MOVENS}/revoke`, 413, undefined],
      ['DELETE', `${AUTHENTIK}bulk_delete/?user_pks=${owner.id}`, 413, { detail: 'Request body is too large' }],
      [
        'POST',
        HUB_SESSIONS,
        413,
        { statusCode: 413, error: 'Payload Too Large', message: 'Request body is too large' },
      ],
      ['POST', '/ssf/verify', 413, { err: 'invalid_request', description: 'Request body is too large' }],
    ];
    for (const [method, path, status, body] of tooLarge) {
      const res = await admin.request(method, path, { rawBody: huge });
      expect([path, res.status, res.body]).toEqual([path, status, body]);
    }
    const malformed = 'The URL holds a malformed percent-encoding.';
    const badUrl: [string, string, number, unknown][] = [
      ['GET', `${PREFACTOR}/%ff`, 400, { code: 'bad_request', message: malformed, status: 'error' }],
      ['POST', `${PREFACTOR}/%ff/revoke`, 400, { code: 'bad_request', message: malformed, status: 'error' }],
      ['GET', `${MOVENS}/user-sessions/%ff`, 400, undefined],
      ['GET', `${AUTHENTIK}%ff/`, 404, { detail: 'Not found.' }],
      ['GET', `${HUB_SESSIONS}/%e0%a4`, 400, { statusCode: 400, error: 'Bad Request', message: malformed }],
      ['POST', '/ssf/poll/%ff', 400, { err: 'invalid_request', description: malformed }],
    ];
    for (const [method, path, status, body] of badUrl) {
      const res = await anon.request(method, path);
      expect([path, res.status, res.body]).toEqual([path, status, body]);
      // Answered through the service's hooks like any request: its id, the security headers.
      expect([path, typeof res.headers.get('x-request-id'), res.headers.get('x-content-type-options')]).toEqual([
        path,
        'string',
        'nosniff',
      ]);
    }
    // The session named by the revoke that was too large is untouched.
    expect((await admin.get(`${PREFACTOR}/${pfid}`)).body.summary.status).toBe('authenticated');
  });

  it('should treat a Content-Type that does not parse as any other unread body, after routing and credentials', async () => {
    // Each request is sent twice: with a body under a Content-Type that does not parse, and with the same body as
    // XML. Both answers must be the same (the media type aside): Fastify refused the first with a bare 415 before
    // the route, the method or the key was looked at.
    const session = await makeSession(admin, owner);
    const requests: [string, string, Http][] = [
      ['DELETE', `${AUTHENTIK}${session.uuid}/`, anon],
      ['PUT', `${AUTHENTIK}${session.uuid}/`, admin],
      ['PUT', `${PREFACTOR}/${session.pfid}`, admin],
      ['POST', `${PREFACTOR}/${session.pfid}/revoke`, anon],
      ['PUT', `${MOVENS}/list`, admin],
      ['POST', `${MOVENS}/revoke`, admin],
      ['POST', HUB_SESSIONS, anon],
      ['POST', HUB_SESSIONS, admin],
      ['PATCH', `${HUB_SESSIONS}/${session.uuid}`, admin],
      ['POST', '/ssf/stream', anon],
    ];
    for (const [method, path, http] of requests) {
      for (const malformed of ['foo', 'no slash; charset=utf-8', '/']) {
        const sent = async (type: string) => {
          const res = await http.request(method, path, { rawBody: '{}', headers: { 'content-type': type } });
          // A 415's message names the media type (in JSON, its quotes escaped).
          const named = `\\"${type.split(';')[0].trim()}\\"`;
          return [method, path, res.status, res.text.replace(named, '\\"the type\\"')];
        };
        expect(await sent(malformed)).toEqual(await sent('application/xml'));
      }
    }
    // Nothing was revoked by the bodies refused.
    expect((await admin.get(`${HUB_SESSIONS}/${session.uuid}`)).body.status).toBe('authenticated');
  });

  it('should refuse a search of thousands of terms at once, and answer a bounded one', async () => {
    const terms = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(' ');
    const started = Date.now();
    const hostile = await admin.get(`${AUTHENTIK}?search=${encodeURIComponent(terms)}`);
    expect(hostile.status).toBe(400);
    expect(hostile.body).toEqual(['Ensure this field has no more than 500 characters.']);
    const manyShort = await admin.get(`${AUTHENTIK}?search=${encodeURIComponent('a b c d e f g h i j k')}`);
    expect(manyShort.status).toBe(400);
    expect(manyShort.body).toEqual(['Ensure the search has no more than 10 terms.']);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await admin.get(`${AUTHENTIK}?search=${encodeURIComponent('a b c')}`)).status).toBe(200);
  });

  it('should end concurrent revoke-alls of one user with many sessions without a deadlock or a 500', async () => {
    const many = await makeUser(admin, { username: `many-${engine}` });
    for (let i = 0; i < 60; i++) await makeSession(admin, many);
    const revokes = await Promise.all(
      Array.from({ length: 8 }, () => admin.post(`/api/hub/v1/users/${many.id}/sessions/revoke`, {})),
    );
    expect(revokes.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(revokes.reduce((sum, r) => sum + Number(r.body.revoked), 0)).toBe(60);
    const left = await t.sql<{ n: number }>(
      `SELECT count(*) AS n FROM sessions WHERE user_id = $1 AND status <> 'revoked'`,
      [many.id],
    );
    expect(Number(left[0].n)).toBe(0);
  });
});

/** A client that sends its headers and then dribbles its body is cut off at REQUEST_TIMEOUT_SECONDS, not kept. */
describe('a request that never finishes arriving', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('pglite', { REQUEST_TIMEOUT_SECONDS: '1' });
  });
  afterAll(() => t?.close());

  it('should be answered 408 and its connection closed once the bound has passed', async () => {
    const url = new URL(t.baseUrl);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    const started = Date.now();
    socket.write(
      `POST ${HUB_SESSIONS}/validate HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
    );
    // A byte now and then, as a slow client would: the bound is on the whole request, not on each pause.
    const dribble = setInterval(() => socket.writable && socket.write(' '), 300);
    const closedAt = await closed;
    clearInterval(dribble);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(closedAt - started).toBeGreaterThanOrEqual(1000);
    expect(closedAt - started).toBeLessThan(5000);
    // The service answers others as before.
    expect((await new Http(t.baseUrl).post(`${HUB_SESSIONS}/validate`, { token: 'x' })).status).toBe(401);
  });
});
