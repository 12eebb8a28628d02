/**
 * Bad input to the SSF endpoints gets a 4xx in SSF's shape (`{err, description}`; the token endpoint's RFC 6749
 * `{error, error_description}`), never a 500: malformed JSON, unknown fields, bad URLs, NUL bytes, huge bodies,
 * missing or weak credentials.
 */
import { Http } from './support/http';
import { errorsIn, SsfTestApp, startSsfApp } from './support/ssf-app';
import { clientToken, EVENT, PUSH, registerReceiver, SsfClient, TestReceiver } from './support/ssf-client';
import { rawRequest } from './support/service-process';
import { TableLock } from './support/table-lock';
import { engines } from './support/test-app';

describe.each(engines())('Shared Signals input checks on %s', (engine) => {
  let app: SsfTestApp;
  let admin: Http;
  let owner: TestReceiver;
  let streamId: string;

  beforeAll(async () => {
    app = await startSsfApp(engine);
    admin = app.admin;
    owner = await registerReceiver(admin);
    streamId = (await owner.ssf.createStream({ events_requested: [EVENT.revoked] })).body.stream_id;
  });
  afterAll(() => app?.t.close());

  const raw = (method: string, path: string, rawBody: string, token: string | null = null, type = 'application/json') =>
    new Http(app.t.baseUrl, token).request(method, path, { rawBody, headers: { 'content-type': type } });

  it('should refuse bad stream requests with 400 invalid_request', async () => {
    const token = owner.ssf.http.defaultKey;
    const cases: [string, string, string][] = [
      ['POST', '/ssf/stream', '{"events_requested": ['],
      ['POST', '/ssf/stream', '[]'],
      ['POST', '/ssf/stream', '"text"'],
      ['POST', '/ssf/stream', '{"events_requested": [], "colour": "blue"}'],
      ['POST', '/ssf/stream', '{"events_requested": "all"}'],
      ['POST', '/ssf/stream', '{"events_requested": [1]}'],
      ['POST', '/ssf/stream', '{"description": "a\\u0000b"}'],
      ['POST', '/ssf/stream', `{"description": "${'x'.repeat(1001)}"}`],
      [
        'POST',
        '/ssf/stream',
        '{"delivery": {"method": "https://schemas.openid.net/secevent/risc/delivery-method/push"}}',
      ],
      ['POST', '/ssf/stream', `{"delivery": {"method": "${PUSH}"}}`],
      ...[
        'ftp://127.0.0.1/x',
        'http://example.com/events',
        'https://user:pw@example.com/',
        'not a url',
        'https://example.com/#x',
        'https://example.com/\u0000',
      ].map((url): [string, string, string] => [
        'POST',
        '/ssf/stream',
        JSON.stringify({ delivery: { method: PUSH, endpoint_url: url } }),
      ]),
      [
        'POST',
        '/ssf/stream',
        JSON.stringify({
          delivery: { method: PUSH, endpoint_url: 'https://x.example/', authorization_header: 'a\r\nb: c' },
        }),
      ],
      [
        'POST',
        '/ssf/stream',
        JSON.stringify({ delivery: { method: PUSH, endpoint_url: 'https://x.example/', extra: 1 } }),
      ],
      ['PATCH', '/ssf/stream', '{"description": "no stream named"}'],
      ['PATCH', '/ssf/stream', `{"stream_id": 7}`],
      ['POST', '/ssf/status', `{"stream_id": "${streamId}", "status": "asleep"}`],
      ['POST', '/ssf/status', `{"stream_id": "${streamId}", "status": "paused", "reason": "a\\u0000"}`],
      [
        'POST',
        '/ssf/subjects/add',
        `{"stream_id": "${streamId}", "subject": {"format": "phone_number", "phone_number": "+1"}}`,
      ],
      [
        'POST',
        '/ssf/subjects/add',
        `{"stream_id": "${streamId}", "subject": {"format": "email", "email": "x@y", "more": 1}}`,
      ],
      ['POST', '/ssf/subjects/add', `{"stream_id": "${streamId}"}`],
      // Names of Object's own properties are formats like any other unknown one.
      ...['toString', 'constructor', '__proto__', 'hasOwnProperty'].map((format): [string, string, string] => [
        'POST',
        '/ssf/subjects/add',
        JSON.stringify({ stream_id: streamId, subject: { format } }),
      ]),
      [
        'POST',
        '/ssf/subjects/add',
        JSON.stringify({ stream_id: streamId, subject: { format: 'complex', session: { format: 'constructor' } } }),
      ],
      // A header value no HTTP client can send would fail every push.
      ...['Bearer \u0100', 'Bearer €', 'Bearer \u0001', 'Bearer \u007f', 'Bearer \t\u0000'].map(
        (header): [string, string, string] => [
          'POST',
          '/ssf/stream',
          JSON.stringify({
            delivery: { method: PUSH, endpoint_url: 'https://x.example/', authorization_header: header },
          }),
        ],
      ),
      ['POST', '/ssf/verify', `{"stream_id": "${streamId}", "state": {"nested": true}}`],
      ['POST', `/ssf/poll/${streamId}`, '{"maxEvents": -1}'],
      ['POST', `/ssf/poll/${streamId}`, '{"maxEvents": 1.5}'],
      ['POST', `/ssf/poll/${streamId}`, '{"returnImmediately": "yes"}'],
      ['POST', `/ssf/poll/${streamId}`, '{"ack": "x"}'],
      ['POST', `/ssf/poll/${streamId}`, '{"setErrs": {"x": "y"}}'],
      ['POST', `/ssf/poll/${streamId}`, '{"sets": {}}'],
      ['POST', `/ssf/poll/${streamId}`, `{"x": ${'['.repeat(100)}${']'.repeat(100)}}`],
    ];
    for (const [method, path, body] of cases) {
      const res = await raw(method, path, body, token);
      expect([method, path, body.slice(0, 80), res.status, res.body?.err]).toEqual([
        method,
        path,
        body.slice(0, 80),
        400,
        'invalid_request',
      ]);
      expect(typeof res.body.description).toBe('string');
    }
  });

  it("should answer a body over the size limit (413) and an unknown stream id (404) in SSF's shapes", async () => {
    const token = owner.ssf.http.defaultKey;
    const huge = await raw('POST', '/ssf/stream', JSON.stringify({ description: 'x'.repeat(200_000) }), token);
    // Refused by Fastify before the route runs, and still answered in the route's own shape.
    expect([huge.status, huge.body]).toEqual([
      413,
      { err: 'invalid_request', description: 'Request body is too large' },
    ]);
    const hugeToken = await raw(
      'POST',
      '/ssf/token',
      `grant_type=client_credentials&x=${'x'.repeat(70_000)}`,
      null,
      'application/x-www-form-urlencoded',
    );
    expect([hugeToken.status, hugeToken.body, hugeToken.headers.get('cache-control')]).toEqual([
      413,
      { error: 'invalid_request', error_description: 'Request body is too large' },
      'no-store',
    ]);
    const unsupported = await raw('POST', '/ssf/verify', '<xml/>', token, 'application/xml');
    expect([unsupported.status, unsupported.body?.err]).toEqual([415, 'invalid_request']);
    // The hub's SSF administration answers as the rest of the hub: not in SSF's shape.
    const hugeAdmin = await raw(
      'POST',
      '/api/hub/v1/ssf/receivers',
      JSON.stringify({ name: 'x'.repeat(70_000) }),
      app.t.adminKey,
    );
    expect([hugeAdmin.status, hugeAdmin.body?.statusCode]).toEqual([413, 413]);
    for (const query of ['stream_id=not-a-uuid', `stream_id=${'0'.repeat(8)}-0000-0000-0000-000000000000`])
      expect((await owner.ssf.http.get(`/ssf/stream?${query}`)).body).toEqual({
        err: 'not_found',
        description: 'Stream not found.',
      });
    expect((await owner.ssf.http.get(`/ssf/stream?stream_id=${streamId}&extra=1`)).status).toBe(400);
    expect((await owner.ssf.http.get(`/ssf/stream?stream_id=${streamId}&stream_id=${streamId}`)).status).toBe(400);
  });

  it("should refuse a Host that names no host rather than keep it as a stream's issuer", async () => {
    const create = (host: string) =>
      rawRequest(app.t.baseUrl, {
        method: 'POST',
        path: '/ssf/stream',
        key: owner.ssf.http.defaultKey ?? undefined,
        body: {},
        headers: { host },
      });
    for (const host of ['a b', 'x/y', 'x:port', 'a@b', 'x:99999', '[:]']) {
      const res = await create(host);
      expect([host, res.status, res.body]).toEqual([
        host,
        400,
        { err: 'invalid_request', description: 'The Host header must name a host.' },
      ]);
    }
    for (const host of ['Example.com:80', '[::1]:3000', '127.0.0.1']) {
      const res = await create(host);
      expect([host, res.status, res.body.iss]).toEqual([host, 201, `http://${host}`]);
      await owner.ssf.http.delete(`/ssf/stream?stream_id=${res.body.stream_id}`);
    }
  });

  it('should keep a receiver to its number of streams when it creates many at once', async () => {
    const busy = await registerReceiver(admin, 'many-streams');
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async () => (await busy.ssf.createStream({})).status),
    );
    expect(statuses.filter((status) => status === 201).length).toBe(25);
    expect(statuses.filter((status) => status === 409).length).toBe(15);
    expect((await busy.ssf.http.get('/ssf/stream')).body).toHaveLength(25);
  });

  it('should refuse missing, unknown and under-scoped tokens as RFC 6750 says', async () => {
    const anonymous = await new SsfClient(app.t.baseUrl, null).http.get('/ssf/stream');
    expect([anonymous.status, anonymous.body.err, anonymous.headers.get('www-authenticate')]).toEqual([
      401,
      'authentication_failed',
      'Bearer realm="ssf"',
    ]);
    const unknown = await new SsfClient(app.t.baseUrl, 'ssft_unknown').http.get('/ssf/stream');
    expect([unknown.status, unknown.headers.get('www-authenticate')]).toEqual([
      401,
      'Bearer realm="ssf", error="invalid_token"',
    ]);
    const reader = new SsfClient(
      app.t.baseUrl,
      await clientToken(app.t.baseUrl, owner.clientId, owner.clientSecret, 'ssf.read'),
    );
    expect((await reader.http.get(`/ssf/stream?stream_id=${streamId}`)).status).toBe(200);
    const refused = await reader.createStream({});
    expect([refused.status, refused.body.err]).toEqual([403, 'access_denied']);
    expect((await reader.status(streamId, 'disabled')).status).toBe(403);
    // A hub API token is not an SSF token.
    expect((await new SsfClient(app.t.baseUrl, app.t.adminKey).http.get('/ssf/stream')).status).toBe(401);
  });

  it('should answer token requests as RFC 6749 says', async () => {
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const basic = `Basic ${Buffer.from(`${owner.clientId}:${owner.clientSecret}`).toString('base64')}`;
    const post = (body: string, headers: Record<string, string> = {}, type = 'application/x-www-form-urlencoded') =>
      new Http(app.t.baseUrl).request('POST', '/ssf/token', {
        rawBody: body,
        headers: { 'content-type': type, ...headers },
      });
    const ok = await post(
      form({ grant_type: 'client_credentials', client_id: owner.clientId, client_secret: owner.clientSecret }),
    );
    expect([ok.status, ok.body.token_type, ok.body.scope, ok.headers.get('cache-control')]).toEqual([
      200,
      'Bearer',
      'ssf.manage ssf.read',
      'no-store',
    ]);
    const cases: [string, Record<string, string>, string, number, string][] = [
      [
        form({ grant_type: 'client_credentials' }),
        { authorization: `Basic ${Buffer.from(`${owner.clientId}:wrong`).toString('base64')}` },
        'application/x-www-form-urlencoded',
        401,
        'invalid_client',
      ],
      [
        form({ grant_type: 'client_credentials', client_id: 'ssfr_nobody', client_secret: 'x' }),
        {},
        'application/x-www-form-urlencoded',
        400,
        'invalid_client',
      ],
      [
        form({ grant_type: 'password' }),
        { authorization: basic },
        'application/x-www-form-urlencoded',
        400,
        'unsupported_grant_type',
      ],
      [form({ client_id: owner.clientId }), {}, 'application/x-www-form-urlencoded', 400, 'invalid_request'],
      [
        form({ grant_type: 'client_credentials', scope: 'admin' }),
        { authorization: basic },
        'application/x-www-form-urlencoded',
        400,
        'invalid_scope',
      ],
      [
        'grant_type=client_credentials&grant_type=client_credentials',
        { authorization: basic },
        'application/x-www-form-urlencoded',
        400,
        'invalid_request',
      ],
      [
        JSON.stringify({ grant_type: 'client_credentials' }),
        { authorization: basic },
        'application/json',
        400,
        'invalid_request',
      ],
      ['{bad json', { authorization: basic }, 'application/json', 400, 'invalid_request'],
    ];
    for (const [body, headers, type, status, error] of cases) {
      const res = await post(body, headers, type);
      expect([body, res.status, res.body.error]).toEqual([body, status, error]);
    }
  });

  it("should register receivers for superusers only, refuse bad input in the hub's shape, and show the secret once", async () => {
    const listed = (await admin.get('/api/hub/v1/ssf/receivers')).body;
    expect(listed.find((r: any) => r.clientId === owner.clientId)).toEqual({
      clientId: owner.clientId,
      name: 'receiver',
      audience: owner.clientId,
      createdAt: expect.any(String),
    });
    for (const body of [{}, { name: '' }, { name: 'a\u0000b' }, { name: 'x', colour: 'blue' }, { name: 7 }]) {
      const res = await admin.post('/api/hub/v1/ssf/receivers', body);
      expect([JSON.stringify(body), res.status, res.body.statusCode]).toEqual([JSON.stringify(body), 400, 400]);
    }
    const plain = await admin.post('/api/hub/v1/users', { username: 'plain-ssf-user' });
    const key = (await admin.post('/api/hub/v1/tokens', { user: plain.body.id })).body.key;
    expect((await admin.as(key).post('/api/hub/v1/ssf/receivers', { name: 'x' })).status).toBe(403);
    expect((await admin.as(key).get('/api/hub/v1/ssf/streams')).status).toBe(403);
    expect((await admin.get(`/api/hub/v1/ssf/streams/not-a-uuid/deliveries`)).status).toBe(400);
    expect((await admin.get(`/api/hub/v1/ssf/streams/${streamId}/deliveries?limit=1000`)).status).toBe(400);
    const gone = await registerReceiver(admin, 'short-lived');
    expect((await admin.delete(`/api/hub/v1/ssf/receivers/${gone.clientId}`)).status).toBe(204);
    expect((await gone.ssf.http.get('/ssf/stream')).status).toBe(401);
  });

  it('should have logged no error', () => {
    expect(errorsIn(app.logs)).toEqual([]);
  });
});

