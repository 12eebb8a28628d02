import { AuthenticatedSession, Configuration, CoreApi, ResponseError } from '@goauthentik/api';
import { engines, startTestApp, TestApp } from './support/test-app';
import { Http } from './support/http';
import { makeSession, makeUser, TestSession, TestUser, USER_AGENTS } from './support/factories';
import { authentikValidators, BASE, expectMatchesSchema, loadAuthentikSpec } from './authentik-support';

const validators = authentikValidators();

/** authentik's own TypeScript client (@goauthentik/api, CoreApi) pointed at SessionHub: it must keep working. */
describe.each(engines())('authentik face through @goauthentik/api on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let alice: TestUser;
  let bob: TestUser;
  let aliceMac: TestSession;
  let aliceAndroid: TestSession;
  let bobCurl: TestSession;

  const client = (key: string | undefined) =>
    new CoreApi(new Configuration({ basePath: `${t.baseUrl}/api/v3`, accessToken: key }));
  async function failure(call: Promise<unknown>): Promise<{ status: number; body: unknown }> {
    try {
      await call;
    } catch (error) {
      if (!(error instanceof ResponseError)) throw error;
      return { status: error.response.status, body: await error.response.json() };
    }
    throw new Error('expected the call to fail');
  }
  const uuids = (results: AuthenticatedSession[]) => results.map((s) => s.uuid);

  beforeAll(async () => {
    t = await startTestApp(engine);
    admin = new Http(t.baseUrl, t.adminKey);
    alice = await makeUser(admin, { username: 'alice' });
    bob = await makeUser(admin, { username: 'bob' });
    aliceMac = await makeSession(admin, alice, {
      ip: '203.0.113.7',
      userAgent: USER_AGENTS.macSafari,
      ttlSeconds: 7200,
    });
    aliceAndroid = await makeSession(admin, alice, {
      ip: '198.51.100.20',
      userAgent: USER_AGENTS.androidChrome,
      ttlSeconds: 3600,
    });
    bobCurl = await makeSession(admin, bob, { ip: '2001:db8::2', userAgent: USER_AGENTS.curl });
  });
  afterAll(() => t?.close());

  describe('operations', () => {
    it('should list with the typed pagination, results and autocomplete', async () => {
      const list = await client(alice.key).coreAuthenticatedSessionsList();
      expect(list.pagination).toEqual({
        next: 0,
        previous: 0,
        count: 2,
        current: 1,
        totalPages: 1,
        startIndex: 1,
        endIndex: 2,
      });
      expect(list.autocomplete).toEqual({});
      const mac = list.results.find((s) => s.uuid === aliceMac.uuid)!;
      expect(mac.user).toBe(alice.id);
      expect(mac.current).toBe(false);
      expect(mac.lastIp).toBe('203.0.113.7');
      expect(mac.lastUserAgent).toBe(USER_AGENTS.macSafari);
      expect(mac.userAgent.userAgent.family).toBe('Safari');
      expect(mac.userAgent.os.family).toBe('Mac OS X');
      expect(mac.userAgent.device).toEqual({ brand: 'Apple', family: 'Mac', model: 'Mac' });
      expect(mac.geoIp).toBeNull();
      expect(mac.asn).toBeNull();
      expect(mac.lastUsed).toBeInstanceOf(Date);
      expect(Number.isNaN(mac.lastUsed.getTime())).toBe(false);
      expect(mac.expires.getTime()).toBeGreaterThan(Date.now() + 7000 * 1000);
    });

    it('should list with each filter, search, ordering and paging', async () => {
      const api = client(t.adminKey);
      expect(uuids((await api.coreAuthenticatedSessionsList({ userUsername: 'bob' })).results)).toEqual([bobCurl.uuid]);
      expect(uuids((await api.coreAuthenticatedSessionsList({ sessionLastIp: '198.51.100.20' })).results)).toEqual([
        aliceAndroid.uuid,
      ]);
      expect(uuids((await api.coreAuthenticatedSessionsList({ sessionLastIp: '2001:db8::2' })).results)).toEqual([
        bobCurl.uuid,
      ]);
      expect(
        uuids((await api.coreAuthenticatedSessionsList({ sessionLastUserAgent: USER_AGENTS.curl })).results),
      ).toEqual([bobCurl.uuid]);
      expect(uuids((await api.coreAuthenticatedSessionsList({ search: 'alice android' })).results)).toEqual([
        aliceAndroid.uuid,
      ]);
      expect(uuids((await api.coreAuthenticatedSessionsList({ search: 'CURL' })).results)).toEqual([bobCurl.uuid]);
      const byExpiry = await api.coreAuthenticatedSessionsList({ userUsername: 'alice', ordering: 'session__expires' });
      expect(uuids(byExpiry.results)).toEqual([aliceAndroid.uuid, aliceMac.uuid]);
      const byExpiryDesc = await api.coreAuthenticatedSessionsList({
        userUsername: 'alice',
        ordering: '-session__expires',
      });
      expect(uuids(byExpiryDesc.results)).toEqual([aliceMac.uuid, aliceAndroid.uuid]);
      // What authentik's web UI sends: ignored, so username order.
      const ui = await api.coreAuthenticatedSessionsList({ ordering: '-expires' });
      expect(ui.results.map((s) => s.user)).toEqual([alice.id, alice.id, bob.id]);
      const page2 = await api.coreAuthenticatedSessionsList({ page: 2, pageSize: 2 });
      expect(page2.pagination).toEqual({
        next: 0,
        previous: 1,
        count: 3,
        current: 2,
        totalPages: 2,
        startIndex: 3,
        endIndex: 3,
      });
      expect(uuids(page2.results)).toEqual([bobCurl.uuid]);
    });

    it("should surface 400 and 404 answers as ResponseError with authentik's bodies", async () => {
      const api = client(t.adminKey);
      expect(await failure(api.coreAuthenticatedSessionsList({ sessionLastIp: 'not-an-ip' }))).toEqual({
        status: 400,
        body: { session__last_ip: ['Enter a valid IPv4 or IPv6 address.'] },
      });
      expect(await failure(api.coreAuthenticatedSessionsList({ page: 9 }))).toEqual({
        status: 404,
        body: { detail: 'Invalid page.' },
      });
      expect(await failure(api.coreAuthenticatedSessionsList({ search: 'a\0b' }))).toEqual({
        status: 400,
        body: ['Null characters are not allowed.'],
      });
      expect(await failure(api.coreAuthenticatedSessionsRetrieve({ uuid: 'not-a-uuid' }))).toEqual({
        status: 404,
        body: { detail: 'Not found.' },
      });
    });

    it("should retrieve one session, marking the caller's own as current", async () => {
      const own = await client(aliceMac.token).coreAuthenticatedSessionsRetrieve({ uuid: aliceMac.uuid });
      expect(own.uuid).toBe(aliceMac.uuid);
      expect(own.current).toBe(true);
      const other = await client(aliceMac.token).coreAuthenticatedSessionsRetrieve({ uuid: aliceAndroid.uuid });
      expect(other.current).toBe(false);
      expect(other.userAgent.userAgent).toEqual({ family: 'Chrome Mobile', major: '120', minor: '0', patch: '6099' });
      expect(other.userAgent.os).toEqual({
        family: 'Android',
        major: '14',
        minor: null,
        patch: null,
        patchMinor: null,
      });
    });

    it('should answer used_by with an empty list', async () => {
      expect(await client(alice.key).coreAuthenticatedSessionsUsedByList({ uuid: aliceMac.uuid })).toEqual([]);
    });

    it("should keep users apart: 404 for another user's session, 403 for bulk delete", async () => {
      const api = client(alice.key);
      const notFound = { status: 404, body: { detail: 'No AuthenticatedSession matches the given query.' } };
      expect(await failure(api.coreAuthenticatedSessionsRetrieve({ uuid: bobCurl.uuid }))).toEqual(notFound);
      expect(await failure(api.coreAuthenticatedSessionsUsedByList({ uuid: bobCurl.uuid }))).toEqual(notFound);
      expect(await failure(api.coreAuthenticatedSessionsDestroy({ uuid: bobCurl.uuid }))).toEqual(notFound);
      expect(await failure(api.coreAuthenticatedSessionsBulkDeleteDestroy({ userPks: [bob.id] }))).toEqual({
        status: 403,
        body: { detail: 'You do not have permission to perform this action.' },
      });
      expect((await client(bob.key).coreAuthenticatedSessionsRetrieve({ uuid: bobCurl.uuid })).uuid).toBe(bobCurl.uuid);
    });

    it('should refuse missing and bad credentials with 403', async () => {
      expect(await failure(client(undefined).coreAuthenticatedSessionsList())).toEqual({
        status: 403,
        body: { detail: 'Authentication credentials were not provided.' },
      });
      expect(await failure(client('wrong').coreAuthenticatedSessionsList())).toEqual({
        status: 403,
        body: { detail: 'Token invalid/expired' },
      });
    });

    it('should destroy a session: it is revoked and then gone', async () => {
      const session = await makeSession(admin, alice);
      await client(alice.key).coreAuthenticatedSessionsDestroy({ uuid: session.uuid });
      const rows = await t.sql<{ status: string }>(`SELECT status FROM sessions WHERE uuid = $1`, [session.uuid]);
      expect(rows[0].status).toBe('revoked');
      expect((await failure(client(alice.key).coreAuthenticatedSessionsRetrieve({ uuid: session.uuid }))).status).toBe(
        404,
      );
    });

    it("should bulk delete, and give authentik's error for an empty user list", async () => {
      const zed = await makeUser(admin);
      await makeSession(admin, zed);
      await makeSession(admin, zed);
      const api = client(t.adminKey);
      expect(await api.coreAuthenticatedSessionsBulkDeleteDestroy({ userPks: [zed.id, 999999] })).toEqual({
        deleted: 2,
      });
      expect((await api.coreAuthenticatedSessionsList({ userUsername: zed.username })).pagination.count).toBe(0);
      // The client sends `user_pks=` for an empty list, which authentik refuses.
      expect(await failure(api.coreAuthenticatedSessionsBulkDeleteDestroy({ userPks: [] }))).toEqual({
        status: 400,
        body: { user_pks: { '0': ['A valid integer is required.'] } },
      });
    });
  });

  describe('OpenAPI document', () => {
    const spec = loadAuthentikSpec();
    let served: any;

    beforeAll(async () => {
      const res = await new Http(t.baseUrl).get('/api/docs/authentik.json');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      served = res.body;
    });

    type Operation = { method: string; path: string; operationId: string; parameters: string[]; responses: string[] };
    function operations(document: any): Operation[] {
      const resolve = (p: any) => (p.$ref ? document.components.parameters[p.$ref.split('/').pop()] : p);
      const out: Operation[] = [];
      for (const [path, item] of Object.entries<any>(document.paths)) {
        for (const [method, op] of Object.entries<any>(item)) {
          out.push({
            method,
            path,
            operationId: op.operationId,
            parameters: (op.parameters ?? []).map((p: any) => {
              const r = resolve(p);
              return `${r.in}:${r.name}:${r.required ? 'required' : 'optional'}:${JSON.stringify(r.schema)}`;
            }),
            responses: Object.entries<any>(op.responses).map(([code, r]) => `${code}:${JSON.stringify(r)}`),
          });
        }
      }
      return out.sort((a, b) => a.operationId.localeCompare(b.operationId));
    }

    it("should have authentik's operations, operation ids, parameters and responses", () => {
      expect(operations(served)).toEqual(operations(spec));
      expect(operations(served).map((o) => o.operationId)).toEqual([
        'core_authenticated_sessions_bulk_delete_destroy',
        'core_authenticated_sessions_destroy',
        'core_authenticated_sessions_list',
        'core_authenticated_sessions_retrieve',
        'core_authenticated_sessions_used_by_list',
      ]);
    });

    it("should have authentik's schema names and schemas, security scheme and server", () => {
      expect(Object.keys(served.components.schemas).sort()).toEqual(Object.keys(spec.components.schemas).sort());
      expect(served.components.schemas).toEqual(spec.components.schemas);
      expect(served.components.parameters).toEqual(spec.components.parameters);
      expect(served.components.securitySchemes).toEqual({ authentik: { type: 'http', scheme: 'bearer' } });
      expect(served.servers).toEqual([{ url: '/api/v3' }]);
      expect(served.openapi).toBe('3.0.3');
    });

    it("should be offered in Swagger UI's selector", async () => {
      const init = await new Http(t.baseUrl).get('/api/docs/swagger-ui-init.js');
      expect(init.status).toBe(200);
      expect(init.text).toContain('/api/docs/authentik.json');
    });

    it('should describe paths that the face really serves', async () => {
      const anon = new Http(t.baseUrl, t.adminKey);
      const [server] = served.servers;
      const list = await anon.get(
        `${server.url}${Object.keys(served.paths).find((p) => p === '/core/authenticated_sessions/')}`,
      );
      expect(list.status).toBe(200);
      expectMatchesSchema(validators, 'PaginatedAuthenticatedSessionList', list.body);
      expect(`${server.url}/core/authenticated_sessions`).toBe(BASE);
    });
  });
});
