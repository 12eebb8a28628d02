import { randomBytes } from 'node:crypto';
import { makeSession, makeUser } from './support/factories';
import { Http } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A client address of this run's own (X-Forwarded-For, trusted here), so counters in Redis never meet old ones. */
const address = () => `198.51.${randomBytes(1)[0]}.${1 + (randomBytes(1)[0] % 250)}`;
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
const wrongKey = () => `shk_${randomBytes(8).toString('hex')}`;

const LIMITS = {
  RATE_LIMITS: 'on',
  TRUST_PROXY: 'on',
  RATE_LIMIT_AUTH_FAILURES: '5',
  RATE_LIMIT_VALIDATE: '8',
  RATE_LIMIT_LOGIN: '3',
  RATE_LIMIT_WINDOW_SECONDS: '60',
};

/**
 * Rate limits as an attacker meets them: refused keys, validate guesses and logins are counted, and past the limit
 * every face answers 429 with Retry-After in its own shape. Counters in process memory, or in Redis shared by
 * every instance.
 */
describe('rate limits in process memory', () => {
  let t: TestApp;
  let admin: Http;

  beforeAll(async () => {
    t = await startTestApp('pglite', { ...LIMITS, RATE_LIMIT_TRUSTED_CIDRS: '203.0.113.0/24' });
    admin = new Http(t.baseUrl, t.adminKey);
  });
  afterAll(() => t?.close());

  it('should answer 429 with Retry-After in every face’s shape once an address has failed too often', async () => {
    const ip = address();
    const guesser = new Http(t.baseUrl, 'shk_wrong-guess-0000');
    for (let i = 0; i < 5; i++) expect((await guesser.get('/api/hub/v1/users', from(ip))).status).toBe(401);
    const hub = await guesser.get('/api/hub/v1/users', from(ip));
    expect(hub.status).toBe(429);
    expect(Number(hub.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(hub.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Too many requests; try again later.',
    });
    // The right key from that address waits too: the address is what is throttled.
    const authentik = await admin.get('/api/v3/core/authenticated_sessions/', from(ip));
    expect(authentik.status).toBe(429);
    expect(authentik.body.detail).toMatch(
      /^Request was throttled\. Expected available in (1 second|([02-9]|\d\d+) seconds)\.$/,
    );
    const prefactor = await admin.get('/api/v1/session', from(ip));
    expect([prefactor.status, prefactor.body.code, prefactor.body.status]).toEqual([429, 'rate_limited', 'error']);
    const movens = await admin.get('/api/admin/v1/authenticated-sessions/list', from(ip));
    expect([movens.status, movens.text]).toEqual([429, '']);
    expect(movens.headers.get('retry-after')).not.toBeNull();
    // Shared Signals' endpoints answer in SSF's shape, its token endpoint in RFC 6749's, as every refusal there.
    const ssf = await new Http(t.baseUrl, 'ssft_wrong').get('/ssf/stream', from(ip));
    expect([ssf.status, ssf.body]).toEqual([
      429,
      { err: 'too_many_requests', description: 'Too many requests; try again later.' },
    ]);
    const token = await new Http(t.baseUrl).request('POST', '/ssf/token', {
      rawBody: 'grant_type=client_credentials&client_id=ssfr_nobody&client_secret=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...from(ip).headers },
    });
    expect([token.status, token.body, token.headers.get('cache-control')]).toEqual([
      429,
      { error: 'too_many_requests', error_description: 'Too many requests; try again later.' },
      'no-store',
    ]);
    expect(token.headers.get('retry-after')).not.toBeNull();
    // Another address is not affected.
    expect((await admin.get('/api/hub/v1/users', from(address()))).status).toBe(200);
  });

  it('should throttle one key guessed from many addresses by its prefix', async () => {
    const key = wrongKey();
    for (let i = 0; i < 5; i++)
      expect((await new Http(t.baseUrl, key).get('/api/hub/v1/users', from(address()))).status).toBe(401);
    expect((await new Http(t.baseUrl, key).get('/api/hub/v1/users', from(address()))).status).toBe(429);
  });

  it('should not count validates of ended sessions as failed authentications, only guesses', async () => {
    const ip = address();
    const anon = new Http(t.baseUrl);
    // More ended sessions than the address may fail (5), each of its own user (logins are limited per user): an
    // application validating tokens after their logouts.
    const ended: string[] = [];
    for (let i = 0; i < 7; i++) {
      const session = await makeSession(admin, await makeUser(admin));
      expect((await admin.post(`/api/hub/v1/sessions/${session.uuid}/end`)).status).toBe(200);
      ended.push(session.token);
    }
    for (const token of ended)
      expect((await anon.post('/api/hub/v1/sessions/validate', { token }, from(ip))).status).toBe(401);
    expect((await admin.get('/api/hub/v1/users', from(ip))).status).toBe(200);
  });

  it('should limit validate per address and logins per user, and never limit a trusted address', async () => {
    const ip = address();
    const anon = new Http(t.baseUrl);
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++)
      statuses.push((await anon.post('/api/hub/v1/sessions/validate', { token: 'x' }, from(ip))).status);
    expect(statuses.slice(0, 5)).toEqual(Array(5).fill(401));
    expect(statuses.at(-1)).toBe(429);
    const user = await makeUser(admin);
    const login = () =>
      admin.post('/api/hub/v1/sessions', { user: user.id, ip: '192.0.2.1', userAgent: 'curl/8.5.0' }, from(address()));
    expect([(await login()).status, (await login()).status, (await login()).status]).toEqual([201, 201, 201]);
    const fourth = await login();
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get('retry-after')).not.toBeNull();
    const trusted = new Http(t.baseUrl, 'shk_wrong-from-trusted');
    for (let i = 0; i < 12; i++) expect((await trusted.get('/api/hub/v1/users', from('203.0.113.9'))).status).toBe(401);
  });

  it('should send security headers everywhere and no-store on answers with session data', async () => {
    const api = await admin.get('/api/hub/v1/users');
    const docs = await new Http(t.baseUrl).get('/api/docs');
    expect(api.headers.get('cache-control')).toBe('no-store');
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(api.headers.get('x-frame-options')).toBe('DENY');
    expect(api.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    // Headers for rendered documents only: Swagger UI's pages carry them, JSON answers do not.
    expect(api.headers.get('x-dns-prefetch-control')).toBeNull();
    expect(docs.headers.get('x-dns-prefetch-control')).toBe('off');
    expect(docs.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(docs.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});

describe('rate limits shared through Redis', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startTestApp('pglite', { ...LIMITS, REDIS_URL }),
      startTestApp('pglite', { ...LIMITS, REDIS_URL }),
    ]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('should count failures at one instance against the same address at another', async () => {
    const ip = address();
    // Keys of this run's own, with different prefixes (a key's first 12 characters are counted too): only the shared
    // address can reach the limit, and no run's counters meet another's.
    const atA = new Http(a.baseUrl, wrongKey());
    const atB = new Http(b.baseUrl, wrongKey());
    for (let i = 0; i < 3; i++) expect((await atA.get('/api/hub/v1/users', from(ip))).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await atB.get('/api/hub/v1/users', from(ip))).status).toBe(401);
    expect((await atA.get('/api/hub/v1/users', from(ip))).status).toBe(429);
    expect((await atB.get('/api/hub/v1/users', from(ip))).status).toBe(429);
  });
});
