import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { Http } from './support/http';

/** The embedded default keeps its data in DATA_DIR across restarts, and BOOTSTRAP_TOKEN stays idempotent. */
describe('embedded PGlite in DATA_DIR', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sessionhub-data-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function start() {
    const config = loadConfig({
      DATA_DIR: dataDir,
      BOOTSTRAP_TOKEN: 'persistent-bootstrap-key',
      TOUCH_INTERVAL_SECONDS: '0',
    });
    const app = await createApp({ config }, true);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    return { app, http: new Http(`http://127.0.0.1:${port}`, 'persistent-bootstrap-key') };
  }

  it('should keep users and sessions across a restart', async () => {
    const first = await start();
    expect((await first.http.post('/api/hub/v1/users', { username: 'survivor' })).status).toBe(201);
    const session = await first.http.post('/api/hub/v1/sessions', {
      user: 'survivor',
      ip: '192.0.2.1',
      userAgent: 'curl/8.5.0',
    });
    expect(session.status).toBe(201);
    await first.app.close();

    const second = await start();
    try {
      const users = await second.http.get('/api/hub/v1/users?search=survivor');
      expect(users.status).toBe(200);
      expect(users.body.items.map((u: { username: string }) => u.username)).toEqual(['survivor']);
      const validated = await second.http.post('/api/hub/v1/sessions/validate', { token: session.body.token });
      expect(validated.status).toBe(200);
      expect(validated.body.uuid).toBe(session.body.uuid);
      const tokens = await second.http.get('/api/hub/v1/tokens');
      expect(tokens.body.filter((t: { identifier: string }) => t.identifier === 'bootstrap')).toHaveLength(1);
    } finally {
      await second.app.close();
    }
  });
});