/**
 * The database out of reach for a moment (a statement past its timeout, behind a lock another connection holds):
 * SSF's endpoints answer 503 in SSF's shape, the token endpoint in RFC 6749's. PostgreSQL only: PGlite runs
 * statements in-process, one at a time.
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('Shared Signals while the database is out of reach', () => {
  let app: SsfTestApp;
  let lock: TableLock;

  beforeAll(async () => {
    app = await startSsfApp('postgres', { STATEMENT_TIMEOUT_MS: '1500' });
    lock = await TableLock.open(app.t.config.DATABASE_URL!);
  });
  afterAll(async () => {
    await lock?.close();
    await app?.t.close();
  });

  it('should answer 503 with Retry-After, the token endpoint in its own shape', async () => {
    const owner = await registerReceiver(app.admin);
    const [token, stream] = await lock.holding('ssf_receivers, ssf_access_tokens', () =>
      Promise.all([
        new Http(app.t.baseUrl).request('POST', '/ssf/token', {
          rawBody: `grant_type=client_credentials&client_id=${owner.clientId}&client_secret=${owner.clientSecret}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
        new SsfClient(app.t.baseUrl, 'ssft_any').http.get('/ssf/stream'),
      ]),
    );
    expect([token.status, token.body.error, typeof token.body.error_description]).toEqual([
      503,
      'temporarily_unavailable',
      'string',
    ]);
    expect([token.headers.get('retry-after'), token.headers.get('cache-control')]).toEqual(['2', 'no-store']);
    expect([stream.status, stream.body.err, stream.headers.get('retry-after')]).toEqual([
      503,
      'temporarily_unavailable',
      '2',
    ]);
  });
});

/** Behind a trusted proxy the base URL is what the proxy says: a scheme other than http and https is refused. */
describe('Shared Signals behind a trusted proxy', () => {
  let app: SsfTestApp;

  beforeAll(async () => {
    app = await startSsfApp('pglite', { TRUST_PROXY: 'on' });
  });
  afterAll(() => app?.t.close());

  it("should keep the proxy's scheme and host as a stream's issuer, and refuse a scheme that is not http(s)", async () => {
    const owner = await registerReceiver(app.admin);
    const create = (proto: string) =>
      owner.ssf.http.request('POST', '/ssf/stream', {
        body: {},
        headers: { 'x-forwarded-proto': proto, 'x-forwarded-host': 'sessions.example.com' },
      });
    const kept = await create('https');
    expect([kept.status, kept.body.iss]).toEqual([201, 'https://sessions.example.com']);
    for (const proto of ['javascript', 'a b', 'ftp']) {
      const refused = await create(proto);
      expect([proto, refused.status, refused.body]).toEqual([
        proto,
        400,
        { err: 'invalid_request', description: "The request's scheme must be http or https." },
      ]);
    }
  });
});
