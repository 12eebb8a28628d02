import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { USER_AGENTS } from './support/factories';
import { Http } from './support/http';
import {
  killService,
  rawRequest,
  runCommand,
  ServiceProcess,
  sleep,
  spawnService,
  waitReady,
} from './support/service-process';

/**
 * The embedded PGlite data directory belongs to one process: a second one (the token CLI, another service) refuses
 * at once with a message naming the owner; after a kill -9 the stale lock is taken over and every acknowledged
 * login is still there.
 */
describe('embedded PGlite data directory ownership (child processes)', () => {
  const adminKey = `owner-${randomBytes(12).toString('hex')}`;
  const dirs: string[] = [];
  const services: ServiceProcess[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessionhub-owner-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (dir: string) => {
    const service = await spawnService({ DATA_DIR: dir, BOOTSTRAP_TOKEN: adminKey, TOUCH_INTERVAL_SECONDS: '0' });
    services.push(service);
    return service;
  };

  afterAll(async () => {
    for (const service of services) await killService(service);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('should refuse the token CLI and a second service while the service owns DATA_DIR, and keep serving', async () => {
    const dir = dataDir();
    const owner = await start(dir);
    await waitReady(owner);
    const admin = new Http(owner.baseUrl, adminKey);

    const cli = await runCommand(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli/token.ts', '--user', 'admin'],
      { DATA_DIR: dir, LOG_LEVEL: 'warn' },
      60_000,
    );
    console.log(`token CLI on a DATA_DIR in use: exit ${cli.code} after ${cli.ms} ms: ${cli.stderr.trim()}`);
    expect(cli.code).not.toBe(0);
    expect(cli.code).not.toBeNull();
    expect(cli.ms).toBeLessThan(20_000);
    expect(cli.stdout).not.toMatch(/\S/); // no token printed
    expect(cli.stderr).toContain(`in use by process ${owner.pid}`);
    expect(cli.stderr).toContain('POST /api/hub/v1/tokens');
    expect(cli.stderr).toContain('DATABASE_URL');

    // The owner still serves, reads and writes.
    expect((await rawRequest(owner.baseUrl, { path: '/-/health/ready' })).status).toBe(200);
    expect((await admin.post('/api/hub/v1/users', { username: 'still-serving' })).status).toBe(201);
    const token = await admin.post('/api/hub/v1/tokens', { user: 'admin' });
    expect(token.status).toBe(201);

    const second = await start(dir);
    const exited = await Promise.race([second.exited, sleep(45_000).then(() => null)]);
    console.log(`second service on the same DATA_DIR: ${JSON.stringify(exited)}: ${second.output().trim()}`);
    expect(exited).not.toBeNull();
    expect(exited!.code).not.toBe(0);
    expect(second.output()).toContain(`in use by process ${owner.pid}`);
    // It never listened.
    expect((await rawRequest(second.baseUrl, { path: '/-/health/live', timeoutMs: 2000 })).error).toBe('ECONNREFUSED');

    expect(owner.hasExited()).toBe(false);
    const users = await admin.get('/api/hub/v1/users?search=still-serving');
    expect(users.status).toBe(200);
    expect(users.body.items.map((u: { username: string }) => u.username)).toEqual(['still-serving']);
    // The lock still names the owner.
    expect(JSON.parse(readFileSync(join(dir, 'sessionhub.lock'), 'utf8')).pid).toBe(owner.pid);
  }, 120_000);

  it('should keep every acknowledged login across kill -9 and take the stale lock over', async () => {
    const dir = dataDir();
    const first = await start(dir);
    await waitReady(first);
    const admin = new Http(first.baseUrl, adminKey);
    const user = await admin.post('/api/hub/v1/users', { username: 'crash-user' });
    expect(user.status).toBe(201);

    // Warm up (the first login compiles the paths), then up to 200 logins from 20 clients; kill -9 once 40 are
    // acknowledged, so the kill lands mid-burst whatever the machine's speed.
    expect(
      (await admin.post('/api/hub/v1/sessions', { user: 'crash-user', ip: '192.0.2.1', userAgent: 'curl/8' })).status,
    ).toBe(201);
    const acknowledged: string[] = [];
    const outcomes: string[] = [];
    const clients = Array.from({ length: 20 }, async (_, c) => {
      for (let i = 0; i < 10; i++) {
        const r = await rawRequest(first.baseUrl, {
          method: 'POST',
          path: '/api/hub/v1/sessions',
          key: adminKey,
          body: { user: user.body.id, ip: `198.51.100.${c + 1}`, userAgent: USER_AGENTS.iphone },
          timeoutMs: 10_000,
        });
        outcomes.push(String(r.status ?? r.error));
        if (r.status === 201) acknowledged.push(r.body.uuid);
        if (r.error) return; // the process is gone
        await sleep(50 + c * 5);
      }
    });
    const burstStarted = Date.now();
    while (acknowledged.length < 40 && Date.now() - burstStarted < 20_000) await sleep(10);
    const killedWith = acknowledged.length;
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    await Promise.all(clients);
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'sessionhub.lock'))).toBe(true);
    const counts: Record<string, number> = {};
    for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;

    // Restart on the same DATA_DIR: the dead owner's lock is taken over, the database opens.
    const second = await start(dir);
    const readyMs = await waitReady(second);
    const lock = JSON.parse(readFileSync(join(dir, 'sessionhub.lock'), 'utf8'));
    console.log(
      `crash: ${acknowledged.length} logins acknowledged (${killedWith} before the kill was sent), ` +
        `outcomes ${JSON.stringify(counts)}; restart ready in ${readyMs} ms`,
    );
    expect(lock.pid).toBe(second.pid);
    expect(acknowledged.length).toBeGreaterThanOrEqual(20);
    // Before the kill every login was acknowledged; after it only connection errors (no 5xx).
    expect(outcomes.filter((o) => !['201', 'ECONNREFUSED', 'ECONNRESET', 'socket hang up'].includes(o))).toEqual([]);

    // BOOTSTRAP_TOKEN still authenticates; every acknowledged login is there.
    const admin2 = new Http(second.baseUrl, adminKey);
    const missing: string[] = [];
    for (const uuid of acknowledged) {
      const found = await admin2.get(`/api/hub/v1/sessions/${uuid}`);
      if (found.status !== 200 || found.body.uuid !== uuid) missing.push(`${uuid}: ${found.status}`);
    }
    expect(missing).toEqual([]);
    const login = await admin2.post('/api/hub/v1/sessions', {
      user: user.body.id,
      ip: '203.0.113.50',
      userAgent: USER_AGENTS.macSafari,
    });
    expect(login.status).toBe(201);
    expect((await admin2.post('/api/hub/v1/sessions/validate', { token: login.body.token })).status).toBe(200);
    const tokens = await admin2.get('/api/hub/v1/tokens');
    expect(tokens.status).toBe(200);
    expect(tokens.body.filter((t: { identifier: string }) => t.identifier === 'bootstrap')).toHaveLength(1);
    expect(second.output()).not.toMatch(/error/i);
  }, 120_000);
});
