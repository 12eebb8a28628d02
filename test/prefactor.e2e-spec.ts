import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePfid, PFID_PATTERN } from '../src/sessions/pfid';
import { makeSession, makeUser, TestSession, TestUser, USER_AGENTS } from './support/factories';
import { Http } from './support/http';
import { double, uint32, writeMmdb } from './support/mmdb-writer';
import { PrefactorClient, PrefactorContract } from './support/prefactor-contract';
import { engines, startTestApp, TestApp } from './support/test-app';

/** GeoLite2-shaped City and ASN databases that know one Melbourne network and nothing else. */
function geoDatabases(): { GEOIP_CITY_DB: string; GEOIP_ASN_DB: string } {
  const dir = mkdtempSync(join(tmpdir(), 'prefactor-geo-'));
  const city = join(dir, 'city.mmdb');
  const asn = join(dir, 'asn.mmdb');
  writeFileSync(
    city,
    writeMmdb(
      [
        {
          network: '1.128.0.0/11',
          data: {
            city: { names: { en: 'Melbourne' } },
            continent: { code: 'OC' },
            country: { iso_code: 'AU' },
            location: { latitude: double(-37.8159), longitude: double(144.9669), time_zone: 'Australia/Melbourne' },
            subdivisions: [{ iso_code: 'VIC' }],
          },
        },
      ],
      'GeoLite2-City',
    ),
  );
  writeFileSync(
    asn,
    writeMmdb(
      [
        {
          network: '1.128.0.0/11',
          data: { autonomous_system_number: uint32(4764), autonomous_system_organization: 'Aussie Broadband' },
        },
      ],
      'GeoLite2-ASN',
    ),
  );
  return { GEOIP_CITY_DB: city, GEOIP_ASN_DB: asn };
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const partition = (pfid: string) => pfid.slice(10, 16);
const NOT_AUTHENTICATED = {
  code: 'not_authenticated',
  message: 'Authentication credentials were not provided.',
  status: 'error',
};
const BAD_TOKEN = { code: 'bad_authtoken', message: 'Token invalid/expired', status: 'error' };
const NOT_PERMITTED = { code: 'not_permitted', message: 'You may not access this session.', status: 'error' };
const NOT_FOUND = { code: 'not_found', message: 'Session not found.', status: 'error' };

describe.each(engines())('Prefactor face on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let pf: PrefactorClient;
  let alice: TestUser;
  let bob: TestUser;
  let root2: TestUser;

  beforeAll(async () => {
    t = await startTestApp(engine, geoDatabases());
    admin = new Http(t.baseUrl, t.adminKey);
    pf = new PrefactorClient(new Http(t.baseUrl), await PrefactorContract.load(t.baseUrl)).as(t.adminKey);
    alice = await makeUser(admin, { username: 'pf-alice' });
    bob = await makeUser(admin, { username: 'pf-bob' });
    root2 = await makeUser(admin, { username: 'pf-root2', isSuperuser: true });
  });
  afterAll(() => t?.close());

  const hubSession = async (s: TestSession) => (await admin.get(`/api/hub/v1/sessions/${s.uuid}`)).body;

  describe('fetch', () => {
    it('should answer every Session_Summary field of a session made with explicit ids, in Unix seconds', async () => {
      const ids = {
        accountId: generatePfid(),
        domainId: generatePfid(),
        poolId: generatePfid(),
        deviceId: generatePfid(),
      };
      const s = await makeSession(admin, alice, {
        ...ids,
        title: 'Work laptop',
        sessionType: 'api',
        status: 'unauthenticated',
      });
      const hub = await hubSession(s);
      const res = await pf.get(`/api/v1/session/${s.pfid}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        actions: { revoke: true },
        summary: {
          account_id: ids.accountId,
          authenticated_identity_id: alice.identityId,
          device_id: ids.deviceId,
          domain_id: ids.domainId,
          first_seen: { at: seconds(hub.firstSeen.at), remote_ip: '203.0.113.7', user_agent: USER_AGENTS.macSafari },
          id: s.pfid,
          last_seen: { at: seconds(hub.lastSeen.at), remote_ip: '203.0.113.7', user_agent: USER_AGENTS.macSafari },
          pool_id: ids.poolId,
          session_type: 'api',
          status: 'unauthenticated',
          title: 'Work laptop',
          type: 'session',
        },
      });
      expect(Number.isInteger(res.body.summary.last_seen.at)).toBe(true);
      expect(Math.abs(res.body.summary.last_seen.at - Date.now() / 1000)).toBeLessThan(60);
    });

    it('should show an IPv6 address, the new last seen after a validate from elsewhere, and geo fields where GeoIP knows the IP', async () => {
      const s = await makeSession(admin, alice, { ip: '2001:db8::7', userAgent: USER_AGENTS.linuxFirefox });
      const before = await pf.get(`/api/v1/session/${s.pfid}`);
      expect(before.body.summary.first_seen).toEqual({
        at: expect.any(Number),
        remote_ip: '2001:db8::7',
        user_agent: USER_AGENTS.linuxFirefox,
      });
      const moved = await admin.post('/api/hub/v1/sessions/validate', {
        token: s.token,
        ip: '1.128.0.9',
        userAgent: USER_AGENTS.iphone,
      });
      expect(moved.status).toBe(200);
      const after = await pf.get(`/api/v1/session/${s.pfid}`);
      expect(after.body.summary.first_seen).toEqual(before.body.summary.first_seen);
      expect(after.body.summary.last_seen).toEqual({
        at: seconds(moved.body.lastSeen.at),
        remote_ip: '1.128.0.9',
        user_agent: USER_AGENTS.iphone,
        asn: 4764,
        city: 'Melbourne',
        country_code: 'AU',
        lat_long: [-37.8159, 144.9669],
        region_code: 'VIC',
        timezone: 'Australia/Melbourne',
      });
      // A session that started in Melbourne carries the geo fields on first_seen too.
      const local = await makeSession(admin, bob, { ip: '1.130.2.3' });
      const fetched = await pf.get(`/api/v1/session/${local.pfid}`);
      expect(fetched.body.summary.first_seen).toMatchObject({ remote_ip: '1.130.2.3', city: 'Melbourne', asn: 4764 });
    });

    it("should let a user fetch their own session with an API token or the session's own token", async () => {
      const s = await makeSession(admin, alice);
      const own = await pf.as(alice.key).get(`/api/v1/session/${s.pfid}`);
      expect(own.status).toBe(200);
      expect(own.body.actions).toEqual({ revoke: true });
      const bySessionToken = await pf.as(s.token).get(`/api/v1/session/${s.pfid}/`);
      expect(bySessionToken.status).toBe(200);
      expect(bySessionToken.body.summary.id).toBe(s.pfid);
    });

    it("should refuse someone else's session to a non-superuser with 403 not_permitted, and show it to another superuser", async () => {
      const s = await makeSession(admin, alice);
      const res = await pf.as(bob.key).get(`/api/v1/session/${s.pfid}`);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(NOT_PERMITTED);
      const su = await pf.as(root2.key).get(`/api/v1/session/${s.pfid}`);
      expect(su.status).toBe(200);
      expect(su.body.actions).toEqual({ revoke: true });
    });

    it('should answer 404 not_found for an unknown id and 422 invalid_value for a malformed one', async () => {
      const unknown = await pf.get(`/api/v1/session/${generatePfid()}`);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(NOT_FOUND);
      // Even for a non-superuser, an unknown id is not found rather than not permitted.
      expect((await pf.as(bob.key).get(`/api/v1/session/${generatePfid()}`)).status).toBe(404);
      const malformed = {
        code: 'invalid_value',
        message: 'Invalid value for session_id',
        status: 'error',
        errors: { session_id: ['must be a valid session ID'] },
      };
      const s = await makeSession(admin, alice);
      for (const bad of [
        'abc',
        s.pfid.toUpperCase(),
        '8' + s.pfid.slice(1),
        s.pfid + '0',
        s.uuid,
        String(s.id),
        "1'%20OR%20'1'='1",
        'x'.repeat(400),
      ]) {
        const res = await pf.get(`/api/v1/session/${bad}`);
        expect([bad, res.status, res.body]).toEqual([bad, 422, malformed]);
      }
    });

    it('should answer 401 not_authenticated without credentials and 401 bad_authtoken for a bad token', async () => {
      const s = await makeSession(admin, alice);
      const none = await pf.as(null).get(`/api/v1/session/${s.pfid}`);
      expect(none.status).toBe(401);
      expect(none.body).toEqual(NOT_AUTHENTICATED);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      const basic = await pf
        .as(null)
        .get(`/api/v1/session/${s.pfid}`, { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
      expect([basic.status, basic.body]).toEqual([401, NOT_AUTHENTICATED]);
      const bad = await pf.as('shk_not-a-real-key').get(`/api/v1/session/${s.pfid}`);
      expect([bad.status, bad.body]).toEqual([401, BAD_TOKEN]);
      const otherScheme = await pf
        .as(null)
        .get(`/api/v1/session/${s.pfid}`, { headers: { authorization: 'Token abc' } });
      expect([otherScheme.status, otherScheme.body]).toEqual([401, NOT_AUTHENTICATED]);
      // Credentials are checked before the id, so a malformed id without a token is still 401.
      expect((await pf.as(null).get('/api/v1/session/abc')).status).toBe(401);
      expect((await pf.as(null).get('/api/v1/session')).body).toEqual(NOT_AUTHENTICATED);
    });
  });

  describe('ids the service allocates', () => {
    it('should give the same user the same identity id, the same device the same device id, and share the account partition', async () => {
      const carol = await makeUser(admin, { username: 'pf-carol' });
      const a = await makeSession(admin, carol, { userAgent: USER_AGENTS.windowsChrome });
      const b = await makeSession(admin, carol, { userAgent: USER_AGENTS.windowsChrome, ip: '198.51.100.20' });
      const c = await makeSession(admin, carol, { userAgent: USER_AGENTS.androidChrome });
      const d = await makeSession(admin, bob, { userAgent: USER_AGENTS.windowsChrome });
      const [sa, sb, sc, sd] = await Promise.all(
        [a, b, c, d].map(async (s) => (await pf.get(`/api/v1/session/${s.pfid}`)).body.summary),
      );
      for (const s of [sa, sb, sc, sd]) {
        for (const field of ['account_id', 'authenticated_identity_id', 'device_id', 'domain_id', 'id', 'pool_id'])
          expect(s[field]).toMatch(PFID_PATTERN);
        expect(s.account_id).toBe(sa.account_id);
        expect(s.domain_id).toBe(sa.domain_id);
        expect(s.pool_id).toBe(sa.pool_id);
        // PFID's generate_related: ids that belong to one account carry its partition.
        for (const field of ['authenticated_identity_id', 'device_id', 'domain_id', 'id', 'pool_id']) {
          expect(partition(s[field])).toBe(partition(s.account_id));
        }
      }
      expect(sa.authenticated_identity_id).toBe(carol.identityId);
      expect(sb.authenticated_identity_id).toBe(carol.identityId);
      expect(sd.authenticated_identity_id).toBe(bob.identityId);
      expect(sb.device_id).toBe(sa.device_id);
      expect(sc.device_id).not.toBe(sa.device_id);
      expect(sd.device_id).not.toBe(sa.device_id);
      expect(new Set([sa.id, sb.id, sc.id, sd.id]).size).toBe(4);
      expect(sa.title).toBe('Chrome on Windows');
      expect(sa.session_type).toBe('browser');
      expect(sa.status).toBe('authenticated');
    });

    it('should keep explicit ids for one session while the defaults stay the same for others', async () => {
      const accountId = generatePfid();
      const custom = await makeSession(admin, alice, { accountId });
      const plain = await makeSession(admin, alice);
      const [c, p] = await Promise.all(
        [custom, plain].map(async (s) => (await pf.get(`/api/v1/session/${s.pfid}`)).body.summary),
      );
      expect(c.account_id).toBe(accountId);
      expect(partition(c.id)).toBe(partition(accountId));
      expect(p.account_id).not.toBe(accountId);
      expect(c.pool_id).toBe(p.pool_id);
    });
  });

  describe('list', () => {
    // Seven sessions of alice in a pool of their own, made one after another, with known titles and statuses.
    const pool = generatePfid();
    const account = generatePfid();
    const titles = ['delta', 'alpha', 'golf', 'charlie', 'echo', 'bravo', 'foxtrot'];
    const statuses = [
      'authenticated',
      'new',
      'unauthenticated',
      'authenticated',
      'authenticated',
      'authenticated',
      'new',
    ];
    let made: TestSession[];
    let bobInPool: TestSession;

    beforeAll(async () => {
      made = [];
      for (let i = 0; i < titles.length; i++) {
        const status = statuses[i] === 'authenticated' ? undefined : statuses[i];
        made.push(
          await makeSession(admin, alice, {
            poolId: pool,
            accountId: account,
            title: titles[i],
            ...(status ? { status } : {}),
          }),
        );
      }
      // s4 revoked through this face, s5 logged out through the hub; s2 seen again, so it is the most recently seen.
      expect((await pf.post(`/api/v1/session/${made[3].pfid}/revoke`, {})).status).toBe(200);
      expect((await admin.post(`/api/hub/v1/sessions/${made[4].uuid}/end`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 5));
      expect((await admin.post('/api/hub/v1/sessions/validate', { token: made[1].token })).status).toBe(200);
      bobInPool = await makeSession(admin, bob, { poolId: pool, accountId: account, title: 'zulu' });
    });

    const pfids = (res: { body: { summaries: { id: string }[] } }) => res.body.summaries.map((s) => s.id);
    const byIndex = (...indexes: number[]) => indexes.map((i) => made[i].pfid);
    const alicePool = (query = '') => pf.as(alice.key).get(`/api/v1/session?pool_id=${pool}${query}`);

    it("should list a pool's sessions of every status, most recently seen first by default", async () => {
      const res = await alicePool();
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('success');
      expect(res.body.sorting).toEqual({ field: 'last_seen', direction: 'desc' });
      expect(res.body.pagination).toEqual({
        item_count: 7,
        item_end: 7,
        item_start: 1,
        next_page_offset: null,
        page_count: 1,
        page_index: 1,
        page_offset: 0,
        page_size: 20,
        previous_page_offset: null,
      });
      expect(pfids(res)).toEqual(byIndex(1, 6, 5, 4, 3, 2, 0));
      expect(res.body.summaries.map((s: any) => s.status)).toEqual([
        'new',
        'new',
        'authenticated',
        'complete',
        'revoked',
        'unauthenticated',
        'authenticated',
      ]);
      const single = await pf.get(`/api/v1/session/${made[0].pfid}`);
      expect(res.body.summaries[6]).toEqual(single.body.summary);
    });

    it('should sort by every field both ways, ties broken by creation order', async () => {
      const expected: Record<string, number[]> = {
        title: [1, 5, 3, 0, 4, 6, 2],
        '-title': [2, 6, 4, 0, 3, 5, 1],
        last_seen: [0, 2, 3, 4, 5, 6, 1],
        '-last_seen': [1, 6, 5, 4, 3, 2, 0],
        // authenticated < complete < new < revoked < unauthenticated
        status: [0, 5, 4, 1, 6, 3, 2],
        '-status': [2, 3, 1, 6, 4, 0, 5],
      };
      for (const [sorting, order] of Object.entries(expected)) {
        const res = await alicePool(`&sorting=${sorting}`);
        expect([sorting, pfids(res)]).toEqual([sorting, byIndex(...order)]);
        expect(res.body.sorting).toEqual({
          field: sorting.replace('-', ''),
          direction: sorting.startsWith('-') ? 'desc' : 'asc',
        });
      }
      const ascending = made.map((s) => s.pfid).sort();
      expect(pfids(await alicePool('&sorting=id'))).toEqual(ascending);
      expect(pfids(await alicePool('&sorting=-id'))).toEqual([...ascending].reverse());
      expect((await alicePool('&sorting=-id')).body.sorting).toEqual({ field: 'id', direction: 'desc' });
    });

    it('should page across the last page with one-based item_start / item_end and a null next_page_offset at the end', async () => {
      const all = pfids(await alicePool('&sorting=title'));
      const page = (offset: number, size: number) =>
        alicePool(`&sorting=title&pagination[offset]=${offset}&pagination[page_size]=${size}`);
      const p1 = await page(0, 3);
      const p2 = await page(3, 3);
      const p3 = await page(6, 3);
      expect(p1.body.pagination).toEqual({
        item_count: 7,
        item_end: 3,
        item_start: 1,
        next_page_offset: 3,
        page_count: 3,
        page_index: 1,
        page_offset: 0,
        page_size: 3,
        previous_page_offset: null,
      });
      expect(p2.body.pagination).toEqual({
        item_count: 7,
        item_end: 6,
        item_start: 4,
        next_page_offset: 6,
        page_count: 3,
        page_index: 2,
        page_offset: 3,
        page_size: 3,
        previous_page_offset: 0,
      });
      expect(p3.body.pagination).toEqual({
        item_count: 7,
        item_end: 7,
        item_start: 7,
        next_page_offset: null,
        page_count: 3,
        page_index: 3,
        page_offset: 6,
        page_size: 3,
        previous_page_offset: 3,
      });
      expect([...pfids(p1), ...pfids(p2), ...pfids(p3)]).toEqual(all);
      // An offset that is not a multiple of the page size, and the URL-encoded bracket names clients send.
      const odd = await alicePool('&sorting=title&pagination%5Boffset%5D=5&pagination%5Bpage_size%5D=3');
      expect(pfids(odd)).toEqual(all.slice(5));
      expect(odd.body.pagination).toEqual({
        item_count: 7,
        item_end: 7,
        item_start: 6,
        next_page_offset: null,
        page_count: 3,
        page_index: 2,
        page_offset: 5,
        page_size: 3,
        previous_page_offset: 2,
      });
      const exact = await page(0, 7);
      expect(exact.body.pagination).toMatchObject({ item_end: 7, next_page_offset: null, page_count: 1 });
      const past = await page(10, 3);
      expect(past.body.summaries).toEqual([]);
      expect(past.body.pagination).toEqual({
        item_count: 7,
        item_end: 0,
        item_start: 0,
        next_page_offset: null,
        page_count: 3,
        page_index: 4,
        page_offset: 10,
        page_size: 3,
        previous_page_offset: 7,
      });
      const max = await page(0, 100);
      expect(max.body.pagination).toMatchObject({ page_size: 100, page_count: 1 });
    });

    it("should write each summary exactly as fetch writes it, and a revoked session's new status at once", async () => {
      const ownPool = generatePfid();
      const mine: TestSession[] = [];
      for (let i = 0; i < 4; i++) mine.push(await makeSession(admin, alice, { poolId: ownPool, title: `kept ${i}` }));
      // Enough lists for the kept rows to be worth asking for first (RenderedRows' hit ratio), with revokes between.
      for (let round = 0; round < 20; round++) {
        if (round === 10 || round === 15) {
          const revoked = mine[round === 10 ? 1 : 3];
          expect((await pf.post(`/api/v1/session/${revoked.pfid}/revoke`, {})).status).toBe(200);
        }
        const listed = await pf.get(`/api/v1/session?pool_id=${ownPool}&sorting=title`);
        const fetched = [];
        for (const session of mine)
          fetched.push(JSON.stringify((await pf.get(`/api/v1/session/${session.pfid}`)).body.summary));
        const body = JSON.parse(listed.text);
        expect(listed.text).toBe(
          `{"pagination":${JSON.stringify(body.pagination)},"sorting":{"field":"title","direction":"asc"},"status":"success","summaries":[${fetched.join(',')}]}`,
        );
        expect(body.pagination.item_count).toBe(4);
      }
      const statuses = (await pf.get(`/api/v1/session?pool_id=${ownPool}&sorting=title`)).body.summaries.map(
        (summary: any) => summary.status,
      );
      expect(statuses).toEqual(['authenticated', 'revoked', 'authenticated', 'revoked']);
    });

    it('should answer an empty pool with zero counts', async () => {
      const res = await pf.get(`/api/v1/session?pool_id=${generatePfid()}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        pagination: {
          item_count: 0,
          item_end: 0,
          item_start: 0,
          next_page_offset: null,
          page_count: 0,
          page_index: 1,
          page_offset: 0,
          page_size: 20,
          previous_page_offset: null,
        },
        sorting: { field: 'last_seen', direction: 'desc' },
        status: 'success',
        summaries: [],
      });
    });

    it('should show a non-superuser only their own sessions in a shared pool, and a superuser all of them', async () => {
      expect(pfids(await alicePool())).not.toContain(bobInPool.pfid);
      const bobs = await pf.as(bob.key).get(`/api/v1/session?pool_id=${pool}`);
      expect(pfids(bobs)).toEqual([bobInPool.pfid]);
      expect(bobs.body.pagination.item_count).toBe(1);
      const everyone = await pf.get(`/api/v1/session?pool_id=${pool}&sorting=title`);
      expect(pfids(everyone)).toEqual([...byIndex(1, 5, 3, 0, 4, 6, 2), bobInPool.pfid]);
    });

    it('should list by account_id, by both scopes, and for superusers without a scope', async () => {
      const byAccount = await pf.as(alice.key).get(`/api/v1/session?account_id=${account}&sorting=title`);
      expect(pfids(byAccount)).toEqual(byIndex(1, 5, 3, 0, 4, 6, 2));
      expect(pfids(await pf.get(`/api/v1/session?account_id=${account}&pool_id=${pool}&sorting=title`))).toHaveLength(
        8,
      );
      expect((await pf.get(`/api/v1/session?account_id=${generatePfid()}&pool_id=${pool}`)).body.summaries).toEqual([]);
      const everything = await pf.get('/api/v1/session?pagination[page_size]=100&sorting=id');
      const [{ n }] = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM sessions');
      expect(everything.body.pagination.item_count).toBe(n);
      expect(new Set(everything.body.summaries.map((s: any) => s.pool_id)).size).toBeGreaterThan(1);
      expect((await pf.as(root2.key).get('/api/v1/session')).body.pagination.item_count).toBe(n);
    });

    it('should require a scope from a non-superuser with 422 required_value', async () => {
      const res = await pf.as(alice.key).get('/api/v1/session?sorting=title');
      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        code: 'required_value',
        message: 'A pool_id or an account_id is required',
        status: 'error',
        errors: { pool_id: ['is required unless account_id is given'] },
      });
    });

    it('should refuse bad parameters with 422 invalid_value and per-field errors, never a 500', async () => {
      const sizeError = { 'pagination[page_size]': ['must be an integer from 1 to 100'] };
      const exact = await alicePool('&pagination[page_size]=101');
      expect(exact.status).toBe(422);
      expect(exact.body).toEqual({
        code: 'invalid_value',
        message: 'Invalid value for pagination[page_size]',
        status: 'error',
        errors: sizeError,
      });
      const cases: [string, string[]][] = [
        ['pagination[page_size]=0', ['pagination[page_size]']],
        ['pagination[page_size]=abc', ['pagination[page_size]']],
        ['pagination[page_size]=-5', ['pagination[page_size]']],
        ['pagination[page_size]=2.5', ['pagination[page_size]']],
        ['pagination[page_size]=99999999999999999999', ['pagination[page_size]']],
        ['pagination[offset]=-1', ['pagination[offset]']],
        ['pagination[offset]=1e3', ['pagination[offset]']],
        ['pagination[offset]=1000000001', ['pagination[offset]']],
        ['sorting=name', ['sorting']],
        ['sorting=--id', ['sorting']],
        ['sorting=last_seen%20DESC', ['sorting']],
        ['sorting=id%3BDROP%20TABLE%20sessions', ['sorting']],
        ['sorting=id&sorting=title', ['sorting']],
        ['pool_id=nope', ['pool_id']],
        [`pool_id=${pool}'%20OR%20'1'%3D'1`, ['pool_id']],
        [`pool_id=${pool}&pool_id=${pool}`, ['pool_id']],
        ['account_id=1', ['account_id']],
        [
          'pool_id=x&sorting=y&pagination[offset]=z&pagination[page_size]=0',
          ['pagination[offset]', 'pagination[page_size]', 'pool_id', 'sorting'],
        ],
      ];
      for (const [query, fields] of cases) {
        const res = await pf
          .as(alice.key)
          .get(`/api/v1/session?${query.startsWith('pool_id') ? '' : `pool_id=${pool}&`}${query}`);
        expect([query, res.status, res.body.code, Object.keys(res.body.errors ?? {}).sort()]).toEqual([
          query,
          422,
          'invalid_value',
          fields,
        ]);
      }
      expect((await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM sessions'))[0].n).toBeGreaterThan(8);
    });
  });

  describe('revoke', () => {
    it('should revoke a live session, answer it revoked with revoke no longer offered, and store the revocation and its event', async () => {
      const s = await makeSession(admin, alice);
      const res = await pf.as(alice.key).post(`/api/v1/session/${s.pfid}/revoke`, {});
      expect(res.status).toBe(200);
      expect(res.body.actions).toEqual({ revoke: false });
      expect(res.body.summary).toMatchObject({ id: s.pfid, status: 'revoked', type: 'session' });
      const fetched = await pf.get(`/api/v1/session/${s.pfid}`);
      expect(fetched.body).toEqual({ actions: { revoke: false }, summary: res.body.summary });
      const [row] = await t.sql<{ status: string; ended_by: number; ended: boolean }>(
        'SELECT status, ended_by, ended_at IS NOT NULL AS ended FROM sessions WHERE pfid = $1',
        [s.pfid],
      );
      expect(row).toEqual({ status: 'revoked', ended_by: alice.id, ended: true });
      const events = await admin.get(`/api/hub/v1/sessions/${s.uuid}/events`);
      expect(events.body.map((e: any) => [e.kind, e.face, e.actorUserId])).toEqual([
        ['created', 'hub', null],
        ['revoked', 'prefactor', alice.id],
      ]);
      // The revoked session's token no longer works anywhere.
      expect((await admin.post('/api/hub/v1/sessions/validate', { token: s.token })).status).toBe(401);
      expect((await pf.as(s.token).get(`/api/v1/session/${s.pfid}`)).body).toEqual(BAD_TOKEN);
    });

    it('should answer a second revoke, or a revoke of a logged-out or expired session, with 422 invalid_action', async () => {
      const invalid = { code: 'invalid_action', message: 'The session is no longer active.', status: 'error' };
      const s = await makeSession(admin, alice);
      expect((await pf.post(`/api/v1/session/${s.pfid}/revoke`, {})).status).toBe(200);
      const again = await pf.post(`/api/v1/session/${s.pfid}/revoke`, {});
      expect([again.status, again.body]).toEqual([422, invalid]);
      const events = await t.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.pfid = $1 AND e.kind = 'revoked'`,
        [s.pfid],
      );
      expect(events[0].n).toBe(1);

      const ended = await makeSession(admin, alice);
      await admin.post(`/api/hub/v1/sessions/${ended.uuid}/end`);
      expect((await pf.get(`/api/v1/session/${ended.pfid}`)).body.summary.status).toBe('complete');
      expect((await pf.post(`/api/v1/session/${ended.pfid}/revoke`, {})).body).toEqual(invalid);

      const short = await makeSession(admin, alice, { ttlSeconds: 1 });
      await new Promise((r) => setTimeout(r, 1100));
      const expired = await pf.get(`/api/v1/session/${short.pfid}`);
      expect(expired.body.actions).toEqual({ revoke: false });
      expect(expired.body.summary.status).toBe('complete');
      const late = await pf.post(`/api/v1/session/${short.pfid}/revoke`, {});
      expect([late.status, late.body]).toEqual([422, invalid]);
    });

    it("should refuse to revoke someone else's session with 403 not_permitted and leave it live; a superuser may", async () => {
      const s = await makeSession(admin, alice);
      const res = await pf.as(bob.key).post(`/api/v1/session/${s.pfid}/revoke`, {});
      expect([res.status, res.body]).toEqual([403, NOT_PERMITTED]);
      expect((await pf.get(`/api/v1/session/${s.pfid}`)).body.summary.status).toBe('authenticated');
      expect((await admin.post('/api/hub/v1/sessions/validate', { token: s.token })).status).toBe(200);
      const su = await pf.as(root2.key).post(`/api/v1/session/${s.pfid}/revoke`, {});
      expect(su.status).toBe(200);
      expect(su.body.summary.status).toBe('revoked');
    });

    it('should accept a revoke with no body and refuse a body that is not a JSON object with 400 bad_request', async () => {
      const s = await makeSession(admin, alice);
      const notObject = await pf.request('POST', `/api/v1/session/${s.pfid}/revoke`, { rawBody: '[]' });
      expect([notObject.status, notObject.body]).toEqual([
        400,
        {
          code: 'bad_request',
          message: 'The request body must be a JSON object',
          status: 'error',
          errors: { body: ['must be a JSON object'] },
        },
      ]);
      // JSON null, and bodies that are not JSON at all (a form is parsed only where a route reads forms).
      const notJson: [string, string][] = [
        ['null', 'application/json'],
        ['garbage%%%', 'application/x-www-form-urlencoded'],
        ['{}', 'application/x-www-form-urlencoded'],
        ['--x\r\n\r\n{}\r\n--x--', 'multipart/form-data; boundary=x'],
        ['{}', 'text/plain'],
        ['<revoke/>', 'application/xml'],
      ];
      for (const [rawBody, type] of notJson) {
        const res = await pf.request('POST', `/api/v1/session/${s.pfid}/revoke`, {
          rawBody,
          headers: { 'content-type': type },
        });
        expect([type, res.status, res.body]).toEqual([type, notObject.status, notObject.body]);
      }
      const malformed = await pf.request('POST', `/api/v1/session/${s.pfid}/revoke`, { rawBody: '{"oops' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('bad_request');
      expect(Object.keys(malformed.body.errors)).toEqual(['body']);
      expect((await pf.get(`/api/v1/session/${s.pfid}`)).body.summary.status).toBe('authenticated');
      const bare = await pf.request('POST', `/api/v1/session/${s.pfid}/revoke`);
      expect(bare.status).toBe(200);
      expect(bare.body.summary.status).toBe('revoked');
    });

    it('should answer revoke errors for unknown and malformed ids and bad credentials', async () => {
      const unknown = await pf.post(`/api/v1/session/${generatePfid()}/revoke`, {});
      expect([unknown.status, unknown.body]).toEqual([404, NOT_FOUND]);
      const malformed = await pf.post('/api/v1/session/0123/revoke', {});
      expect([malformed.status, malformed.body.code, malformed.body.errors]).toEqual([
        422,
        'invalid_value',
        { session_id: ['must be a valid session ID'] },
      ]);
      const s = await makeSession(admin, alice);
      expect((await pf.as(null).post(`/api/v1/session/${s.pfid}/revoke`, {})).body).toEqual(NOT_AUTHENTICATED);
      expect((await pf.as('nope').post(`/api/v1/session/${s.pfid}/revoke`, {})).body).toEqual(BAD_TOKEN);
      expect((await pf.get(`/api/v1/session/${s.pfid}`)).body.summary.status).toBe('authenticated');
    });
  });

  describe('routes', () => {
    it('should answer unknown paths under /api/v1/ with 404 not_found and wrong methods with 400 bad_request', async () => {
      const s = await makeSession(admin, alice);
      const unknown = { code: 'not_found', message: 'No such route', status: 'error' };
      for (const path of [
        '/api/v1/nope',
        '/api/v1/sessions',
        `/api/v1/session/${s.pfid}/revoke/now`,
        '/api/v1/identity?pool_id=x',
        '/api/v1',
        '/api/v1/',
        '/api/v1//session',
        '/api/v1/session//',
        '/api/v1/session//revoke',
        `/api/v1/session/${s.pfid}//`,
      ]) {
        const res = await pf.get(path);
        expect([path, res.status, res.body]).toEqual([path, 404, unknown]);
      }
      const wrong: [string, string, string][] = [
        ['DELETE', `/api/v1/session/${s.pfid}`, 'GET'],
        ['PUT', '/api/v1/session', 'GET'],
        ['POST', '/api/v1/session', 'GET'],
        ['GET', `/api/v1/session/${s.pfid}/revoke`, 'POST'],
        ['PATCH', `/api/v1/session/${s.pfid}/revoke`, 'POST'],
      ];
      for (const [method, path, allow] of wrong) {
        const res = await pf.request(method, path);
        expect([method, path, res.status, res.body, res.headers.get('allow')]).toEqual([
          method,
          path,
          400,
          { code: 'bad_request', message: `Method ${method} is not allowed here`, status: 'error' },
          allow,
        ]);
      }
      expect((await pf.get(`/api/v1/session/${s.pfid}`)).body.summary.status).toBe('authenticated');
      expect((await pf.get('/api/v1/session/')).status).toBe(200);
    });

    it("should leave other faces' unknown paths to them", async () => {
      for (const path of ['/api/v3/core/nope/', '/api/admin/v1/nope', '/api/hub/v1/nope', '/api/v2/session', '/nope']) {
        const res = await admin.get(path);
        expect(res.status).toBe(404);
        expect([path, res.body?.status]).not.toEqual([path, 'error']);
      }
    });
  });

  describe('OpenAPI document', () => {
    it("should serve the prefactor document with Prefactor's schema names, id descriptions and examples", async () => {
      const doc = (await new Http(t.baseUrl).get('/api/docs/prefactor.json')).body;
      const schemas = doc.components.schemas;
      for (const name of [
        'Session_Summary',
        'Session_AvailableActions',
        'InteractionDetails',
        'PaginationOutput',
        'Sorting',
        'Error',
      ]) {
        expect(schemas[name]).toBeDefined();
      }
      expect(schemas.Account_Id).toMatchObject({
        description: 'A valid account ID',
        example: '013xrzp12g3nqk8n6cyr5x0k8yb10h59',
        type: 'string',
      });
      expect(schemas.Identity_Id).toMatchObject({
        description: 'A valid identity ID',
        example: '013xrzp12g3nqk8n3f5qv5e2r757shwd',
      });
      expect(schemas.Device_Id).toMatchObject({
        description: 'A valid device ID',
        example: '013xrzp12g3nqk8ncwfp3ra29yjzx1gs',
      });
      expect(schemas.Domain_Id).toMatchObject({
        description: 'A valid domain ID',
        example: '013xrzp12g3nqk8n32sd3jyxq5a8ywe2',
      });
      expect(schemas.Session_Id).toMatchObject({
        description: 'A valid session ID',
        example: '013xrzp12g3nqk8nkv4y96wrbzje9dsr',
      });
      expect(schemas.Pool_Id).toMatchObject({
        description: 'A valid pool ID',
        example: '013xrzp12g3nqk8ng09nmc8kwqzfafa2',
      });
      expect(schemas.Timestamp.description).toBe('Unix timestamp, seconds since midnight January 1, 1970 UTC');
      expect(Object.keys(doc.paths).sort()).toEqual([
        '/api/v1/session',
        '/api/v1/session/{session_id}',
        '/api/v1/session/{session_id}/revoke',
      ]);
      expect(doc.paths['/api/v1/session'].get.parameters.map((p: any) => p.name)).toEqual([
        'pool_id',
        'account_id',
        'sorting',
        'pagination[offset]',
        'pagination[page_size]',
      ]);
      expect(schemas.Error.oneOf[0].properties.code.enum.sort()).toEqual([
        'bad_authtoken',
        'bad_request',
        'invalid_action',
        'invalid_value',
        'not_authenticated',
        'not_found',
        'not_implemented',
        'not_permitted',
        'required_value',
        'unexpected',
        'unexpected_ref_type',
        'unknown',
      ]);
    });

    it('should offer the document in Swagger UI', async () => {
      const ui = await new Http(t.baseUrl).get('/api/docs/swagger-ui-init.js');
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('/api/docs/prefactor.json');
    });
  });
});
