import { generatePfid, generateRelatedPfid, isPfid, pfidPartition, pfidTimestamp } from './pfid';

describe('pfid', () => {
  it('should encode the documented example prefix for timestamp 1234567890000 and partition 123456789', () => {
    expect(generatePfid(123_456_789, 1_234_567_890_000).slice(0, 16)).toBe('013xrzp12g3nqk8n');
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
