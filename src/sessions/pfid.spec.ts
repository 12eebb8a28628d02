import { randomBytes } from 'node:crypto';
import { generatePfid, generateRelatedPfid, isPfid, pfidOf, pfidPartition, pfidTimestamp } from './pfid';

/** The 160 bits as one BigInt, written as 32 base32 digits: how PFIDs were encoded before plain numbers. */
function pfidAsOneNumber(timestampMs: number, partition: number, random: Buffer): string {
  let value =
    (BigInt(timestampMs) << 110n) | (BigInt(partition & 0x3fffffff) << 80n) | BigInt('0x' + random.toString('hex'));
  let out = '';
  for (let i = 0; i < 32; i++) {
    out = '0123456789abcdefghjkmnpqrstvwxyz'[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

describe('pfid', () => {
  it('should encode the documented example prefix for timestamp 1234567890000 and partition 123456789', () => {
    expect(generatePfid(123_456_789, 1_234_567_890_000).slice(0, 16)).toBe('013xrzp12g3nqk8n');
  });

  it('should write time, partition and random bits as the 160-bit number they make', () => {
    const cases: [number, number, Buffer][] = [
      [0, 0, Buffer.alloc(10)],
      [2 ** 48 - 1, 0x3fffffff, Buffer.alloc(10, 0xff)],
      [1_234_567_890_000, 123_456_789, Buffer.from('0123456789abcdef0123', 'hex')],
    ];
    for (let i = 0; i < 500; i++)
      cases.push([Math.floor(Math.random() * 2 ** 48), randomBytes(4).readUInt32BE(0) & 0x3fffffff, randomBytes(10)]);
    for (const [time, partition, random] of cases) {
      const pfid = pfidOf(time, partition, random);
      expect(pfid).toBe(pfidAsOneNumber(time, partition, random));
      expect([pfidTimestamp(pfid), pfidPartition(pfid)]).toEqual([time, partition]);
    }
  });

  it('should produce ids matching the PFID pattern', () => {
    for (let i = 0; i < 100; i++) expect(isPfid(generatePfid())).toBe(true);
  });

  it('should keep the partition in related ids and the time in their first ten characters', () => {
    const account = generatePfid(42, 1_700_000_000_000);
    const related = generateRelatedPfid(account, 1_700_000_000_001);
    expect(pfidPartition(related)).toBe(42);
    expect(pfidTimestamp(related)).toBe(1_700_000_000_001);
    expect(related.slice(10, 16)).toBe(account.slice(10, 16));
  });

  it('should reject malformed ids', () => {
    for (const bad of [
      '',
      'abc',
      '813xrzp12g3nqk8nkv4y96wrbzje9dsr',
      '013xrzp12g3nqk8nkv4y96wrbzje9dsu',
      '013XRZP12G3NQK8NKV4Y96WRBZJE9DSR',
    ]) {
      expect(isPfid(bad)).toBe(false);
    }
  });
});
