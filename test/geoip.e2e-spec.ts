import { loadConfig } from '../src/config/app-config';
import { authentikValidators } from './authentik-support';
import { makeSession, makeUser, TestSession, TestUser, USER_AGENTS } from './support/factories';
import {
  EXPECTED_LONDON_ASN,
  EXPECTED_LONDON_GEO,
  GeoIpFixtureFiles,
  writeGeoIpFixtures,
} from './support/geoip-fixtures';
import { Http } from './support/http';
import { engines, startTestApp, TestApp } from './support/test-app';

/**
 * GeoIP and ASN data end to end: GeoLite2-shaped databases written by our MaxMind DB writer, loaded by the app from
 * GEOIP_CITY_DB / GEOIP_ASN_DB, looked up when a session is created or validated from a new IP, stored with the
 * session and shown by the hub, authentik (geo_ip, asn) and Prefactor (InteractionDetails) faces.
 */

const LONDON_IP = '81.2.69.142';
const GERMANY_IP = '2a02:ff0:1234::5';
const ASHBURN_IP = '2600:1f18:4000::1';

const HUB_LONDON = EXPECTED_LONDON_GEO;
const HUB_GERMANY = {
  continent: 'EU',
  country: 'DE',
  lat: 51,
  long: 9,
  city: '',
  region_code: null,
  timezone: 'Europe/Berlin',
};
const HUB_ASHBURN = {
  continent: 'NA',
  country: 'US',
  lat: 39.0469,
  long: -77.4903,
  city: 'Ashburn',
  region_code: 'VA',
  timezone: 'America/New_York',
};
const ASN_LONDON = EXPECTED_LONDON_ASN;
const ASN_GERMANY = { asn: 3209, as_org: 'Vodafone GmbH', network: '2a02:ff0::/32' };
const ASN_ASHBURN = { asn: 14618, as_org: 'AMAZON-AES', network: '2600:1f18::/33' };

/** authentik's GeoIPDict: exactly these five keys, in this order (no region_code, no timezone). */
const GEO_IP_KEYS = ['continent', 'country', 'lat', 'long', 'city'];
const ASN_KEYS = ['asn', 'as_org', 'network'];

