import { engines, startTestApp, TestApp } from './support/test-app';
import { Http, HttpResult } from './support/http';
import { makeSession, makeUser, TestSession, TestUser, USER_AGENTS } from './support/factories';
import {
  authentikValidators,
  BASE,
  EXPECTED_USER_AGENTS,
  expectMatchesSchema,
  PAGINATION_KEYS,
  SESSION_KEYS,
} from './authentik-support';

const validators = authentikValidators();
const NOT_FOUND = { detail: 'No AuthenticatedSession matches the given query.' };

describe.each(engines())('authentik face on %s', (engine) => {
  let t: TestApp;
  let anon: Http;
  let admin: Http;
  let alice: TestUser;
  let bob: TestUser;
  // alice: Safari on a Mac, Chrome on Windows, curl over IPv6; bob: Chrome on Android.
  let aliceMac: TestSession;
  let aliceWindows: TestSession;
  let aliceCurl: TestSession;
  let bobAndroid: TestSession;

  beforeAll(async () => {
    t = await startTestApp(engine);
    anon = new Http(t.baseUrl);
    admin = anon.as(t.adminKey);
    alice = await makeUser(admin, { username: 'alice' });
    bob = await makeUser(admin, { username: 'bob' });
    aliceMac = await makeSession(admin, alice, { ip: '203.0.113.7', userAgent: USER_AGENTS.macSafari });
    aliceWindows = await makeSession(admin, alice, { ip: '198.51.100.20', userAgent: USER_AGENTS.windowsChrome });
    aliceCurl = await makeSession(admin, alice, { ip: '2001:db8::1', userAgent: USER_AGENTS.curl });
    bobAndroid = await makeSession(admin, bob, { ip: '192.0.2.55', userAgent: USER_AGENTS.androidChrome });
  });
  afterAll(() => t?.close());

  /** Every JSON body this face sends must meet authentik's schema; a few error bodies are checked by hand. */
  function listOf(res: HttpResult) {
    expect(res.status).toBe(200);
    expectMatchesSchema(validators, 'PaginatedAuthenticatedSessionList', res.body);
    expect(Object.keys(res.body)).toEqual(['pagination', 'results', 'autocomplete']);
    expect(Object.keys(res.body.pagination)).toEqual(PAGINATION_KEYS);
    expect(res.body.autocomplete).toEqual({});
    for (const item of res.body.results) expect(Object.keys(item)).toEqual(SESSION_KEYS);
    return res.body as { pagination: Record<string, number>; results: any[] };
  }
  const uuidsOf = (res: HttpResult) => listOf(res).results.map((s: any) => s.uuid);
  function expectError(res: HttpResult, status: number, body: unknown) {
    expect({ status: res.status, body: res.body }).toEqual({ status, body });
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    if (!Array.isArray(body))
      expectMatchesSchema(validators, status === 400 ? 'ValidationError' : 'GenericError', res.body);
  }
  async function statusOf(uuid: string): Promise<string> {
    const rows = await t.sql<{ status: string }>(`SELECT status FROM sessions WHERE uuid = $1`, [uuid]);
    return rows[0].status;
  }

  describe('credentials', () => {
    const endpoints = (uuid: string): [string, string][] => [
      ['GET', `${BASE}/`],
      ['GET', `${BASE}/${uuid}/`],
      ['DELETE', `${BASE}/${uuid}/`],
      ['GET', `${BASE}/${uuid}/used_by/`],
      ['DELETE', `${BASE}/bulk_delete/?user_pks=1`],
    ];

    it('should answer 403 "credentials were not provided" without credentials, never 401 or WWW-Authenticate', async () => {
      for (const [method, path] of endpoints(aliceMac.uuid)) {
        for (const headers of [
          {} as Record<string, string>,
          { authorization: 'Basic YWxpY2U6cHc=' },
          { authorization: 'Bearer' },
          { authorization: 'Token abc' },
        ]) {
          const res = await anon.request(method, path, { headers });
          expectError(res, 403, { detail: 'Authentication credentials were not provided.' });
        }
      }
      expect(await statusOf(aliceMac.uuid)).toBe('authenticated');
    });

    it('should answer 403 "Token invalid/expired" for an unknown, expired or revoked key on every endpoint', async () => {
      const expiring = await admin.post('/api/hub/v1/tokens', { user: alice.id });
      await t.sql(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE identifier = $1`, [
        expiring.body.identifier,
      ]);
      const revoked = await makeSession(admin, alice);
      expect((await anon.as(revoked.token).delete(`${BASE}/${revoked.uuid}/`)).status).toBe(204);
      for (const key of ['nope', 'shk_' + 'x'.repeat(43), expiring.body.key, revoked.token]) {
        for (const [method, path] of endpoints(aliceMac.uuid)) {
          expectError(await anon.as(key).request(method, path), 403, { detail: 'Token invalid/expired' });
        }
      }
      expect(await statusOf(aliceMac.uuid)).toBe('authenticated');
    });

    it('should accept the bearer scheme in any case, with an API token or a session token', async () => {
      for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
        const res = await anon.get(`${BASE}/`, { headers: { authorization: `${scheme} ${alice.key}` } });
        expect(listOf(res).pagination.count).toBe(3);
      }
      expect(listOf(await anon.as(aliceMac.token).get(`${BASE}/`)).pagination.count).toBe(3);
    });
  });

  describe('retrieve', () => {
    it("should give every field of the serializer in authentik's order and format", async () => {
      await t.sql(
        `UPDATE sessions SET last_seen_at = '2026-04-20T08:47:25.123Z', expires_at = '2031-01-02T03:04:05Z' WHERE uuid = $1`,
        [aliceMac.uuid],
      );
      const res = await admin.get(`${BASE}/${aliceMac.uuid}/`);
      expect(res.status).toBe(200);
      expectMatchesSchema(validators, 'AuthenticatedSession', res.body);
      expect(res.text.startsWith('{"uuid":')).toBe(true);
      expect(Object.keys(res.body)).toEqual(SESSION_KEYS);
      expect(Object.keys(res.body.user_agent)).toEqual(['string', 'user_agent', 'os', 'device']);
      expect(Object.keys(res.body.user_agent.user_agent)).toEqual(['family', 'major', 'minor', 'patch']);
      expect(Object.keys(res.body.user_agent.os)).toEqual(['family', 'major', 'minor', 'patch', 'patch_minor']);
      expect(Object.keys(res.body.user_agent.device)).toEqual(['family', 'brand', 'model']);
      expect(res.body).toEqual({
        uuid: aliceMac.uuid,
        current: false,
        user_agent: { string: USER_AGENTS.macSafari, ...EXPECTED_USER_AGENTS[USER_AGENTS.macSafari] },
        geo_ip: null,
        asn: null,
        user: alice.id,
        last_ip: '203.0.113.7',
        last_user_agent: USER_AGENTS.macSafari,
        last_used: '2026-04-20T08:47:25.123000Z',
        expires: '2031-01-02T03:04:05Z',
      });
    });

    it("should parse each user agent with uap-core's names and null for unknown parts", async () => {
      for (const [ua, expected] of Object.entries({
        ...EXPECTED_USER_AGENTS,
        '': EXPECTED_USER_AGENTS['goauthentik.io/outpost/2026.2.0'],
      })) {
        const session = await makeSession(admin, bob, { userAgent: ua });
        const res = await admin.get(`${BASE}/${session.uuid}/`);
        expectMatchesSchema(validators, 'AuthenticatedSession', res.body);
        expect(res.body.user_agent).toEqual({ string: ua, ...expected });
        expect(res.body.last_user_agent).toBe(ua);
        // Out of the way of later searches.
        expect((await admin.delete(`${BASE}/${session.uuid}/`)).status).toBe(204);
      }
    });

    it('should print IPv6 addresses as PostgreSQL does', async () => {
      const res = await anon.as(alice.key).get(`${BASE}/${aliceCurl.uuid}/`);
      expect(res.body.last_ip).toBe('2001:db8::1');
    });

    it('should accept the uuid in upper case, without hyphens, in braces and as a URN', async () => {
      const hex = aliceWindows.uuid.replace(/-/g, '');
      for (const form of [
        aliceWindows.uuid.toUpperCase(),
        hex,
        hex.toUpperCase(),
        `{${aliceWindows.uuid}}`,
        `urn:uuid:${aliceWindows.uuid}`,
      ]) {
        const res = await anon.as(alice.key).get(`${BASE}/${encodeURIComponent(form)}/`);
        expect(res.status).toBe(200);
        expect(res.body.uuid).toBe(aliceWindows.uuid);
      }
    });

    it('should answer 404 "Not found." for a malformed uuid and authentik\'s message for an unknown one', async () => {
      for (const bad of [
        'abc',
        '1234',
        `${aliceMac.uuid}0`,
        'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
        "1' OR '1'='1",
        '%00',
      ]) {
        for (const suffix of ['/', '/used_by/']) {
          expectError(await admin.get(`${BASE}/${encodeURIComponent(bad)}${suffix}`), 404, { detail: 'Not found.' });
        }
        expectError(await admin.delete(`${BASE}/${encodeURIComponent(bad)}/`), 404, { detail: 'Not found.' });
      }
      const unknown = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
      expectError(await admin.get(`${BASE}/${unknown}/`), 404, NOT_FOUND);
      expectError(await admin.get(`${BASE}/${unknown}/used_by/`), 404, NOT_FOUND);
      expectError(await admin.delete(`${BASE}/${unknown}/`), 404, NOT_FOUND);
    });

    it("should hide another user's session from an ordinary user (404) but show it to a superuser", async () => {
      expectError(await anon.as(alice.key).get(`${BASE}/${bobAndroid.uuid}/`), 404, NOT_FOUND);
      expectError(await anon.as(alice.key).get(`${BASE}/${bobAndroid.uuid}/used_by/`), 404, NOT_FOUND);
      expectError(await anon.as(aliceMac.token).get(`${BASE}/${bobAndroid.uuid}/`), 404, NOT_FOUND);
      expect((await anon.as(bob.key).get(`${BASE}/${bobAndroid.uuid}/`)).body.user).toBe(bob.id);
      expect((await admin.get(`${BASE}/${bobAndroid.uuid}/`)).body.user).toBe(bob.id);
    });

    it('should mark as current only the session whose token made the call', async () => {
      expect((await anon.as(aliceMac.token).get(`${BASE}/${aliceMac.uuid}/`)).body.current).toBe(true);
      expect((await anon.as(aliceMac.token).get(`${BASE}/${aliceWindows.uuid}/`)).body.current).toBe(false);
      expect((await anon.as(alice.key).get(`${BASE}/${aliceMac.uuid}/`)).body.current).toBe(false);
      const listed = listOf(await anon.as(aliceWindows.token).get(`${BASE}/`)).results;
      expect(listed.filter((s) => s.current).map((s) => s.uuid)).toEqual([aliceWindows.uuid]);
    });

    it('should answer 404 for sessions that are revoked, logged out or expired', async () => {
      const revoked = await makeSession(admin, alice);
      const ended = await makeSession(admin, alice);
      const expired = await makeSession(admin, alice);
      await admin.delete(`${BASE}/${revoked.uuid}/`);
      expect((await admin.post(`/api/hub/v1/sessions/${ended.uuid}/end`)).status).toBe(200);
      await t.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE uuid = $1`, [expired.uuid]);
      for (const session of [revoked, ended, expired]) {
        expectError(await admin.get(`${BASE}/${session.uuid}/`), 404, NOT_FOUND);
        expectError(await admin.get(`${BASE}/${session.uuid}/used_by/`), 404, NOT_FOUND);
        expectError(await admin.delete(`${BASE}/${session.uuid}/`), 404, NOT_FOUND);
      }
      expect(await statusOf(ended.uuid)).toBe('complete');
    });

    it("should apply search and filters to a detail lookup, as authentik's filter backends do", async () => {
      const path = `${BASE}/${aliceMac.uuid}/`;
      expect((await admin.get(`${path}?user__username=alice`)).status).toBe(200);
      expect((await admin.get(`${path}?search=SAFARI`)).status).toBe(200);
      expectError(await admin.get(`${path}?user__username=bob`), 404, NOT_FOUND);
      expectError(await admin.get(`${path}?search=firefox`), 404, NOT_FOUND);
      expectError(await admin.get(`${path}?search=%00`), 400, ['Null characters are not allowed.']);
      expectError(await admin.get(`${path}?session__last_ip=nope`), 400, {
        session__last_ip: ['Enter a valid IPv4 or IPv6 address.'],
      });
    });
  });

  describe('used_by', () => {
    it('should answer an empty list for a visible session', async () => {
      const res = await anon.as(alice.key).get(`${BASE}/${aliceMac.uuid}/used_by/`);
      expect(res.status).toBe(200);
      expect(res.text).toBe('[]');
      expectMatchesSchema(validators, { arrayOf: 'UsedBy' }, res.body);
    });
  });

  describe('list', () => {
    it("should show ordinary users only their own live sessions and superusers everyone's", async () => {
      const own = listOf(await anon.as(alice.key).get(`${BASE}/?page_size=100`));
      expect(own.results.every((s) => s.user === alice.id)).toBe(true);
      expect(own.results.map((s) => s.uuid).sort()).toEqual([aliceMac.uuid, aliceWindows.uuid, aliceCurl.uuid].sort());
      const bobs = uuidsOf(await anon.as(bob.key).get(`${BASE}/?user__username=alice`));
      expect(bobs).toEqual([]);
      const all = listOf(await admin.get(`${BASE}/?page_size=100`));
      const users = new Set(all.results.map((s) => s.user));
      expect(users.has(alice.id) && users.has(bob.id)).toBe(true);
      const live = await t.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM sessions WHERE status IN ('new','unauthenticated','authenticated') AND expires_at > now()`,
      );
      expect(all.pagination.count).toBe(live[0].n);
    });

    it('should answer an empty page with next and previous 0 and one page', async () => {
      const loner = await makeUser(admin);
      const res = listOf(await anon.as(loner.key).get(`${BASE}/`));
      expect(res).toEqual({
        pagination: { next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 },
        results: [],
        autocomplete: {},
      });
    });

    it('should filter exactly and case-sensitively by username, last IP and last user agent', async () => {
      expect(uuidsOf(await admin.get(`${BASE}/?user__username=bob&session__last_ip=192.0.2.55`))).toEqual([
        bobAndroid.uuid,
      ]);
      expect(uuidsOf(await admin.get(`${BASE}/?user__username=ALICE`))).toEqual([]);
      expect(uuidsOf(await admin.get(`${BASE}/?user__username=ali`))).toEqual([]);
      expect(uuidsOf(await admin.get(`${BASE}/?user__username=%20alice%20&session__last_ip=198.51.100.20`))).toEqual([
        aliceWindows.uuid,
      ]);
      // The same IPv6 address however it is written.
      for (const ip of ['2001:db8::1', '2001:DB8:0:0:0:0:0:1']) {
        expect(uuidsOf(await admin.get(`${BASE}/?session__last_ip=${encodeURIComponent(ip)}`))).toEqual([
          aliceCurl.uuid,
        ]);
      }
      const ua = encodeURIComponent(USER_AGENTS.windowsChrome);
      expect(uuidsOf(await anon.as(alice.key).get(`${BASE}/?session__last_user_agent=${ua}`))).toEqual([
        aliceWindows.uuid,
      ]);
      expect(uuidsOf(await anon.as(alice.key).get(`${BASE}/?session__last_user_agent=Chrome`))).toEqual([]);
      // Empty values are ignored, unknown parameters too.
      expect(
        listOf(
          await anon.as(alice.key).get(`${BASE}/?user__username=&session__last_ip=&session__last_user_agent=&foo=bar`),
        ).pagination.count,
      ).toBe(3);
    });

    it('should refuse an invalid IP filter or a NUL in a filter with a DRF field error, not a 500', async () => {
      for (const ip of ['nope', '999.1.1.1', '10.0.0.0/8', 'fe80::1%25eth0', "1.1.1.1'; DROP TABLE sessions;--"]) {
        expectError(await admin.get(`${BASE}/?session__last_ip=${encodeURIComponent(ip)}`), 400, {
          session__last_ip: ['Enter a valid IPv4 or IPv6 address.'],
        });
      }
      expectError(await admin.get(`${BASE}/?user__username=a%00b&session__last_ip=x`), 400, {
        user__username: ['Null characters are not allowed.'],
        session__last_ip: ['Enter a valid IPv4 or IPv6 address.'],
      });
      expectError(await admin.get(`${BASE}/?session__last_user_agent=%00`), 400, {
        session__last_user_agent: ['Null characters are not allowed.'],
      });
    });

    it('should search case-insensitively over username, last IP and user agent, every term matching some field', async () => {
      const search = async (q: string, as = alice.key) =>
        (await anon.as(as).get(`${BASE}/?search=${encodeURIComponent(q)}`)).body;
      const ids = async (q: string, as?: string) => {
        const body = await search(q, as);
        expectMatchesSchema(validators, 'PaginatedAuthenticatedSessionList', body);
        return body.results.map((s: any) => s.uuid).sort();
      };
      expect(await ids('ALICE')).toEqual([aliceMac.uuid, aliceWindows.uuid, aliceCurl.uuid].sort());
      expect(await ids('198.51')).toEqual([aliceWindows.uuid]);
      expect(await ids('db8::')).toEqual([aliceCurl.uuid]);
      expect(await ids('safari')).toEqual([aliceMac.uuid, aliceWindows.uuid].sort());
      expect(await ids('safari windows')).toEqual([aliceWindows.uuid]);
      expect(await ids('safari,windows')).toEqual([aliceWindows.uuid]);
      expect(await ids('alice 203.0.113')).toEqual([aliceMac.uuid]);
      expect(await ids('"Mac OS X"')).toEqual([aliceMac.uuid]);
      expect(await ids('Mac OS X')).toEqual([aliceMac.uuid]);
      expect(await ids('"OS X 10_15" curl')).toEqual([]);
      expect(await ids('android')).toEqual([]);
      expect(await ids('android', t.adminKey)).toEqual([bobAndroid.uuid]);
      expect(await ids('')).toHaveLength(3);
    });

    it('should treat %, _ and quotes in search as literal text, and survive injection attempts', async () => {
      const carol = await makeUser(admin, { username: 'carol' });
      const odd = await makeSession(admin, carol, { userAgent: "Odd/1.0 (100%_sure; it's)" });
      const plain = await makeSession(admin, carol, { userAgent: 'Plain/1.0 (100 sure)' });
      const ids = async (q: string) =>
        uuidsOf(await anon.as(carol.key).get(`${BASE}/?search=${encodeURIComponent(q)}`)).sort();
      expect(await ids('%')).toEqual([odd.uuid]);
      expect(await ids('_')).toEqual([odd.uuid]);
      expect(await ids('100%_')).toEqual([odd.uuid]);
      expect(await ids('100')).toEqual([odd.uuid, plain.uuid].sort());
      expect(await ids("it's")).toEqual([odd.uuid]);
      expect(await ids("'; DROP TABLE sessions;--")).toEqual([]);
      expect(await ids('\\')).toEqual([]);
      expect((await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM sessions`))[0].n).toBeGreaterThan(0);
      expectError(await anon.as(carol.key).get(`${BASE}/?search=abc%00def`), 400, ['Null characters are not allowed.']);
    });

    describe('ordering', () => {
      let orderer: TestUser;
      let made: TestSession[];

      beforeAll(async () => {
        orderer = await makeUser(admin);
        made = [];
        const specs = [
          { ip: '10.0.0.3', userAgent: 'b-agent', ttlSeconds: 3000 },
          { ip: '10.0.0.1', userAgent: 'c-agent', ttlSeconds: 1000 },
          { ip: '10.0.0.2', userAgent: 'a-agent', ttlSeconds: 2000 },
        ];
        for (const spec of specs) made.push(await makeSession(admin, orderer, spec));
        // Distinct last-used times, in the opposite order of creation.
        for (const [i, s] of made.entries()) {
          await t.sql(`UPDATE sessions SET last_seen_at = now() - make_interval(mins => $2) WHERE uuid = $1`, [
            s.uuid,
            i,
          ]);
        }
      });

      const order = async (ordering: string) =>
        uuidsOf(await anon.as(orderer.key).get(`${BASE}/?ordering=${encodeURIComponent(ordering)}`));

      it("should order by each of authentik's fields, ascending and descending", async () => {
        const [b, c, a] = made;
        const byUuid = [...made].map((s) => s.uuid).sort();
        expect(await order('uuid')).toEqual(byUuid);
        expect(await order('-uuid')).toEqual([...byUuid].reverse());
        expect(await order('session__last_ip')).toEqual([c.uuid, a.uuid, b.uuid]);
        expect(await order('-session__last_ip')).toEqual([b.uuid, a.uuid, c.uuid]);
        expect(await order('session__last_user_agent')).toEqual([a.uuid, b.uuid, c.uuid]);
        expect(await order('-session__last_user_agent')).toEqual([c.uuid, b.uuid, a.uuid]);
        expect(await order('session__last_used')).toEqual([a.uuid, c.uuid, b.uuid]);
        expect(await order('-session__last_used')).toEqual([b.uuid, c.uuid, a.uuid]);
        expect(await order('session__expires')).toEqual([c.uuid, a.uuid, b.uuid]);
        expect(await order('-session__expires')).toEqual([b.uuid, a.uuid, c.uuid]);
        expect(await order(' nonsense , -session__expires ')).toEqual([b.uuid, a.uuid, c.uuid]);
        // By user, either way, or by the default (username): one key for all of them, so the order they were made.
        for (const ordering of ['user', '-user', '']) expect(await order(ordering)).toEqual(made.map((s) => s.uuid));
      });

      it('should order by user, then by a second field', async () => {
        const res = listOf(await admin.get(`${BASE}/?ordering=-user,session__last_ip&page_size=100`)).results;
        const userIds = res.map((s) => s.user);
        expect(userIds).toEqual([...userIds].sort((x, y) => y - x));
        const mine = res.filter((s) => s.user === orderer.id).map((s) => s.last_ip);
        expect(mine).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
      });

      it('should fall back to username order for unknown terms and injection attempts', async () => {
        const expected = listOf(await admin.get(`${BASE}/?page_size=100`)).results.map((s) => s.uuid);
        const usernames = (await admin.get(`${BASE}/?page_size=100`)).body.results.map((s: any) => s.user);
        expect(usernames.length).toBeGreaterThan(3);
        for (const ordering of [
          '-expires',
          'last_used',
          'user__username',
          '-user__username',
          'username',
          '--uuid',
          '',
          'uuid; DROP TABLE sessions;--',
          '(SELECT 1)',
          'session__last_ip DESC',
          '1',
          'id',
          'uuid%00',
        ]) {
          expect(
            await admin.get(`${BASE}/?page_size=100&ordering=${encodeURIComponent(ordering)}`).then(uuidsOf),
          ).toEqual(expected);
        }
        // Username order, checked against the users' names.
        const names = new Map<number, string>(
          (await t.sql<{ id: number; username: string }>(`SELECT id, username FROM users`)).map((u) => [
            u.id,
            u.username,
          ]),
        );
        const listed = usernames.map((id: number) => names.get(id)!);
        expect(listed).toEqual([...listed].sort((x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)));
      });
    });

    describe('pagination', () => {
      let pager: TestUser;
      let all: string[];

      beforeAll(async () => {
        pager = await makeUser(admin);
        for (let i = 0; i < 5; i++) await makeSession(admin, pager, { ip: `10.1.0.${i + 1}` });
        all = uuidsOf(await anon.as(pager.key).get(`${BASE}/?ordering=session__last_ip`));
      });
      const get = (query: string) => anon.as(pager.key).get(`${BASE}/?ordering=session__last_ip&${query}`);

      it("should page with authentik's seven pagination numbers", async () => {
        const first = listOf(await get('page_size=2'));
        expect(first.pagination).toEqual({
          next: 2,
          previous: 0,
          count: 5,
          current: 1,
          total_pages: 3,
          start_index: 1,
          end_index: 2,
        });
        expect(first.results.map((s) => s.uuid)).toEqual(all.slice(0, 2));
        const second = listOf(await get('page_size=2&page=2'));
        expect(second.pagination).toEqual({
          next: 3,
          previous: 1,
          count: 5,
          current: 2,
          total_pages: 3,
          start_index: 3,
          end_index: 4,
        });
        expect(second.results.map((s) => s.uuid)).toEqual(all.slice(2, 4));
        const last = listOf(await get('page_size=2&page=3'));
        expect(last.pagination).toEqual({
          next: 0,
          previous: 2,
          count: 5,
          current: 3,
          total_pages: 3,
          start_index: 5,
          end_index: 5,
        });
        expect(last.results.map((s) => s.uuid)).toEqual(all.slice(4));
        expect(listOf(await get('page_size=2&page=last')).pagination).toEqual(last.pagination);
        expect(listOf(await get('page_size=2&page=%2B2')).pagination.current).toBe(2);
      });

      it('should answer 404 "Invalid page." for a page out of range or not an integer', async () => {
        for (const page of ['4', '0', '-1', 'abc', '1.5', '1.0', '99999999999999999999999', '%00', "1'--"]) {
          expectError(await get(`page_size=2&page=${page}`), 404, { detail: 'Invalid page.' });
        }
        // An empty page parameter is page 1.
        expect(listOf(await get('page_size=2&page=')).pagination.current).toBe(1);
      });

      it('should fall back to 20 for a bad page size', async () => {
        for (const size of ['-1', '0', 'abc', '', '2.5', '%00']) {
          const res = listOf(await get(`page_size=${size}`));
          expect(res.pagination).toEqual({
            next: 0,
            previous: 0,
            count: 5,
            current: 1,
            total_pages: 1,
            start_index: 1,
            end_index: 5,
          });
        }
      });

      it('should cap the page size at 100', async () => {
        const many = await makeUser(admin);
        for (let i = 0; i < 105; i += 15) {
          await Promise.all(Array.from({ length: Math.min(15, 105 - i) }, () => makeSession(admin, many)));
        }
        for (const size of ['100000', '101', '99999999999999999999999']) {
          const res = listOf(await anon.as(many.key).get(`${BASE}/?page_size=${size}`));
          expect(res.pagination).toEqual({
            next: 2,
            previous: 0,
            count: 105,
            current: 1,
            total_pages: 2,
            start_index: 1,
            end_index: 100,
          });
          expect(res.results).toHaveLength(100);
        }
        const rest = listOf(await anon.as(many.key).get(`${BASE}/?page_size=100000&page=2`));
        expect(rest.results).toHaveLength(5);
        expect(listOf(await anon.as(many.key).get(`${BASE}/`)).pagination.total_pages).toBe(6);
      });
    });

    it("should write each item exactly as retrieve writes it, and a changed session's new state at once", async () => {
      const erin = await makeUser(admin);
      const sessions: TestSession[] = [];
      for (let i = 0; i < 4; i++) sessions.push(await makeSession(admin, erin, { ip: `198.51.100.${i + 1}` }));
      const pagination = { next: 0, previous: 0, count: 4, current: 1, total_pages: 1, start_index: 1, end_index: 4 };
      // Enough lists for the kept rows to be worth asking for first (RenderedRows' hit ratio), with changes between.
      for (let round = 0; round < 20; round++) {
        if (round === 10 || round === 15) {
          await t.sql(`UPDATE sessions SET last_ip = $2::inet, last_user_agent = $3 WHERE uuid = $1`, [
            sessions[round === 10 ? 1 : 3].uuid,
            `203.0.113.${round}`,
            `agent after round ${round}`,
          ]);
          const moved = (await admin.get(`${BASE}/${sessions[round === 10 ? 1 : 3].uuid}/`)).body;
          expect([moved.last_ip, moved.last_user_agent]).toEqual([`203.0.113.${round}`, `agent after round ${round}`]);
        }
        const listed = await admin.get(`${BASE}/?user__username=${erin.username}`);
        const retrieved = [];
        for (const uuid of listOf(listed).results.map((r) => r.uuid))
          retrieved.push((await admin.get(`${BASE}/${uuid}/`)).text);
        expect(listed.text).toBe(
          `{"pagination":${JSON.stringify(pagination)},"results":[${retrieved.join(',')}],"autocomplete":{}}`,
        );
      }
      const changed = listOf(await admin.get(`${BASE}/?user__username=${erin.username}`)).results;
      expect(changed.map((r) => [r.last_ip, r.last_user_agent])).toEqual([
        ['198.51.100.1', expect.any(String)],
        ['203.0.113.10', 'agent after round 10'],
        ['198.51.100.3', expect.any(String)],
        ['203.0.113.15', 'agent after round 15'],
      ]);
      const own = listOf(await anon.as(sessions[2].token).get(`${BASE}/`)).results;
      expect(own).toHaveLength(4);
      expect(own.filter((r) => r.current).map((r) => r.uuid)).toEqual([sessions[2].uuid]);
    });

    it('should not list revoked, ended or expired sessions', async () => {
      const dave = await makeUser(admin);
      const keep = await makeSession(admin, dave);
      const revoked = await makeSession(admin, dave);
      const expired = await makeSession(admin, dave);
      await anon.as(dave.key).delete(`${BASE}/${revoked.uuid}/`);
      await t.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE uuid = $1`, [expired.uuid]);
      expect(uuidsOf(await anon.as(dave.key).get(`${BASE}/`))).toEqual([keep.uuid]);
      expect(uuidsOf(await admin.get(`${BASE}/?user__username=${dave.username}`))).toEqual([keep.uuid]);
    });
  });

  describe('destroy', () => {
    it("should revoke the caller's own session with its event, answer 204, then 404", async () => {
      const session = await makeSession(admin, alice);
      const res = await anon.as(alice.key).delete(`${BASE}/${session.uuid}/`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const rows = await t.sql<{ status: string; ended_by: number; kind: string; face: string; actor_user_id: number }>(
        `SELECT s.status, s.ended_by, e.kind, e.face, e.actor_user_id FROM sessions s
         JOIN session_events e ON e.session_id = s.id AND e.kind <> 'created' WHERE s.uuid = $1`,
        [session.uuid],
      );
      expect(rows).toEqual([
        { status: 'revoked', ended_by: alice.id, kind: 'revoked', face: 'authentik', actor_user_id: alice.id },
      ]);
      expectError(await anon.as(alice.key).get(`${BASE}/${session.uuid}/`), 404, NOT_FOUND);
      expectError(await anon.as(alice.key).delete(`${BASE}/${session.uuid}/`), 404, NOT_FOUND);
      // Its token no longer authenticates anywhere.
      expectError(await anon.as(session.token).get(`${BASE}/`), 403, { detail: 'Token invalid/expired' });
    });

    it('should let a session revoke itself, then refuse its token', async () => {
      const session = await makeSession(admin, alice);
      expect((await anon.as(session.token).delete(`${BASE}/${session.uuid.toUpperCase()}/`)).status).toBe(204);
      expect(await statusOf(session.uuid)).toBe('revoked');
      expectError(await anon.as(session.token).get(`${BASE}/`), 403, { detail: 'Token invalid/expired' });
    });

    it("should not let an ordinary user revoke another user's session (404), but let a superuser", async () => {
      const bobs = await makeSession(admin, bob);
      expectError(await anon.as(alice.key).delete(`${BASE}/${bobs.uuid}/`), 404, NOT_FOUND);
      expectError(await anon.as(aliceMac.token).delete(`${BASE}/${bobs.uuid}/`), 404, NOT_FOUND);
      expect(await statusOf(bobs.uuid)).toBe('authenticated');
      expect((await admin.delete(`${BASE}/${bobs.uuid}/`)).status).toBe(204);
      expect(await statusOf(bobs.uuid)).toBe('revoked');
    });

    it('should ignore a malformed JSON body on DELETE, as authentik never reads that body', async () => {
      const session = await makeSession(admin, alice);
      const res = await anon.as(alice.key).request('DELETE', `${BASE}/${session.uuid}/`, { rawBody: '{nope' });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await statusOf(session.uuid)).toBe('revoked');
    });

    it('should ignore a body of any content type on DELETE, checking credentials as without one', async () => {
      for (const type of ['application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']) {
        const session = await makeSession(admin, alice);
        const path = `${BASE}/${session.uuid}/`;
        const options = { rawBody: '<x/>', headers: { 'content-type': type } };
        const anonymous = await anon.request('DELETE', path, options);
        expect([type, anonymous.status, anonymous.body]).toEqual([
          type,
          403,
          { detail: 'Authentication credentials were not provided.' },
        ]);
        expect((await anon.as(alice.key).request('DELETE', path, options)).status).toBe(204);
        expect(await statusOf(session.uuid)).toBe('revoked');
      }
    });
  });

  describe('bulk_delete', () => {
    it('should revoke every live session of the given users and count them', async () => {
      const erin = await makeUser(admin);
      const frank = await makeUser(admin);
      const bystander = await makeUser(admin);
      const erinSessions = [await makeSession(admin, erin), await makeSession(admin, erin)];
      const frankSession = await makeSession(admin, frank);
      const kept = await makeSession(admin, bystander);
      const alreadyRevoked = await makeSession(admin, erin);
      await admin.delete(`${BASE}/${alreadyRevoked.uuid}/`);
      const res = await admin.delete(`${BASE}/bulk_delete/?user_pks=${erin.id}&user_pks=${frank.id}&user_pks=999999`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ deleted: 3 });
      expectMatchesSchema(validators, 'BulkDeleteSessionResponse', res.body);
      for (const s of [...erinSessions, frankSession]) expect(await statusOf(s.uuid)).toBe('revoked');
      expect(await statusOf(kept.uuid)).toBe('authenticated');
      const events = await t.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM session_events e JOIN sessions s ON s.id = e.session_id
         WHERE e.kind = 'revoked' AND e.face = 'authentik' AND s.user_id = ANY($1::int[])`,
        [[erin.id, frank.id]],
      );
      expect(events[0].n).toBe(4);
      expect((await admin.delete(`${BASE}/bulk_delete/?user_pks=${erin.id}`)).body).toEqual({ deleted: 0 });
    });

    it('should read user_pks[0]-style keys and count nothing for unknown or negative ids', async () => {
      const gina = await makeUser(admin);
      await makeSession(admin, gina);
      expect((await admin.delete(`${BASE}/bulk_delete/?user_pks%5B0%5D=${gina.id}`)).body).toEqual({ deleted: 1 });
      for (const q of [
        'user_pks=0',
        'user_pks=-5',
        'user_pks=99999999999',
        'user_pks=99999999999999999999999',
        'user_pks=%2B7.0',
      ]) {
        const res = await admin.delete(`${BASE}/bulk_delete/?${q}`);
        expect({ q, status: res.status }).toEqual({ q, status: 200 });
      }
    });

    it("should answer authentik's validation errors for a missing or non-integer user_pks", async () => {
      expectError(await admin.delete(`${BASE}/bulk_delete/`), 400, { user_pks: ['This field is required.'] });
      expectError(await admin.delete(`${BASE}/bulk_delete/?userpks=1`), 400, { user_pks: ['This field is required.'] });
      expectError(await admin.delete(`${BASE}/bulk_delete/?user_pks=`), 400, {
        user_pks: { '0': ['A valid integer is required.'] },
      });
      expectError(await admin.delete(`${BASE}/bulk_delete/?user_pks=1&user_pks=abc&user_pks=2&user_pks=1.5`), 400, {
        user_pks: { '1': ['A valid integer is required.'], '3': ['A valid integer is required.'] },
      });
      expectError(
        await admin.delete(`${BASE}/bulk_delete/?user_pks=${encodeURIComponent('1; DROP TABLE sessions')}`),
        400,
        {
          user_pks: { '0': ['A valid integer is required.'] },
        },
      );
      expectError(await admin.delete(`${BASE}/bulk_delete/?user_pks=${'9'.repeat(1001)}`), 400, {
        user_pks: { '0': ['String value too large.'] },
      });
    });

    it('should be for superusers only, checked before the input', async () => {
      const mine = await makeSession(admin, alice);
      for (const key of [alice.key, mine.token, bob.key]) {
        for (const q of [`?user_pks=${alice.id}`, `?user_pks=${bob.id}`, '', '?user_pks=abc']) {
          expectError(await anon.as(key).delete(`${BASE}/bulk_delete/${q}`), 403, {
            detail: 'You do not have permission to perform this action.',
          });
        }
      }
      expect(await statusOf(mine.uuid)).toBe('authenticated');
      expect(await statusOf(bobAndroid.uuid)).toBe('authenticated');
    });
  });

  describe('methods and paths', () => {
    it("should answer other methods with DRF's 405 body and the Allow header", async () => {
      const cases: [string, string, string][] = [
        ['PUT', `${BASE}/`, 'GET, HEAD, OPTIONS'],
        ['POST', `${BASE}/`, 'GET, HEAD, OPTIONS'],
        ['DELETE', `${BASE}/`, 'GET, HEAD, OPTIONS'],
        ['PATCH', `${BASE}/${aliceMac.uuid}/`, 'GET, DELETE, HEAD, OPTIONS'],
        ['PUT', `${BASE}/${aliceMac.uuid}/`, 'GET, DELETE, HEAD, OPTIONS'],
        ['POST', `${BASE}/${aliceMac.uuid}/`, 'GET, DELETE, HEAD, OPTIONS'],
        ['DELETE', `${BASE}/${aliceMac.uuid}/used_by/`, 'GET, HEAD, OPTIONS'],
        ['POST', `${BASE}/${aliceMac.uuid}/used_by/`, 'GET, HEAD, OPTIONS'],
        ['GET', `${BASE}/bulk_delete/`, 'DELETE, OPTIONS'],
        ['POST', `${BASE}/bulk_delete/`, 'DELETE, OPTIONS'],
        ['PUT', `${BASE}/bulk_delete/`, 'DELETE, OPTIONS'],
      ];
      for (const [method, path, allow] of cases) {
        const res = await admin.request(method, path, method === 'GET' ? {} : { body: {} });
        expectError(res, 405, { detail: `Method "${method}" not allowed.` });
        expect(res.headers.get('allow')).toBe(allow);
      }
      expect(await statusOf(aliceMac.uuid)).toBe('authenticated');
      expect((await admin.get(`${BASE}/`)).headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    });

    it('should answer HEAD like GET, without a body', async () => {
      const head = await admin.request('HEAD', `${BASE}/${aliceMac.uuid}/`);
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      expect((await anon.request('HEAD', `${BASE}/`)).status).toBe(403);
    });

    it("should serve authentik's paths with their trailing slashes", async () => {
      expect((await admin.get(`${BASE}/`)).status).toBe(200);
      expect((await admin.get(`${BASE}/${aliceMac.uuid}/`)).status).toBe(200);
      expect((await admin.get(`${BASE}/${aliceMac.uuid}/used_by/`)).status).toBe(200);
      expect((await admin.delete(`${BASE}/bulk_delete/?user_pks=999999`)).status).toBe(200);
    });

    it('should answer paths no route matches under /api/v3/ with 404 {"detail": "Not found."}', async () => {
      for (const path of [
        `${BASE}//`,
        `${BASE}/${aliceMac.uuid}//`,
        '/api/v3//core/authenticated_sessions/',
        '/api/v3/core/nope/',
        '/api/v3',
      ]) {
        const res = await admin.get(path);
        expect([path, res.status, res.body]).toEqual([path, 404, { detail: 'Not found.' }]);
      }
    });
  });
});
