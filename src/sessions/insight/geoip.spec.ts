import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { double, uint32, writeMmdb } from '../../../test/support/mmdb-writer';
import {
  EXPECTED_LONDON_ASN,
  EXPECTED_LONDON_GEO,
  GeoIpFixtureFiles,
  writeGeoIpFixtures,
} from '../../../test/support/geoip-fixtures';
import { GeoIpLookup, networkOf } from './geoip';

const LONDON = EXPECTED_LONDON_GEO;
const ANDREWS = EXPECTED_LONDON_ASN;

describe('GeoIpLookup over GeoLite2-shaped City and ASN databases', () => {
  let files: GeoIpFixtureFiles;
  let geoip: GeoIpLookup;

  beforeAll(() => {
    files = writeGeoIpFixtures();
    geoip = GeoIpLookup.open(files.cityPath, files.asnPath);
  });
  afterAll(() => files?.remove());

  it('should give every geo field and the ASN with its network for an IPv4 address in both databases', () => {
    const result = geoip.lookup('81.2.69.142');
    expect(result.geo).toStrictEqual(LONDON);
    // Key order matters: faces serialise these objects as they are.
    expect(Object.keys(result.geo!)).toEqual([
      'continent',
      'country',
      'lat',
      'long',
      'city',
      'region_code',
      'timezone',
    ]);
    expect(result.asn).toStrictEqual(ANDREWS);
    expect(Object.keys(result.asn!)).toEqual(['asn', 'as_org', 'network']);
  });

  it('should read non-ASCII city names and the first subdivision', () => {
    expect(geoip.lookup('89.160.20.115').geo).toStrictEqual({
      continent: 'EU',
      country: 'SE',
      lat: 58.4167,
      long: 15.6167,
      city: 'Linköping',
      region_code: 'E',
      timezone: 'Europe/Stockholm',
    });
  });

  it('should give city "" (never null) and no region for a country-level IPv6 record, with whole-number coordinates', () => {
    expect(geoip.lookup('2a02:ff0:1234::5')).toStrictEqual({
      geo: { continent: 'EU', country: 'DE', lat: 51, long: 9, city: '', region_code: null, timezone: 'Europe/Berlin' },
      asn: { asn: 3209, as_org: 'Vodafone GmbH', network: '2a02:ff0::/32' },
    });
  });

  it('should give null for each field a sparse record lacks, and as_org null for an ASN record without organisation', () => {
    expect(geoip.lookup('194.0.1.2')).toStrictEqual({
      geo: { continent: 'EU', country: null, lat: null, long: null, city: '', region_code: null, timezone: null },
      asn: { asn: 3333, as_org: null, network: '194.0.0.0/22' },
    });
  });

  it('should report an IPv6 network with a prefix that is not a multiple of 16', () => {
    expect(geoip.lookup('2600:1f18:4000::1')).toStrictEqual({
      geo: {
        continent: 'NA',
        country: 'US',
        lat: 39.0469,
        long: -77.4903,
        city: 'Ashburn',
        region_code: 'VA',
        timezone: 'America/New_York',
      },
      asn: { asn: 14618, as_org: 'AMAZON-AES', network: '2600:1f18::/33' },
    });
    // Just outside the /33.
    expect(geoip.lookup('2600:1f18:8000::1')).toStrictEqual({ geo: null, asn: null });
  });

  it('should report the network of the matched tree leaf, as geoip2 does, when a more specific record splits a range', () => {
    // 89.160.0.0/17 holds a carved-out 89.160.20.128/25; the tree splits the /17 along the path to it.
    const leaves: [ip: string, asn: number, org: string, network: string][] = [
      ['89.160.20.200', 64512, 'Example Carve-out', '89.160.20.128/25'],
      ['89.160.20.115', 29518, 'Bredband2 AB', '89.160.20.0/25'],
      ['89.160.1.1', 29518, 'Bredband2 AB', '89.160.0.0/20'],
      ['89.160.100.1', 29518, 'Bredband2 AB', '89.160.64.0/18'],
    ];
    for (const [ip, asn, as_org, network] of leaves) {
      expect(geoip.lookup(ip).asn).toStrictEqual({ asn, as_org, network });
    }
    // In the ASN database but not the City one.
    expect(geoip.lookup('89.160.1.1').geo).toBeNull();
  });

  it('should find IPv4-mapped IPv6 addresses through the ::ffff:0:0/96 alias and print the network as Python 3.13+ does', () => {
    const result = geoip.lookup('::ffff:81.2.69.142');
    expect(result.geo).toStrictEqual(LONDON);
    expect(result.asn).toStrictEqual({ ...ANDREWS, network: '::ffff:81.2.64.0/115' });
  });

  it.each([
    ['a private IPv4 address', '10.1.2.3'],
    ['loopback', '127.0.0.1'],
    ['a home network address', '192.168.1.1'],
    ["authentik's default client IP", '255.255.255.255'],
    ['a public IPv4 address not in the databases', '8.8.8.8'],
    ['the address right after a record', '81.2.96.0'],
    ['IPv6 loopback', '::1'],
    ['IPv6 link-local', 'fe80::1'],
    ['a public IPv6 address not in the databases', '2a03:2880::1'],
  ])('should give null geo and asn for %s (%s)', (_what, ip) => {
    expect(geoip.lookup(ip)).toStrictEqual({ geo: null, asn: null });
  });

  it.each([
    'not-an-ip',
    '',
    '1.2.3',
    '81.2.69.256',
    '81.2.69.142/24',
    ' 81.2.69.142',
    '81.2.69.142 ',
    '2a02:ff0::1::2',
    'gggg::1',
  ])('should give null geo and asn for the non-address %j', (value) => {
    expect(geoip.lookup(value)).toStrictEqual({ geo: null, asn: null });
  });

  it('should use only the databases that are configured', () => {
    const cityOnly = GeoIpLookup.open(files.cityPath, undefined);
    expect(cityOnly.lookup('81.2.69.142')).toStrictEqual({ geo: LONDON, asn: null });
    const asnOnly = GeoIpLookup.open('', files.asnPath);
    expect(asnOnly.lookup('81.2.69.142')).toStrictEqual({ geo: null, asn: ANDREWS });
    expect(GeoIpLookup.open().lookup('81.2.69.142')).toStrictEqual({ geo: null, asn: null });
    expect(GeoIpLookup.none().lookup('81.2.69.142')).toStrictEqual({ geo: null, asn: null });
  });

  it('should refuse to start with a database path that does not exist rather than silently drop geo data', () => {
    expect(() => GeoIpLookup.open(join(files.dir, 'missing.mmdb'))).toThrow(/ENOENT/);
  });

  it('should give null for IPv6 addresses in an IPv4-only database instead of an unrelated IPv4 record', () => {
    const path = join(files.dir, 'ipv4-only-asn.mmdb');
    // 42.2.15.240/28 has the same first 32 bits as 2a02:ff0::, so a naive tree walk would match it.
    writeFileSync(
      path,
      writeMmdb(
        [
          {
            network: '42.2.15.240/28',
            data: { autonomous_system_number: uint32(64500), autonomous_system_organization: 'IPv4 only' },
          },
        ],
        {
          databaseType: 'GeoLite2-ASN',
          ipVersion: 4,
        },
      ),
    );
    const ipv4Only = GeoIpLookup.open(undefined, path);
    expect(ipv4Only.lookup('42.2.15.241').asn).toStrictEqual({
      asn: 64500,
      as_org: 'IPv4 only',
      network: '42.2.15.240/28',
    });
    expect(ipv4Only.lookup('2a02:ff0::1').asn).toBeNull();
  });

  it('should read databases with 28- and 32-bit records the same as with 24-bit ones', () => {
    for (const recordSize of [24, 28, 32] as const) {
      const path = join(files.dir, `city-${recordSize}.mmdb`);
      const record = {
        continent: { code: 'EU' },
        country: { iso_code: 'FR' },
        location: { latitude: double(48.8566), longitude: double(2.3522), time_zone: 'Europe/Paris' },
        city: { names: { en: 'Paris' } },
      };
      writeFileSync(
        path,
        writeMmdb(
          [
            { network: '2a01:cb00::/24', data: record },
            { network: '90.0.0.0/9', data: record },
          ],
          { databaseType: 'GeoLite2-City', recordSize },
        ),
      );
      const lookup = GeoIpLookup.open(path);
      const paris = {
        continent: 'EU',
        country: 'FR',
        lat: 48.8566,
        long: 2.3522,
        city: 'Paris',
        region_code: null,
        timezone: 'Europe/Paris',
      };
      expect([recordSize, lookup.lookup('90.12.34.56').geo]).toStrictEqual([recordSize, paris]);
      expect([recordSize, lookup.lookup('2a01:cb00:1::1').geo]).toStrictEqual([recordSize, paris]);
      expect([recordSize, lookup.lookup('91.0.0.1').geo]).toStrictEqual([recordSize, null]);
    }
  });
});