describe.each(engines())('GeoIP and ASN data on %s', (engine) => {
  let t: TestApp;
  let files: GeoIpFixtureFiles;
  let admin: Http;
  let anon: Http;
  let alice: TestUser;
  const validate = authentikValidators();

  beforeAll(async () => {
    files = writeGeoIpFixtures();
    t = await startTestApp(engine, { GEOIP_CITY_DB: files.cityPath, GEOIP_ASN_DB: files.asnPath });
    anon = new Http(t.baseUrl);
    admin = anon.as(t.adminKey);
    alice = await makeUser(admin, { username: `geo-alice-${engine}` });
  });
  afterAll(async () => {
    await t?.close();
    files?.remove();
  });

  const login = (ip: string, userAgent = USER_AGENTS.macSafari): Promise<TestSession> =>
    makeSession(admin, alice, { ip, userAgent });
  const authentik = (s: TestSession) => admin.get(`/api/v3/core/authenticated_sessions/${s.uuid}/`);
  const prefactor = (s: TestSession) => admin.get(`/api/v1/session/${s.pfid}`);
  const stored = async (s: TestSession) =>
    (await t.sql<{ geo: unknown; asn: unknown }>('SELECT geo, asn FROM sessions WHERE uuid = $1', [s.uuid]))[0];

  function expectAuthentikGeo(body: any, geoIp: Record<string, unknown> | null, asn: Record<string, unknown> | null) {
    const check = validate('AuthenticatedSession');
    expect(check(body) ? [] : check.errors).toEqual([]);
    expect(body.geo_ip).toStrictEqual(geoIp);
    expect(body.asn).toStrictEqual(asn);
    if (geoIp) expect(Object.keys(body.geo_ip)).toEqual(GEO_IP_KEYS);
    if (asn) expect(Object.keys(body.asn)).toEqual(ASN_KEYS);
  }

  describe('a session created from an IPv4 address in both databases', () => {
    let s: TestSession;
    beforeAll(async () => {
      s = await login(LONDON_IP);
    });

    it('should carry every geo field and the ASN in the hub JSON, on create and on read, and store them with the session', async () => {
      expect(s.geo).toStrictEqual(HUB_LONDON);
      expect(s.asn).toStrictEqual(ASN_LONDON);
      const read = await admin.get(`/api/hub/v1/sessions/${s.uuid}`);
      expect(read.status).toBe(200);
      expect(read.body.geo).toStrictEqual(HUB_LONDON);
      expect(read.body.asn).toStrictEqual(ASN_LONDON);
      expect(await stored(s)).toStrictEqual({ geo: HUB_LONDON, asn: ASN_LONDON });
    });

    it("should give authentik's geo_ip with exactly its five keys and the ASN with the matched record's network", async () => {
      const res = await authentik(s);
      expect(res.status).toBe(200);
      expectAuthentikGeo(
        res.body,
        { continent: 'EU', country: 'GB', lat: 51.5142, long: -0.0931, city: 'London' },
        ASN_LONDON,
      );
      expect(res.body.last_ip).toBe(LONDON_IP);
    });

    it('should show the same geo data in the authentik list', async () => {
      const res = await admin.get(`/api/v3/core/authenticated_sessions/?user=${alice.id}&page_size=100`);
      expect(res.status).toBe(200);
      const row = res.body.results.find((r: any) => r.uuid === s.uuid);
      expect(row.geo_ip).toStrictEqual({ continent: 'EU', country: 'GB', lat: 51.5142, long: -0.0931, city: 'London' });
      expect(Object.keys(row.geo_ip)).toEqual(GEO_IP_KEYS);
      expect(row.asn).toStrictEqual(ASN_LONDON);
    });

    it("should give Prefactor's enriched InteractionDetails on last_seen and first_seen", async () => {
      const res = await prefactor(s);
      expect(res.status).toBe(200);
      const details = {
        remote_ip: LONDON_IP,
        user_agent: USER_AGENTS.macSafari,
        asn: 20712,
        city: 'London',
        country_code: 'GB',
        lat_long: [51.5142, -0.0931],
        region_code: 'ENG',
        timezone: 'Europe/London',
      };
      expect(res.body.summary.last_seen).toStrictEqual({ at: expect.any(Number), ...details });
      expect(res.body.summary.first_seen).toStrictEqual({ at: expect.any(Number), ...details });
    });
  });

  describe('a session created from an IPv6 address with a country-level record', () => {
    it('should give city "" and no region in the hub and authentik, the IPv6 network, and leave city and region out for Prefactor', async () => {
      const s = await login(GERMANY_IP, USER_AGENTS.androidChrome);
      expect(s.geo).toStrictEqual(HUB_GERMANY);
      expect(s.asn).toStrictEqual(ASN_GERMANY);

      const ak = await authentik(s);
      expect(ak.status).toBe(200);
      expectAuthentikGeo(ak.body, { continent: 'EU', country: 'DE', lat: 51, long: 9, city: '' }, ASN_GERMANY);

      const pf = await prefactor(s);
      expect(pf.status).toBe(200);
      expect(pf.body.summary.last_seen).toStrictEqual({
        at: expect.any(Number),
        remote_ip: GERMANY_IP,
        user_agent: USER_AGENTS.androidChrome,
        asn: 3209,
        country_code: 'DE',
        lat_long: [51, 9],
        timezone: 'Europe/Berlin',
      });
    });
  });

  describe('a session from an IP only the ASN database knows', () => {
    it('should have null geo and the ASN, whose network is the tree leaf next to a more specific record', async () => {
      const s = await login('89.160.1.1');
      expect(s.geo).toBeNull();
      expect(s.asn).toStrictEqual({ asn: 29518, as_org: 'Bredband2 AB', network: '89.160.0.0/20' });
      const ak = await authentik(s);
      expectAuthentikGeo(ak.body, null, { asn: 29518, as_org: 'Bredband2 AB', network: '89.160.0.0/20' });
      const pf = await prefactor(s);
      expect(pf.body.summary.last_seen).toStrictEqual({
        at: expect.any(Number),
        remote_ip: '89.160.1.1',
        user_agent: USER_AGENTS.macSafari,
        asn: 29518,
      });
    });
  });

  describe('a session from a record with an ASN but no organisation and a continent but no country', () => {
    it('should show the nulls authentik shows and only what is known to Prefactor', async () => {
      const s = await login('194.0.1.2');
      expect(s.geo).toStrictEqual({
        continent: 'EU',
        country: null,
        lat: null,
        long: null,
        city: '',
        region_code: null,
        timezone: null,
      });
      expect(s.asn).toStrictEqual({ asn: 3333, as_org: null, network: '194.0.0.0/22' });
      expectAuthentikGeo(
        (await authentik(s)).body,
        { continent: 'EU', country: null, lat: null, long: null, city: '' },
        { asn: 3333, as_org: null, network: '194.0.0.0/22' },
      );
      expect((await prefactor(s)).body.summary.last_seen).toStrictEqual({
        at: expect.any(Number),
        remote_ip: '194.0.1.2',
        user_agent: USER_AGENTS.macSafari,
        asn: 3333,
      });
    });
  });

  describe.each([
    ['a private IPv4 address', '10.1.2.3'],
    ['loopback', '127.0.0.1'],
    ['a public IPv4 address outside the databases', '8.8.8.8'],
    ['IPv6 loopback', '::1'],
    ['a public IPv6 address outside the databases', '2600:1f18:8000::1'],
  ])('a session from %s (%s)', (_what, ip) => {
    it('should have null geo and asn everywhere, and no geo fields for Prefactor', async () => {
      const s = await login(ip);
      expect(s.geo).toBeNull();
      expect(s.asn).toBeNull();
      expect(await stored(s)).toStrictEqual({ geo: null, asn: null });
      const ak = await authentik(s);
      expect(ak.status).toBe(200);
      expectAuthentikGeo(ak.body, null, null);
      const pf = await prefactor(s);
      expect(pf.status).toBe(200);
      expect(pf.body.summary.last_seen).toStrictEqual({
        at: expect.any(Number),
        remote_ip: ip,
        user_agent: USER_AGENTS.macSafari,
      });
    });
  });

  describe('validate from a new IP', () => {
    it('should look the new IP up and show its data on every face, and keep first_seen without geo for Prefactor', async () => {
      const s = await login(LONDON_IP);
      const moved = await anon.post('/api/hub/v1/sessions/validate', { token: s.token, ip: ASHBURN_IP });
      expect(moved.status).toBe(200);
      expect(moved.body.lastSeen.ip).toBe(ASHBURN_IP);
      expect(moved.body.geo).toStrictEqual(HUB_ASHBURN);
      expect(moved.body.asn).toStrictEqual(ASN_ASHBURN);
      expect(await stored(s)).toStrictEqual({ geo: HUB_ASHBURN, asn: ASN_ASHBURN });

      const ak = await authentik(s);
      expectAuthentikGeo(
        ak.body,
        { continent: 'NA', country: 'US', lat: 39.0469, long: -77.4903, city: 'Ashburn' },
        ASN_ASHBURN,
      );
      expect(ak.body.last_ip).toBe(ASHBURN_IP);

      const pf = await prefactor(s);
      expect(pf.body.summary.last_seen).toStrictEqual({
        at: expect.any(Number),
        remote_ip: ASHBURN_IP,
        user_agent: USER_AGENTS.macSafari,
        asn: 14618,
        city: 'Ashburn',
        country_code: 'US',
        lat_long: [39.0469, -77.4903],
        region_code: 'VA',
        timezone: 'America/New_York',
      });
      // The stored facts describe the last IP, so they are not claimed for the first one any more.
      expect(pf.body.summary.first_seen).toStrictEqual({
        at: expect.any(Number),
        remote_ip: LONDON_IP,
        user_agent: USER_AGENTS.macSafari,
      });

      const events = await admin.get(`/api/hub/v1/sessions/${s.uuid}/events`);
      expect(events.body.map((e: any) => [e.kind, e.ip])).toEqual(
        expect.arrayContaining([['validated_new_ip', ASHBURN_IP]]),
      );
    });

    it('should clear the geo data when the new IP is not in the databases, not keep the old location', async () => {
      const s = await login(LONDON_IP);
      const moved = await anon.post('/api/hub/v1/sessions/validate', { token: s.token, ip: '192.168.1.20' });
      expect(moved.status).toBe(200);
      expect(moved.body.geo).toBeNull();
      expect(moved.body.asn).toBeNull();
      expectAuthentikGeo((await authentik(s)).body, null, null);
      expect((await prefactor(s)).body.summary.last_seen).toStrictEqual({
        at: expect.any(Number),
        remote_ip: '192.168.1.20',
        user_agent: USER_AGENTS.macSafari,
      });
    });

    it('should fill the geo data in when a session made from an unknown IP moves to a known one', async () => {
      const s = await login('10.9.8.7');
      expect(s.geo).toBeNull();
      const moved = await anon.post('/api/hub/v1/sessions/validate', { token: s.token, ip: GERMANY_IP });
      expect(moved.body.geo).toStrictEqual(HUB_GERMANY);
      expect(moved.body.asn).toStrictEqual(ASN_GERMANY);
      expectAuthentikGeo(
        (await authentik(s)).body,
        { continent: 'EU', country: 'DE', lat: 51, long: 9, city: '' },
        ASN_GERMANY,
      );
    });

    it('should keep the geo data when a validate repeats the IP, changes only the user agent, or gives no IP', async () => {
      const s = await login(LONDON_IP);
      for (const body of [
        { token: s.token, ip: LONDON_IP },
        { token: s.token, userAgent: USER_AGENTS.linuxFirefox },
        { token: s.token },
      ]) {
        const res = await anon.post('/api/hub/v1/sessions/validate', body);
        expect(res.status).toBe(200);
        expect(res.body.geo).toStrictEqual(HUB_LONDON);
        expect(res.body.asn).toStrictEqual(ASN_LONDON);
      }
      expect(await stored(s)).toStrictEqual({ geo: HUB_LONDON, asn: ASN_LONDON });
    });

    it('should refuse a validate with a malformed IP with 400 and leave the geo data alone', async () => {
      const s = await login(LONDON_IP);
      for (const ip of ['81.2.69.256', 'not-an-ip', '2a02:ff0::1::2', "1.1.1.1' OR '1'='1"]) {
        const res = await anon.post('/api/hub/v1/sessions/validate', { token: s.token, ip });
        expect([ip, res.status]).toEqual([ip, 400]);
      }
      expect(await stored(s)).toStrictEqual({ geo: HUB_LONDON, asn: ASN_LONDON });
    });
  });

  it("should let a user see the geo data of their own session on the authentik face, and never another user's", async () => {
    const s = await login(LONDON_IP);
    const own = await anon.as(alice.key).get(`/api/v3/core/authenticated_sessions/${s.uuid}/`);
    expect(own.status).toBe(200);
    expectAuthentikGeo(
      own.body,
      { continent: 'EU', country: 'GB', lat: 51.5142, long: -0.0931, city: 'London' },
      ASN_LONDON,
    );
    const bob = await makeUser(admin, { username: `geo-bob-${engine}` });
    const other = await anon.as(bob.key).get(`/api/v3/core/authenticated_sessions/${s.uuid}/`);
    expect(other.status).toBe(404);
    expect(other.text).not.toContain('London');
  });
});

