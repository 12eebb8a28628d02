import { secureRandomBytes } from './random-bytes';

describe('secureRandomBytes', () => {
  it('should give the length asked for, across refills of its buffer and above its size', () => {
    for (const n of [1, 4, 10, 32, 8191, 8192, 8193, 20_000]) expect(secureRandomBytes(n)).toHaveLength(n);
  });

  it('should never hand out the same bytes twice', () => {
    // 5,000 draws of 32 bytes: several refills of the 8 KB buffer; a repeat of 256 random bits would be a bug.
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) seen.add(secureRandomBytes(32).toString('hex'));
    expect(seen.size).toBe(5_000);
  });

  it('should give each caller its own copy', () => {
    const first = secureRandomBytes(16);
    const kept = Buffer.from(first);
    secureRandomBytes(16).fill(0);
    first.fill(1);
    expect(secureRandomBytes(16).equals(Buffer.alloc(16, 1))).toBe(false);
    expect(kept.equals(Buffer.alloc(16, 0))).toBe(false);
  });

  it('should spread its bytes evenly over every value', () => {
    // 256 KB: each of the 256 values expected 1,024 times; chi-square with 255 degrees of freedom stays far
    // below 400 for a uniform source (p < 1e-7 above it), and an all-zero or stuck buffer would be far above it.
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 1024; i++) for (const byte of secureRandomBytes(256)) counts[byte]++;
    const chiSquare = counts.reduce((sum, count) => sum + (count - 1024) ** 2 / 1024, 0);
    expect(chiSquare).toBeLessThan(400);
  });
});
