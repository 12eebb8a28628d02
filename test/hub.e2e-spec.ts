import { createHash } from 'node:crypto';
import { engines, startTestApp, TestApp } from './support/test-app';
import { Http } from './support/http';
import { makeSession, makeUser, MOBILE_APP_DEVICE, TestUser, USER_AGENTS } from './support/factories';

describe.each(engines())('hub API on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let anon: Http;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startTestApp(engine);
    anon = new Http(t.baseUrl);
    admin = anon.as(t.adminKey);
    alice = await makeUser(admin, { username: 'alice', email: 'alice@example.com', name: 'Alice' });
    bob = await makeUser(admin, { username: 'bob' });
  });
  afterAll(() => t?.close());

  describe('health', () => {
    it('should answer live and ready with 200, with and without the trailing slash', async () => {
      for (const path of ['/-/health/live/', '/-/health/ready/', '/-/health/ready']) {
        const res = await anon.get(path);
        expect(res.status).toBe(200);
        expect(res.body.status).toBe('ok');
      }
    });
  });

  describe('credentials', () => {
    it('should accept the bootstrap token and refuse a missing or unknown one with 401', async () => {
      expect((await admin.get('/api/hub/v1/users')).status).toBe(200);
      const missing = await anon.get('/api/hub/v1/users');
      expect(missing.status).toBe(401);
      expect(missing.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Authentication credentials were not provided.',
      });
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      const bad = await anon.as('nope').get('/api/hub/v1/users');
      expect(bad.status).toBe(401);
      expect(bad.body.message).toBe('Token invalid/expired');
      expect((await anon.get('/api/hub/v1/users', { headers: { authorization: 'Bearer ' } })).status).toBe(401);
    });

    it('should store API tokens and session tokens only as SHA-256 digests', async () => {
      const session = await makeSession(admin, alice);
      const rows = await t.sql<{ dump: string }>(
        `SELECT (SELECT string_agg(t::text, '|') FROM api_tokens t) || (SELECT string_agg(s::text, '|') FROM sessions s) AS dump`,
      );
      for (const secret of [t.adminKey, alice.key, bob.key, session.token]) expect(rows[0].dump).not.toContain(secret);
      expect(rows[0].dump).toContain(createHash('sha256').update(session.token).digest('hex'));
    });

    it('should refuse a deleted token and an expired one', async () => {
      const issued = await admin.post('/api/hub/v1/tokens', {
        user: 'bob',
        identifier: 'bob-temp',
        description: 'temp',
      });
      expect(issued.status).toBe(201);
      expect(issued.body).toMatchObject({
        identifier: 'bob-temp',
        user: { id: bob.id, username: 'bob' },
        description: 'temp',
        expiresAt: null,
      });
      expect(issued.body.key).toMatch(/^shk_[A-Za-z0-9_-]{43}$/);
      expect((await anon.as(issued.body.key).get(`/api/hub/v1/users/${bob.id}`)).status).toBe(200);
      expect((await admin.delete('/api/hub/v1/tokens/bob-temp')).status).toBe(204);
      expect((await anon.as(issued.body.key).get(`/api/hub/v1/users/${bob.id}`)).status).toBe(401);

      const soon = await admin.post('/api/hub/v1/tokens', {
        user: bob.id,
        expiresAt: new Date(Date.now() + 1500).toISOString(),
      });
      expect((await anon.as(soon.body.key).get(`/api/hub/v1/users/${bob.id}`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1700));
      expect((await anon.as(soon.body.key).get(`/api/hub/v1/users/${bob.id}`)).status).toBe(401);
    });

    it('should list tokens without keys, all for superusers and only their own for others', async () => {
      const all = await admin.get('/api/hub/v1/tokens');
      expect(all.status).toBe(200);
      expect(all.body.some((x: any) => x.user.username === 'alice')).toBe(true);
      expect(all.text).not.toContain(alice.key);
      expect(all.body.every((x: any) => !('key' in x) && !('keyHash' in x))).toBe(true);
      const own = await anon.as(alice.key).get('/api/hub/v1/tokens');
      expect(own.body.every((x: any) => x.user.id === alice.id)).toBe(true);
      const mine = own.body[0].identifier;
      expect((await anon.as(bob.key).delete(`/api/hub/v1/tokens/${mine}`)).status).toBe(404);
    });

    it('should reject token input that makes no sense', async () => {
      expect((await admin.post('/api/hub/v1/tokens', { user: 'nobody-here' })).status).toBe(404);
      expect(
        (await admin.post('/api/hub/v1/tokens', { user: alice.id, expiresAt: '2001-01-01T00:00:00Z' })).status,
      ).toBe(400);
      expect((await admin.post('/api/hub/v1/tokens', { user: alice.id, expiresAt: 'tomorrow' })).status).toBe(400);
      // ISO 8601 forms Date cannot read: refused by validation, naming the field, not a 500 past it.
      for (const expiresAt of ['2030-W01', '20300101T000000Z']) {
        const res = await admin.post('/api/hub/v1/tokens', { user: alice.id, expiresAt });
        expect([expiresAt, res.status, res.body.message]).toEqual([
          expiresAt,
          400,
          ['expiresAt must be an ISO 8601 date and time, e.g. 2030-01-01T00:00:00Z'],
        ]);
      }
      expect((await admin.post('/api/hub/v1/tokens', { user: alice.id, identifier: 'bad id!' })).status).toBe(400);
      expect((await anon.as(alice.key).post('/api/hub/v1/tokens', { user: alice.id })).status).toBe(403);
    });
  });

  describe('users', () => {
    it('should create a user with every field and refuse a duplicate', async () => {
      const res = await admin.post('/api/hub/v1/users', {
        username: 'carol',
        name: 'Carol',
        email: 'carol@example.com',
        isOperator: true,
        maxSessions: 3,
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        username: 'carol',
        name: 'Carol',
        email: 'carol@example.com',
        isSuperuser: false,
        isOperator: true,
        isActive: true,
        identityId: expect.stringMatching(/^[0-7][0-9a-hjkmnp-tv-z]{31}$/),
        maxSessions: 3,
        createdAt: expect.any(String),
      });
      const again = await admin.post('/api/hub/v1/users', { username: 'carol' });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'A user named carol already exists.' });
    });

    it('should answer bad user input with 400 and a message', async () => {
      for (const body of [
        {},
        { username: '' },
        { username: 'has space' },
        { username: 'x'.repeat(151) },
        { username: 'ok', email: 'not-mail' },
        { username: 'ok2', extra: 1 },
      ]) {
        const res = await admin.post('/api/hub/v1/users', body);
        expect(res.status).toBe(400);
        expect(res.body.statusCode).toBe(400);
        expect(res.body.message).toBeDefined();
      }
      const malformed = await admin.request('POST', '/api/hub/v1/users', { rawBody: '{"username": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.message).toMatch(/Malformed JSON/);
    });

    it('should page and search users, and refuse huge or negative paging', async () => {
      const page = await admin.get('/api/hub/v1/users?limit=2&offset=0');
      expect(page.status).toBe(200);
      expect(page.body.items).toHaveLength(2);
      expect(page.body.total).toBeGreaterThanOrEqual(4);
      expect(page.body.items[0].username).toBe('admin');
      const search = await admin.get('/api/hub/v1/users?search=ALI');
      expect(search.body.items.map((u: any) => u.username)).toEqual(['alice']);
      const injection = await admin.get(`/api/hub/v1/users?search=${encodeURIComponent("'; DROP TABLE users; --")}`);
      expect(injection.status).toBe(200);
      expect(injection.body.total).toBe(0);
      expect((await admin.get('/api/hub/v1/users?search=%25')).body.total).toBe(0);
      for (const q of ['limit=1000000', 'limit=0', 'offset=-1', 'limit=abc'])
        expect((await admin.get(`/api/hub/v1/users?${q}`)).status).toBe(400);
      expect((await anon.as(alice.key).get('/api/hub/v1/users')).status).toBe(403);
    });

    it('should show a user to a superuser and to that user only', async () => {
      expect((await admin.get(`/api/hub/v1/users/${alice.id}`)).body.username).toBe('alice');
      expect((await anon.as(alice.key).get(`/api/hub/v1/users/${alice.id}`)).status).toBe(200);
      expect((await anon.as(alice.key).get(`/api/hub/v1/users/${bob.id}`)).status).toBe(404);
      expect((await admin.get('/api/hub/v1/users/999999')).status).toBe(404);
      for (const bad of ['abc', '-1', '1.5', '99999999999', "1'%20OR%201=1"])
        expect((await admin.get(`/api/hub/v1/users/${bad}`)).status).toBe(400);
    });
  });

  describe('sessions', () => {
    it('should create a session with every field and show the token once', async () => {
      const device = MOBILE_APP_DEVICE;
      const res = await admin.post('/api/hub/v1/sessions', {
        user: 'alice',
        ip: '2001:db8::7',
        userAgent: USER_AGENTS.iphone,
        sessionType: 'api',
        ttlSeconds: 3600,
        title: 'My phone',
        device,
      });
      expect(res.status).toBe(201);
      const s = res.body;
      expect(s.token).toMatch(/^shs_/);
      expect(s).toMatchObject({
        id: expect.any(Number),
        uuid: expect.any(String),
        pfid: expect.stringMatching(/^[0-7][0-9a-hjkmnp-tv-z]{31}$/),
        user: { id: alice.id, uuid: alice.uuid, username: 'alice' },
        status: 'authenticated',
        live: true,
        sessionType: 'api',
        identityId: alice.identityId,
        title: 'My phone',
        device,
        deviceClass: 'smartphone',
        firstSeen: { ip: '2001:db8::7', userAgent: USER_AGENTS.iphone },
        lastSeen: { ip: '2001:db8::7' },
        userAgent: {
          string: USER_AGENTS.iphone,
          user_agent: { family: 'Mobile Safari' },
          os: { family: 'iOS' },
          device: { family: 'iPhone' },
        },
        geo: null,
        asn: null,
        endedAt: null,
      });
      expect(new Date(s.expiresAt).getTime() - Date.now()).toBeGreaterThan(3500_000);
      const read = await admin.get(`/api/hub/v1/sessions/${s.uuid}`);
      expect(read.status).toBe(200);
      expect(read.text).not.toContain(s.token);
    });

    it('should give the same user the same identity id and the same device the same device id', async () => {
      const a = await makeSession(admin, alice, { userAgent: USER_AGENTS.linuxFirefox });
      const b = await makeSession(admin, alice, { userAgent: USER_AGENTS.linuxFirefox, ip: '198.51.100.1' });
      const c = await makeSession(admin, alice, { userAgent: USER_AGENTS.windowsChrome });
      expect(a.identityId).toBe(b.identityId);
      expect(a.deviceId).toBe(b.deviceId);
      expect(c.deviceId).not.toBe(a.deviceId);
      expect(String(a.pfid).slice(10, 16)).toBe(String(a.accountId).slice(10, 16));
    });

    it('should give many logins at once from one new device one device id, and each login its session and event', async () => {
      // The login statement finds or adds the device itself; the ones that lose the race to add it run again.
      const userAgent = `${USER_AGENTS.linuxFirefox} race/${Date.now()}`;
      const logins = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          admin.post('/api/hub/v1/sessions', { user: 'bob', ip: `198.51.100.${i + 1}`, userAgent }),
        ),
      );
      expect(logins.map((res) => res.status)).toEqual(logins.map(() => 201));
      expect(new Set(logins.map((res) => res.body.deviceId)).size).toBe(1);
      const rows = await t.sql<{ devices: number; sessions: number; created: number }>(
        `SELECT (SELECT count(DISTINCT device_id)::int FROM sessions WHERE id = ANY ($1)) AS devices,
           (SELECT count(*)::int FROM sessions WHERE id = ANY ($1)) AS sessions,
           (SELECT count(*)::int FROM session_events WHERE session_id = ANY ($1) AND kind = 'created') AS created`,
        [logins.map((res) => res.body.id)],
      );
      expect(rows[0]).toEqual({ devices: 1, sessions: 40, created: 40 });
    });

    it('should write many users logging in at once, each login whole: session, device, events in order, insight', async () => {
      // Logins arriving together share statements (one login per user in each): every user's login must come back
      // as its own, with its own device, `created` first and insight's findings after it, and insight counting all
      // five of one user's logins, which cannot share a statement.
      const users = await Promise.all(Array.from({ length: 12 }, (_, i) => makeUser(admin, { username: `crowd${i}` })));
      // Each user has logged in once before, so insight judges the logins below against what it knew.
      for (const user of users) await makeSession(admin, user, { userAgent: USER_AGENTS.windowsChrome });
      const logins = users.flatMap((user, i) =>
        Array.from({ length: i === 0 ? 5 : 1 }, (_, n) => ({
          user: user.username,
          ip: `81.2.69.${160 + n}`,
          userAgent: `${USER_AGENTS.linuxFirefox} crowd/${i}`,
        })),
      );
      const answers = await Promise.all(logins.map((body) => admin.post('/api/hub/v1/sessions', body)));
      expect(answers.map((res) => res.status)).toEqual(answers.map(() => 201));
      answers.forEach((res, i) => {
        expect(res.body.user).toMatchObject({ username: logins[i].user });
        expect(res.body.lastSeen).toMatchObject({ ip: logins[i].ip, userAgent: logins[i].userAgent });
      });
      const events = await t.sql<{ username: string; kinds: string[] }>(
        `SELECT s.username, array_agg(e.kind ORDER BY e.id) AS kinds FROM sessions s
         JOIN session_events e ON e.session_id = s.id WHERE s.id = ANY ($1) GROUP BY s.id, s.username`,
        [answers.map((res) => res.body.id)],
      );
      expect(events).toHaveLength(logins.length);
      for (const { kinds } of events) expect(kinds[0]).toBe('created');
      // Each user's only login here is from a new device.
      for (const user of users.slice(1))
        expect(events.find((e) => e.username === user.username)?.kinds).toEqual(
          expect.arrayContaining(['created', 'new_device']),
        );
      const memory = await t.sql<{ user_id: number; sessions: number; devices: number }>(
        `SELECT user_id, sessions, (SELECT count(*)::int FROM devices d WHERE d.user_id = i.user_id) AS devices
         FROM login_insight i WHERE user_id = ANY ($1) ORDER BY user_id`,
        [users.map((user) => user.id)],
      );
      expect(memory).toEqual(
        users
          .map((user, i) => ({ user_id: user.id, sessions: i === 0 ? 6 : 2, devices: 2 }))
          .sort((a, b) => a.user_id - b.user_id),
      );
    });

    it('should refuse bad session input with 400 or 404, never 500', async () => {
      const cases: Array<[Record<string, unknown>, number]> = [
        [{ user: alice.id, ip: 'not-an-ip', userAgent: 'x' }, 400],
        [{ user: alice.id, ip: '999.1.1.1', userAgent: 'x' }, 400],
        [{ user: alice.id, ip: "1.1.1.1'; DROP TABLE sessions;--", userAgent: 'x' }, 400],
        [{ user: alice.id, ip: '1.1.1.1', userAgent: 'x', ttlSeconds: -5 }, 400],
        [{ user: alice.id, ip: '1.1.1.1', userAgent: 'x', ttlSeconds: 1e12 }, 400],
        [{ user: alice.id, ip: '1.1.1.1', userAgent: 'x', ttlSeconds: 1.5 }, 400],
        [{ user: alice.id, ip: '1.1.1.1', userAgent: 'x', sessionType: 'desktop' }, 400],
        [{ user: alice.id, ip: '1.1.1.1', userAgent: 'x', status: 'revoked' }, 400],
        [{ user: alice.id, ip: '1.1.1.1', userAgent: 'x', poolId: 'not-a-pfid' }, 400],
        [{ user: alice.id, ip: '1.1.1.1' }, 400],
        [{ user: 'ghost', ip: '1.1.1.1', userAgent: 'x' }, 404],
        [{ user: 424242, ip: '1.1.1.1', userAgent: 'x' }, 404],
        [{ user: -1, ip: '1.1.1.1', userAgent: 'x' }, 400],
      ];
      for (const [body, status] of cases) {
        const res = await admin.post('/api/hub/v1/sessions', body);
        expect({ body, status: res.status }).toEqual({ body, status });
        expect(typeof res.body.message === 'string' || Array.isArray(res.body.message)).toBe(true);
      }
      expect(
        (await anon.as(alice.key).post('/api/hub/v1/sessions', { user: alice.id, ip: '1.1.1.1', userAgent: 'x' }))
          .status,
      ).toBe(403);
      // Only JSON is read: a form or any other type is 415 in the hub's shape, whatever its fields say.
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/xml']) {
        const res = await admin.request('POST', '/api/hub/v1/sessions', {
          rawBody: `user=${alice.id}&ip=1.1.1.1&userAgent=x`,
          headers: { 'content-type': type },
        });
        expect([type, res.status, res.body]).toEqual([
          type,
          415,
          { statusCode: 415, error: 'Unsupported Media Type', message: `Unsupported media type "${type}" in request.` },
        ]);
      }
    });

    it('should validate a live token, record a new IP with an event, and refuse unknown tokens', async () => {
      const s = await makeSession(admin, alice);
      const ok = await anon.post('/api/hub/v1/sessions/validate', { token: s.token });
      expect(ok.status).toBe(200);
      expect(ok.body.uuid).toBe(s.uuid);
      const moved = await anon.post('/api/hub/v1/sessions/validate', {
        token: s.token,
        ip: '198.51.100.9',
        userAgent: USER_AGENTS.windowsChrome,
      });
      expect(moved.body.lastSeen).toMatchObject({ ip: '198.51.100.9', userAgent: USER_AGENTS.windowsChrome });
      expect(moved.body.firstSeen.ip).toBe('203.0.113.7');
      expect(moved.body.userAgent.user_agent.family).toBe('Chrome');
      const events = await admin.get(`/api/hub/v1/sessions/${s.uuid}/events`);
      expect(events.body.map((e: any) => e.kind)).toEqual(['created', 'validated_new_ip']);
      expect(events.body[1].ip).toBe('198.51.100.9');
      const unknown = await anon.post('/api/hub/v1/sessions/validate', { token: 'shs_nothing' });
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Token invalid/expired' });
      expect((await anon.post('/api/hub/v1/sessions/validate', { token: s.token, ip: 'bogus' })).status).toBe(400);
      expect((await anon.post('/api/hub/v1/sessions/validate', {})).status).toBe(400);
    });

    it('should take another spelling of the address a session last had as that address', async () => {
      // PostgreSQL stores an IPv6 address in one form; an application may forward it in any other (upper case,
      // leading zeros, zeros not compressed). A validate that compared the spelling wrote a new-address event and
      // the session's row on every call, past the cache.
      const s = await makeSession(admin, alice, { ip: '2001:0DB8:0:0:0:0:0:0007' });
      expect(s).toMatchObject({ firstSeen: { ip: '2001:db8::7' } });
      for (const ip of ['2001:db8::7', '2001:DB8::7', '2001:0db8:0000:0000:0000:0000:0000:0007', '2001:db8:0::0:7']) {
        const res = await anon.post('/api/hub/v1/sessions/validate', { token: s.token, ip });
        expect({ ip, status: res.status, seen: res.body.lastSeen.ip }).toEqual({
          ip,
          status: 200,
          seen: '2001:db8::7',
        });
      }
      const moved = await anon.post('/api/hub/v1/sessions/validate', { token: s.token, ip: '2001:DB8::8' });
      expect(moved.body.lastSeen.ip).toBe('2001:db8::8');
      const events = await admin.get(`/api/hub/v1/sessions/${s.uuid}/events`);
      expect(events.body.map((e: any) => [e.kind, e.ip])).toEqual([
        ['created', '2001:db8::7'],
        ['validated_new_ip', '2001:db8::8'],
      ]);
    });

    it('should refuse an expired session token', async () => {
      const s = await makeSession(admin, alice, { ttlSeconds: 1 });
      await new Promise((r) => setTimeout(r, 1200));
      expect((await anon.post('/api/hub/v1/sessions/validate', { token: s.token })).status).toBe(401);
      const read = await admin.get(`/api/hub/v1/sessions/${s.uuid}`);
      expect(read.body).toMatchObject({ status: 'complete', live: false });
    });

    it('should end a session (logout), then refuse its token', async () => {
      const s = await makeSession(admin, alice);
      expect((await anon.as(s.token).get(`/api/hub/v1/sessions/${s.uuid}`)).status).toBe(200);
      const ended = await anon.as(s.token).post(`/api/hub/v1/sessions/${s.uuid}/end`);
      expect(ended.status).toBe(200);
      expect(ended.body).toMatchObject({ status: 'complete', live: false, endedBy: alice.id });
      expect((await anon.post('/api/hub/v1/sessions/validate', { token: s.token })).status).toBe(401);
      expect((await anon.as(s.token).get(`/api/hub/v1/sessions/${s.uuid}`)).status).toBe(401);
      expect((await admin.post(`/api/hub/v1/sessions/${s.uuid}/end`)).status).toBe(409);
      const events = await admin.get(`/api/hub/v1/sessions/${s.uuid}/events`);
      expect(events.body.map((e: any) => [e.kind, e.actorUserId, e.face])).toEqual([
        ['created', null, 'hub'],
        ['ended', alice.id, 'hub'],
      ]);
    });

    it("should keep user A away from user B's sessions", async () => {
      const bobs = await makeSession(admin, bob);
      const asAlice = anon.as(alice.key);
      expect((await asAlice.get(`/api/hub/v1/sessions/${bobs.uuid}`)).status).toBe(404);
      expect((await asAlice.post(`/api/hub/v1/sessions/${bobs.uuid}/end`)).status).toBe(404);
      expect((await asAlice.get(`/api/hub/v1/sessions/${bobs.uuid}/events`)).status).toBe(404);
      expect((await asAlice.post(`/api/hub/v1/users/${bob.id}/sessions/revoke`, {})).status).toBe(404);
      expect((await admin.post('/api/hub/v1/sessions/validate', { token: bobs.token })).body.status).toBe(
        'authenticated',
      );
    });

    it("should revoke all of a user's sessions except one", async () => {
      const dave = await makeUser(admin, { username: 'dave' });
      const keep = await makeSession(admin, dave);
      const gone = [await makeSession(admin, dave), await makeSession(admin, dave)];
      const res = await anon
        .as(keep.token)
        .post(`/api/hub/v1/users/${dave.id}/sessions/revoke`, { exceptSession: keep.uuid });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ revoked: 2 });
      expect((await anon.post('/api/hub/v1/sessions/validate', { token: keep.token })).status).toBe(200);
      for (const s of gone) {
        expect((await anon.post('/api/hub/v1/sessions/validate', { token: s.token })).status).toBe(401);
        expect((await admin.get(`/api/hub/v1/sessions/${s.uuid}`)).body.status).toBe('revoked');
      }
      expect((await admin.post(`/api/hub/v1/users/${dave.id}/sessions/revoke`, {})).body).toEqual({ revoked: 1 });
      expect((await admin.post(`/api/hub/v1/users/${dave.id}/sessions/revoke`, { exceptSession: 'nope' })).status).toBe(
        400,
      );
    });

    it('should answer malformed session ids with 400 and unknown ones with 404', async () => {
      expect((await admin.get('/api/hub/v1/sessions/not-a-uuid')).status).toBe(400);
      expect((await admin.get('/api/hub/v1/sessions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });
  });
});
