import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { Client } from 'pg';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { seed } from '../src/cli/seed';
import { Http } from './support/http';
import { engines } from './support/test-app';

/** The seed command fills a fresh database that the service then serves through every face, consistently. */
describe.each(engines())('seed command on %s', (engine) => {
  const key = `seed-test-${randomBytes(8).toString('hex')}`;
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (engine === 'postgres') {
      const server = process.env.TEST_DATABASE_URL!;
      const name = `sessionhub_seed_${randomBytes(5).toString('hex')}`;
      const admin = new Client({ connectionString: server });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(server);
      url.pathname = `/${name}`;
      env = { DATABASE_URL: url.toString() };
      cleanup = async () => {
        const c = new Client({ connectionString: server });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      };
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'sessionhub-seed-'));
      env = { DATA_DIR: dir };
      cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
    }
  });
  afterAll(() => cleanup?.());

  it('should seed users and sessions that every face serves with matching counts', async () => {
    const report = await seed(loadConfig(env), { users: 40, sessions: 1500, accounts: 2, batch: 400, log: () => {} });
    expect(report).toMatchObject({ users: 40, sessions: 1500 });
    expect(report.events).toBeGreaterThanOrEqual(1500);

    const app = await createApp({ config: loadConfig({ ...env, BOOTSTRAP_TOKEN: key }) }, true);
    try {
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as { port: number };
      const http = new Http(`http://127.0.0.1:${port}`, key);
      const { DataSource } = await import('typeorm');
      const db = app.get(DataSource);
      const [facts] = await db.query(`
        SELECT count(*)::int AS sessions,
               count(*) FILTER (WHERE status IN ('new', 'unauthenticated', 'authenticated') AND expires_at > now())::int AS live,
               count(DISTINCT status)::int AS statuses,
               count(*) FILTER (WHERE family(last_ip) = 6)::int AS ipv6,
               count(DISTINCT user_id) FILTER (WHERE status IN ('new', 'unauthenticated', 'authenticated') AND expires_at > now())::int AS live_users
        FROM sessions`);
      expect(facts.sessions).toBe(1500);
      expect(facts.live).toBeGreaterThan(0);
      expect(facts.live).toBeLessThan(1500);
      expect(facts.statuses).toBeGreaterThanOrEqual(3);
      expect(facts.ipv6).toBeGreaterThan(0);

      const authentik = await http.get('/api/v3/core/authenticated_sessions/?page_size=5');
      expect(authentik.status).toBe(200);
      expect(authentik.body.pagination.count).toBe(facts.live);
      for (const row of authentik.body.results) {
        expect(isIP(row.last_ip)).toBeGreaterThan(0);
        expect(row.user_agent.string).toBe(row.last_user_agent);
      }
      const movens = await http.get('/api/admin/v1/authenticated-sessions/list?PageSize=100');
      expect(movens.status).toBe(200);
      expect(Number(movens.headers.get('x-total-count'))).toBe(facts.live_users);
      const prefactor = await http.get('/api/v1/session?pagination[page_size]=5');
      expect(prefactor.status).toBe(200);
      expect(prefactor.body.pagination.item_count).toBe(1500);

      // A seeded session behaves like any other: revoking it through one face shows in another.
      const target = authentik.body.results[0];
      expect((await http.delete(`/api/v3/core/authenticated_sessions/${target.uuid}/`)).status).toBe(204);
      const after = await http.get('/api/v3/core/authenticated_sessions/?page_size=5');
      expect(after.body.pagination.count).toBe(facts.live - 1);
    } finally {
      await app.close();
    }
  });
});
