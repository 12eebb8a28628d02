import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { FACES } from '../src/faces';
import { hashKey } from '../src/sessions/credentials/keys';
import { HousekeepingService } from '../src/sessions/housekeeping/housekeeping.service';
import { makeSession, makeUser } from './support/factories';
import { Http } from './support/http';
import { freePort, killService, rawRequest, spawnService, waitReady } from './support/service-process';
import { parseMetrics, Sample, series } from './support/metrics-text';
import { engines, startTestApp, TestApp } from './support/test-app';

function single(samples: Sample[], name: string): number {
  const found = samples.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`${name}: ${found.length} samples`);
  return found[0].value;
}

const HUB_SESSIONS = '/api/hub/v1/sessions';
const AUTHENTIK = '/api/v3/core/authenticated_sessions/';

describe.each(engines())('Prometheus metrics on %s', (engine) => {
  let t: TestApp;
  let admin: Http;

  beforeAll(async () => {
    t = await startTestApp(engine);
    admin = new Http(t.baseUrl, t.adminKey);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('should count known traffic exactly, by face, route template, method and status', async () => {
    const owner = await makeUser(admin);
    const sessions = [];
    for (let i = 0; i < 3; i++) sessions.push(await makeSession(admin, owner));
    const anon = admin.as(null);
    expect((await anon.post(`${HUB_SESSIONS}/validate`, { token: sessions[0].token })).status).toBe(200);
    expect((await anon.post(`${HUB_SESSIONS}/validate`, { token: sessions[1].token })).status).toBe(200);
    expect((await anon.post(`${HUB_SESSIONS}/validate`, { token: 'shs_not-a-token' })).status).toBe(401);
    // An administrator revokes through authentik; the user revokes their own session through Prefactor.
    expect((await admin.delete(`${AUTHENTIK}${sessions[0].uuid}/`)).status).toBe(204);
    expect((await admin.as(owner.key).post(`/api/v1/session/${sessions[1].pfid}/revoke`, {})).status).toBe(200);
    // A search: on PostgreSQL it runs on the pool for searches planned generically.
    expect((await admin.get(`${AUTHENTIK}?search=${owner.username}`)).status).toBe(200);
    expect((await admin.get('/no/such/path?token=secret')).status).toBe(404);
    expect((await admin.get('/.well-known/ssf-configuration', { key: null })).status).toBe(200);
    expect((await admin.get('/.well-known/risc-configuration', { key: null })).status).toBe(200);
    // A NUL character PostgreSQL cannot store: a refused request, and a query error of kind unstorable.
    expect((await admin.post('/api/hub/v1/users', { username: `nul-${engine}`, name: 'a\u0000b' })).status).toBe(400);

    const response = await admin.get('/metrics', { key: null });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseMetrics(response.text);

    expect(series(samples, 'http_request_duration_seconds_count', ['face', 'method', 'route', 'status'])).toEqual({
      'hub POST /api/hub/v1/users 201': 1,
      'hub POST /api/hub/v1/users 400': 1,
      'hub POST /api/hub/v1/tokens 201': 1,
      'hub POST /api/hub/v1/sessions 201': 3,
      'hub POST /api/hub/v1/sessions/validate 200': 2,
      'hub POST /api/hub/v1/sessions/validate 401': 1,
      'authentik DELETE /api/v3/core/authenticated_sessions/:uuid 204': 1,
      'authentik GET /api/v3/core/authenticated_sessions 200': 1,
      'prefactor POST /api/v1/session/:session_id/revoke 200': 1,
      'other GET unmatched 404': 1,
      'ssf GET /.well-known/ssf-configuration 200': 1,
      'ssf GET /.well-known/risc-configuration 200': 1,
    });
    // Each histogram series has its buckets, +Inf equal to the count, and a sum.
    const inf = series(samples, 'http_request_duration_seconds_bucket', ['route', 'status', 'le']);
    expect(inf['/api/hub/v1/sessions 201 +Inf']).toBe(3);
    expect(
      series(samples, 'http_request_duration_seconds_sum', ['route', 'status'])['/api/hub/v1/sessions 201'],
    ).toBeGreaterThan(0);

    expect(series(samples, 'sessionhub_validations_total', ['outcome'])).toEqual({
      valid: 2,
      invalid: 1,
      rate_limited: 0,
      error: 0,
      client_closed: 0,
    });
    expect(series(samples, 'sessionhub_sessions_created_total', ['face'])).toEqual({ hub: 3 });
    expect(series(samples, 'sessionhub_sessions_ended_total', ['face', 'reason', 'initiator'])).toEqual({
      'authentik revoked admin': 1,
      'prefactor revoked self': 1,
    });
    expect(series(samples, 'sessionhub_db_query_errors_total', ['kind'])).toEqual({
      unavailable: 0,
      unstorable: 1,
      other: 0,
    });
    expect(single(samples, 'sessionhub_live_sessions')).toBe(1);
    expect(single(samples, 'sessionhub_users_with_live_sessions')).toBe(1);
    // Default process metrics and event-loop lag.
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    if (engine === 'postgres') {
      expect(single(samples, 'sessionhub_db_pool_max')).toBe(4);
      expect(series(samples, 'sessionhub_db_pool_connections', ['state'])).toEqual({
        idle: expect.any(Number),
        in_use: expect.any(Number),
      });
      expect(single(samples, 'sessionhub_db_pool_waiting')).toBe(0);
      expect(series(samples, 'sessionhub_db_generic_plan_pool_connections', ['state'])).toEqual({ idle: 1, in_use: 0 });
      expect(single(samples, 'sessionhub_db_generic_plan_pool_waiting')).toBe(0);
    } else {
      expect(samples.some((s) => s.name.startsWith('sessionhub_db_pool'))).toBe(false);
    }

    // No credential, hash, identifier or raw URL in the text.
    const secrets = [t.adminKey, owner.key, 'secret', ...sessions.flatMap((s) => [s.token, s.uuid, s.pfid])];
    for (const secret of [...secrets, ...secrets.map(hashKey)]) expect(response.text).not.toContain(secret);
    expect(response.text).not.toContain('/no/such/path');
  });

  it('should read the live gauges from the counters, expired sessions excluded before and after the sweep', async () => {
    const owner = await makeUser(admin);
    const session = await makeSession(admin, owner);
    const live = async () => {
      const samples = parseMetrics((await admin.get('/metrics')).text);
      return [single(samples, 'sessionhub_live_sessions'), single(samples, 'sessionhub_users_with_live_sessions')];
    };
    const [{ n: sessionsNow }] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM sessions WHERE status IN ('new', 'unauthenticated', 'authenticated') AND expires_at > now()`,
    );
    const [{ n: usersNow }] = await t.sql<{ n: number }>(
      `SELECT count(DISTINCT user_id)::int AS n FROM sessions WHERE status IN ('new', 'unauthenticated', 'authenticated') AND expires_at > now()`,
    );
    expect(await live()).toEqual([sessionsNow, usersNow]);
    expect(sessionsNow).toBe(2);

    await t.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE uuid = $1`, [session.uuid]);
    expect(await live()).toEqual([1, 1]);
    expect(await t.app.get(HousekeepingService).run()).toEqual({ expired: 1, purged: 0, eventsPurged: 0 });
    expect(await live()).toEqual([1, 1]);
    const samples = parseMetrics((await admin.get('/metrics')).text);
    expect(single(samples, 'sessionhub_housekeeping_runs_total')).toBe(1);
    expect(series(samples, 'sessionhub_housekeeping_sessions_total', ['action'])).toEqual({ expired: 1, purged: 0 });
    expect(series(samples, 'sessionhub_sessions_ended_total', ['face', 'reason', 'initiator'])).toMatchObject({
      'system expired system': 1,
    });
    // Scrapes are observed too, under their own route.
    expect(
      series(samples, 'http_request_duration_seconds_count', ['route', 'status'])['/metrics 200'],
    ).toBeGreaterThanOrEqual(3);
  });

  it('should keep /metrics out of every OpenAPI document', async () => {
    const documents = await Promise.all([
      admin.get('/api/docs-json'),
      ...FACES.map((face) => admin.get(`/api/docs/${face.document.slug}.json`)),
    ]);
    for (const document of documents) {
      expect(document.status).toBe(200);
      expect(Object.keys((document.body as { paths: object }).paths)).not.toContain('/metrics');
      expect(document.text).not.toContain('/metrics');
    }
  });
});

describe('Prometheus metrics settings', () => {
  it('should refuse scrapes without METRICS_TOKEN and serve them on METRICS_PORT only', async () => {
    const token = randomBytes(16).toString('hex');
    const port = await freePort();
    const t = await startTestApp('pglite', { METRICS_TOKEN: token, METRICS_PORT: String(port) });
    try {
      const metricsUrl = `http://127.0.0.1:${port}/metrics`;
      expect((await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
      const refused = await fetch(metricsUrl);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect((await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
      expect((await fetch(metricsUrl, { headers: { authorization: token } })).status).toBe(401);
      const allowed = await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` } });
      expect(allowed.status).toBe(200);
      const text = await allowed.text();
      expect(text).toContain('sessionhub_live_sessions 0');
      expect(text).not.toContain(token);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await t.close();
    }
    // Closed with the application.
    expect(await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => 'closed')).toBe('closed');
  });

  it('should serve nothing with METRICS=off', async () => {
    const t = await startTestApp('pglite', { METRICS: 'off' });
    try {
      expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});

/** WORKERS > 1 needs PostgreSQL: only when TEST_DATABASE_URL names a server. */
const clustered = process.env.TEST_DATABASE_URL ? describe : describe.skip;

clustered('Prometheus metrics of WORKERS=2', () => {
  const serverUrl = process.env.TEST_DATABASE_URL ?? '';
  const name = `sessionhub_t_${randomBytes(6).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(serverUrl || 'postgres://x/x'), { pathname: `/${name}` }).toString();

  const onServer = async (sql: string) => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  beforeAll(() => onServer(`CREATE DATABASE ${name}`));
  afterAll(() => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

  const N = 40;
  const LIVE_COUNT = 'http_request_duration_seconds_count';

  /** N probes, each on a fresh connection, so the primary hands them to both workers in turn. */
  async function probe(baseUrl: string): Promise<void> {
    for (let i = 0; i < N; i++) {
      expect((await rawRequest(baseUrl, { path: '/-/health/live' })).status).toBe(200);
    }
  }

  function liveProbes(text: string): number {
    return series(parseMetrics(text), LIVE_COUNT, ['route', 'status'])['/-/health/live 200'];
  }

  it('should answer /metrics on the service port with every worker aggregated (relayed by the primary)', async () => {
    const service = await spawnService({ WORKERS: '2', DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '3' });
    try {
      await waitReady(service);
      await probe(service.baseUrl);
      // Whichever worker each scrape reaches, the text is the aggregate of both.
      for (let i = 0; i < 4; i++) {
        const scrape = await rawRequest(service.baseUrl, { path: '/metrics' });
        expect(scrape.status).toBe(200);
        expect(liveProbes(scrape.text!)).toBe(N);
        const samples = parseMetrics(scrape.text!);
        // Two registries merged: each worker's pool of 3 is summed...
        expect(single(samples, 'sessionhub_db_pool_max')).toBe(6);
        // ...but a gauge read from the database is not multiplied by the worker count.
        expect(single(samples, 'sessionhub_live_sessions')).toBe(0);
      }
    } finally {
      await killService(service);
    }
  });

  it('should serve the aggregate from the primary on METRICS_PORT, behind METRICS_TOKEN', async () => {
    const metricsPort = await freePort();
    const token = randomBytes(16).toString('hex');
    const service = await spawnService({
      WORKERS: '2',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '2',
      METRICS_PORT: String(metricsPort),
      METRICS_TOKEN: token,
    });
    try {
      await waitReady(service);
      await probe(service.baseUrl);
      const metricsUrl = `http://127.0.0.1:${metricsPort}`;
      expect((await rawRequest(service.baseUrl, { path: '/metrics', key: token })).status).toBe(404);
      expect((await rawRequest(metricsUrl, { path: '/metrics' })).status).toBe(401);
      const scrape = await rawRequest(metricsUrl, { path: '/metrics', key: token });
      expect(scrape.status).toBe(200);
      expect(liveProbes(scrape.text!)).toBe(N);
      expect(single(parseMetrics(scrape.text!), 'sessionhub_db_pool_max')).toBe(4);
    } finally {
      await killService(service);
    }
  });
});