/**
 * The default install: no GeoIP files, so the DB-IP Lite data shipped with the service answers. Real public
 * addresses of well-known services; their city is DB-IP's, stable for these anycast and office blocks.
 */
describe.each(engines())('built-in geo data on the default install, on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let user: TestUser;

  beforeAll(async () => {
    expect(loadConfig({}).GEOIP_BUILTIN).toBe('on');
    t = await startTestApp(engine, { GEOIP_BUILTIN: 'on' });
    admin = new Http(t.baseUrl, t.adminKey);
    user = await makeUser(admin, { username: `builtin-geo-${engine}` });
  });
  afterAll(() => t?.close());

  const cases: [string, { country: string; city: string }][] = [
    ['81.2.69.160', { country: 'GB', city: 'London' }],
    ['8.8.8.8', { country: 'US', city: 'Mountain View' }],
    ['1.1.1.1', { country: 'AU', city: 'Sydney' }],
    ['2a00:1450:4001:81b::200e', { country: 'DE', city: 'Frankfurt am Main' }],
    ['::ffff:8.8.8.8', { country: 'US', city: 'Mountain View' }],
  ];

  it.each(cases)(
    'should fill country, city and coordinates for %s in the hub and authentik faces',
    async (ip, where) => {
      const s = await makeSession(admin, user, { ip });
      const hub = await admin.get(`/api/hub/v1/sessions/${s.uuid}`);
      expect(hub.body.geo).toMatchObject({ ...where, continent: null, region_code: null });
      expect(typeof hub.body.geo.lat).toBe('number');
      const authentik = await admin.get(`/api/v3/core/authenticated_sessions/${s.uuid}/`);
      // authentik's shape, filled with what the data has: no continent in DB-IP Lite, and never an object of nulls.
      expect(Object.keys(authentik.body.geo_ip)).toEqual(['continent', 'country', 'lat', 'long', 'city']);
      expect(authentik.body.geo_ip).toMatchObject({ continent: null, ...where });
      expect(authentik.body.asn).toBeNull();
    },
  );

  it('should leave geo_ip null for addresses no database places (documentation and private ranges)', async () => {
    for (const ip of ['203.0.113.7', '192.168.1.10', '2001:db8::1']) {
      const s = await makeSession(admin, user, { ip });
      expect([ip, (await admin.get(`/api/v3/core/authenticated_sessions/${s.uuid}/`)).body.geo_ip]).toEqual([ip, null]);
    }
  });
});