describe('networkOf', () => {
  it.each([
    ['81.2.69.142', 24, '81.2.69.0/24'],
    ['81.2.69.142', 32, '81.2.69.142/32'],
    ['81.2.69.142', 19, '81.2.64.0/19'],
    ['81.2.69.142', 0, '0.0.0.0/0'],
    ['255.255.255.255', 1, '128.0.0.0/1'],
    ['2a02:ff0:1234::5', 32, '2a02:ff0::/32'],
    ['2600:1f18:4000::1', 33, '2600:1f18::/33'],
    ['2A02:FF0::ABCD', 112, '2a02:ff0::/112'],
    ['2001:db8:0:0:1:0:0:1', 128, '2001:db8::1:0:0:1/128'],
    ['fe80::1:0:0:0', 128, 'fe80::1:0:0:0/128'],
    ['2a02:ff0:0:1:0:1:0:1', 128, '2a02:ff0:0:1:0:1:0:1/128'],
    ['::1', 128, '::1/128'],
    ['::', 0, '::/0'],
    ['1::', 16, '1::/16'],
    ['::ffff:81.2.69.1', 120, '::ffff:81.2.69.0/120'],
    ['::ffff:5102:4501', 115, '::ffff:81.2.64.0/115'],
    ['::ffff:81.2.69.1', 80, '::/80'],
    ['::81.2.69.1', 120, '::5102:4500/120'],
  ])('networkOf(%j, %d) is %j, as Python ipaddress prints it', (ip, prefix, expected) => {
    expect(networkOf(ip, prefix)).toBe(expected);
  });
});
