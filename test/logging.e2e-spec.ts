import { makeSession, makeUser } from './support/factories';
import { Http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  method?: string;
  route?: string;
  face?: string;
  status?: number;
  durationMs?: number;
  userId?: number;
  authFailure?: string;
}

/**
 * What an operator reads: one JSON line per request with its id, route template, face, status, duration and user,
 * refused keys at warn with why, and never a secret in any line.
 */
describe('request logs', () => {
  let t: TestApp;
  const raw: string[] = [];
  const lines = () => raw.map((line) => JSON.parse(line) as LogLine);
  const requestLines = () => lines().filter((l) => l.reqId && l.route);

  beforeAll(async () => {
    t = await startTestApp('pglite', { LOG_LEVEL: 'info' }, raw);
  });
  afterAll(() => t?.close());

  it('should write one line per request with its fields, echo the request id, and keep every secret out', async () => {
    const admin = new Http(t.baseUrl, t.adminKey);
    const user = await makeUser(admin);
    const session = await makeSession(admin, user);
    const before = requestLines().length;
    const tagged = await admin.get('/api/hub/v1/users', { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(tagged.headers.get('x-request-id')).toBe('trace-abc.123');
    const authentik = await new Http(t.baseUrl, session.token).get('/api/v3/core/authenticated_sessions/');
    expect(authentik.headers.get('x-authentik-id')).toBe(authentik.headers.get('x-request-id'));
    await new Http(t.baseUrl).post('/api/hub/v1/sessions/validate', { token: session.token, ip: '192.0.2.9' });
    await new Http(t.baseUrl, 'shk_not-a-real-key').get('/api/v1/session');
    await admin.post(`/api/hub/v1/sessions/${session.uuid}/end`, {});
    await new Http(t.baseUrl, session.token).get('/api/hub/v1/users');
    await new Http(t.baseUrl).get('/api/hub/v1/users', { headers: { authorization: 'Basic abc' } });
    const logged = requestLines().slice(before);
    expect(logged).toHaveLength(7);
    const users = logged.find((l) => l.reqId === 'trace-abc.123')!;
    expect(users).toMatchObject({ method: 'GET', route: '/api/hub/v1/users', face: 'hub', status: 200, level: 30 });
    expect(users.userId).toEqual(expect.any(Number));
    expect(users.durationMs).toEqual(expect.any(Number));
    const list = logged.find((l) => l.face === 'authentik')!;
    expect(list).toMatchObject({ route: '/api/v3/core/authenticated_sessions', status: 200, userId: user.id });
    expect(logged.find((l) => l.route === '/api/hub/v1/sessions/validate')).toMatchObject({
      status: 200,
      userId: user.id,
    });
    const refused = logged.filter((l) => l.authFailure);
    expect(refused.map((l) => [l.face, l.status, l.authFailure, l.level])).toEqual([
      ['prefactor', 401, 'unknown_key', 40],
      ['hub', 401, 'ended', 40],
      ['hub', 401, 'no_credentials', 40],
    ]);
    const everything = raw.join('\n');
    for (const secret of [t.adminKey, user.key, session.token]) expect(everything).not.toContain(secret);
    const hashes = await t.sql<{ h: string }>(
      `SELECT token_hash AS h FROM sessions UNION ALL SELECT key_hash FROM api_tokens`,
    );
    for (const { h } of hashes) expect(everything).not.toContain(h.trim());
  });

  it('should keep start-up short: no line per route', () => {
    expect(lines().filter((l) => /Mapped \{/.test(l.msg))).toHaveLength(0);
  });
});
