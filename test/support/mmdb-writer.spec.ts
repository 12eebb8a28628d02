import { Reader } from 'mmdb-lib';
import { double, float, int32, uint128, uint16, uint32, uint64, writeMmdb } from './mmdb-writer';

/** The writer checked through mmdb-lib, the reader the app uses (via the `maxmind` package). */
describe('writeMmdb', () => {
  it('should write metadata that readers use to find the tree, the data section and the database type', () => {
    const db = writeMmdb([{ network: '81.2.69.0/24', data: 'x' }], {
      databaseType: 'GeoLite2-City',
      languages: ['de', 'en'],
      description: { en: 'test' },
      buildEpoch: 1_700_000_000,
    });
    const { metadata } = new Reader(db);
    expect(metadata).toMatchObject({
      binaryFormatMajorVersion: 2,
      binaryFormatMinorVersion: 0,
      buildEpoch: new Date(1_700_000_000_000),
      databaseType: 'GeoLite2-City',
      description: { en: 'test' },
      ipVersion: 6,
      languages: ['de', 'en'],
      recordSize: 24,
    });
    // The 16-byte zero separator sits right after the tree.
    expect(db.subarray(metadata.searchTreeSize, metadata.searchTreeSize + 16)).toEqual(Buffer.alloc(16));
    expect(new Reader(writeMmdb([], 'GeoLite2-ASN')).metadata.databaseType).toBe('GeoLite2-ASN');
  });

  it('should round-trip every data type, including each size encoding of strings', () => {
    const data = {
      text: 'Linköping 東京',
      empty: '',
      size28: 'a'.repeat(28),
      size29: 'b'.repeat(29),
      size284: 'c'.repeat(284),
      size285: 'd'.repeat(285),
      size65820: 'e'.repeat(65_820),
      size65821: 'f'.repeat(65_821),
      double: double(51),
      inferredDouble: -0.0931,
      float: float(1.5),
      uint16: uint16(65_535),
      uint32: uint32(4_294_967_295),
      inferredUint32: 20712,
      zero: 0,
      uint64: uint64(2n ** 64n - 1n),
      uint128: uint128(2n ** 128n - 1n),
      int32: int32(-2_147_483_648),
      inferredInt32: -5,
      positiveInt32: int32(2_147_483_647),
      yes: true,
      no: false,
      bytes: Buffer.from([0, 1, 254, 255]),
      array: [1, 'two', [3], { four: 4 }],
      emptyArray: [],
      nested: { deeper: { deepest: 'ok' } },
      emptyMap: {},
    };
    const got = new Reader<any>(writeMmdb([{ network: '81.2.69.0/24', data }], 'Types')).get('81.2.69.1');
    expect(got).toEqual({
      ...data,
      double: 51,
      float: 1.5,
      uint16: 65_535,
      uint32: 4_294_967_295,
      uint64: 2n ** 64n - 1n,
      uint128: 2n ** 128n - 1n,
      int32: -2_147_483_648,
      positiveInt32: 2_147_483_647,
    });
  });

  it('should share repeated strings and maps through pointers, which read back as the same values', () => {
    const names = { en: 'United Kingdom', de: 'Vereinigtes Königreich' };
    const entries = Array.from({ length: 600 }, (_, i) => ({
      network: `81.${i >> 8}.${i & 255}.0/24`,
      data: { country: { iso_code: 'GB', names }, id: i, org: `Organisation number ${i % 7}` },
    }));
    const db = writeMmdb(entries, 'Pointers');
    const reader = new Reader<any>(db);
    for (const i of [0, 1, 299, 599]) {
      expect(reader.get(`81.${i >> 8}.${i & 255}.9`)).toEqual({
        country: { iso_code: 'GB', names },
        id: i,
        org: `Organisation number ${i % 7}`,
      });
    }
    // 600 copies of the names map would need far more room than this.
    expect(db.length - reader.metadata.searchTreeSize).toBeLessThan(600 * 20);
  });

  it('should not mistake look-alike values of different types for the same value', () => {
    const reader = new Reader<any>(
      writeMmdb(
        [
          { network: '10.0.0.0/24', data: { a: 5, b: [1] } },
          { network: '10.0.1.0/24', data: { a: 'number(5)', b: ['1'] } },
          { network: '10.0.2.0/24', data: { a: double(5), b: [uint64(1)] } },
        ],
        'Lookalikes',
      ),
    );
    expect(reader.get('10.0.0.1')).toEqual({ a: 5, b: [1] });
    expect(reader.get('10.0.1.1')).toEqual({ a: 'number(5)', b: ['1'] });
    expect(reader.get('10.0.2.1')).toEqual({ a: 5, b: [1n] });
  });

  it.each([24, 28, 32] as const)('should write %d-bit records that lead to the right data', (recordSize) => {
    const reader = new Reader<any>(
      writeMmdb(
        [
          { network: '81.2.69.0/24', data: { v: 4 } },
          { network: '2a02:ff0::/32', data: { v: 6 } },
        ],
        { databaseType: 'Sizes', recordSize },
      ),
    );
    expect(reader.metadata.recordSize).toBe(recordSize);
    expect(reader.getWithPrefixLength('81.2.69.77')).toEqual([{ v: 4 }, 24]);
    expect(reader.getWithPrefixLength('2a02:ff0:ffff::1')).toEqual([{ v: 6 }, 32]);
    expect(reader.get('81.2.70.1')).toBeNull();
  });

  it('should put the top nibbles of 28-bit record values past 2^24 in the middle byte', () => {
    // 16 MB of strings ahead of the second record push its record value past 2^24.
    const db = writeMmdb(
      [
        { network: '1.0.0.0/24', data: { a: 'a'.repeat(8_400_000), b: 'b'.repeat(8_400_000) } },
        { network: '1.0.1.0/24', data: { after: 'the big one' } },
        { network: '2a02:ff0::/32', data: { after: 'v6' } },
      ],
      { databaseType: 'Big', recordSize: 28 },
    );
    const reader = new Reader<any>(db);
    expect(reader.metadata.nodeCount + 16 + 16_800_000).toBeGreaterThan(2 ** 24);
    expect(reader.get('1.0.1.1')).toEqual({ after: 'the big one' });
    expect(reader.get('2a02:ff0::1')).toEqual({ after: 'v6' });
    expect(reader.get('1.0.0.1').b).toHaveLength(8_400_000);
    expect(() =>
      writeMmdb([{ network: '1.0.0.0/24', data: 'a'.repeat(16_800_000) }], { databaseType: 'Big', recordSize: 24 }),
    ).toThrow(/24-bit records cannot address/);
  });

  it('should keep IPv4 under ::/96 and report IPv4 prefix lengths from the IPv4 subtree, as MaxMind databases do', () => {
    const reader = new Reader<any>(writeMmdb([{ network: '81.2.64.0/19', data: 'v4' }], 'Layout'));
    expect(reader.getWithPrefixLength('81.2.69.1')).toEqual(['v4', 19]);
    expect(reader.getWithPrefixLength('::81.2.69.1')).toEqual(['v4', 96 + 19]);
    // The aliases lead to the same IPv4 subtree.
    expect(reader.getWithPrefixLength('::ffff:81.2.69.1')).toEqual(['v4', 96 + 19]);
    expect(reader.getWithPrefixLength('2002:5102:4501::1')).toEqual(['v4', 16 + 19]);
    expect(reader.getWithPrefixLength('2001:0:5102:4501::1')).toEqual(['v4', 32 + 19]);
    expect(reader.get('::ffff:8.8.8.8')).toBeNull();

    const plain = new Reader<any>(
      writeMmdb([{ network: '81.2.64.0/19', data: 'v4' }], { databaseType: 'Layout', ipv4Aliases: false }),
    );
    expect(plain.get('81.2.69.1')).toBe('v4');
    expect(plain.get('::ffff:81.2.69.1')).toBeNull();
  });

  it('should let a more specific network win whatever the order, splitting the broader one around it', () => {
    for (const entries of [
      [
        { network: '89.160.0.0/17', data: 'broad' },
        { network: '89.160.20.128/25', data: 'narrow' },
      ],
      [
        { network: '89.160.20.128/25', data: 'narrow' },
        { network: '89.160.0.0/17', data: 'broad' },
      ],
    ]) {
      const reader = new Reader<any>(writeMmdb(entries, 'Overlap'));
      expect(reader.getWithPrefixLength('89.160.20.200')).toEqual(['narrow', 25]);
      expect(reader.getWithPrefixLength('89.160.20.100')).toEqual(['broad', 25]);
      expect(reader.getWithPrefixLength('89.160.1.1')).toEqual(['broad', 20]);
      expect(reader.getWithPrefixLength('89.160.127.255')).toEqual(['broad', 18]);
      expect(reader.get('89.160.128.0')).toBeNull();
    }
    const later = new Reader<any>(
      writeMmdb(
        [
          { network: '81.2.69.0/24', data: 'first' },
          { network: '81.2.69.0/24', data: 'second' },
        ],
        'Overlap',
      ),
    );
    expect(later.get('81.2.69.1')).toBe('second');
  });

  it('should write IPv4-only trees', () => {
    const reader = new Reader<any>(
      writeMmdb([{ network: '81.2.69.0/24', data: 'v4' }], { databaseType: 'V4', ipVersion: 4 }),
    );
    expect(reader.metadata.ipVersion).toBe(4);
    expect(reader.getWithPrefixLength('81.2.69.1')).toEqual(['v4', 24]);
    expect(() => writeMmdb([{ network: '2a02:ff0::/32', data: 'v6' }], { databaseType: 'V4', ipVersion: 4 })).toThrow(
      /IPv4 database/,
    );
  });

  it.each([
    '81.2.69.1/24',
    '81.2.69.0/33',
    '81.2.69.0',
    '81.2.69/24',
    'nope/8',
    '2a02:ff0::1/32',
    '2a02:ff0::/129',
    '81.2.69.0/24/1',
  ])('should refuse the network %j', (network) => {
    expect(() => writeMmdb([{ network, data: 'x' }], 'Bad')).toThrow(/mmdb-writer/);
  });

  it('should refuse data inside an IPv4 alias range and values it cannot store', () => {
    expect(() => writeMmdb([{ network: '::ffff:81.2.69.0/120', data: 'x' }], 'Bad')).toThrow(/alias/);
    expect(() => writeMmdb([{ network: '81.2.69.0/24', data: null as never }], 'Bad')).toThrow(/cannot store/);
    expect(() => writeMmdb([{ network: '81.2.69.0/24', data: uint16(65_536) }], 'Bad')).toThrow(/does not fit/);
    expect(() => writeMmdb([{ network: '81.2.69.0/24', data: int32(2 ** 31) }], 'Bad')).toThrow(/not an int32/);
  });
});
