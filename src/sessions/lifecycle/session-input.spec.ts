import { canonicalIp, sameAddress } from './session-input';

describe('canonicalIp', () => {
  // Each left-hand spelling next to what PostgreSQL's inet writes back for it (host(x::inet)).
  it.each([
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:1:0:0:0:1:1', '2001:db8:1::1:1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['::FFFF:81.2.69.160', '::ffff:81.2.69.160'],
    ['::ffff:5102:45a0', '::ffff:81.2.69.160'],
    ['0::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::81.2.69.160', '::81.2.69.160'],
    ['::0.0.0.1', '::1'],
    ['64:ff9b::81.2.69.160', '64:ff9b::5102:45a0'],
    ['1::2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['81.2.69.160', '81.2.69.160'],
  ])('should write %s as PostgreSQL does: %s', (given, stored) => {
    expect(canonicalIp(given)).toBe(stored);
  });
});

describe('sameAddress', () => {
  it('should match an address however it is spelled, and only that address', () => {
    expect(sameAddress('2001:DB8::7', '2001:db8::7')).toBe(true);
    expect(sameAddress('2001:db8::7', '2001:db8::7')).toBe(true);
    expect(sameAddress('2001:db8::8', '2001:db8::7')).toBe(false);
    expect(sameAddress('198.51.100.9', '198.51.100.9')).toBe(true);
    // A mapped IPv4 address is another inet value than the IPv4 one, to PostgreSQL and here.
    expect(sameAddress('::ffff:198.51.100.9', '198.51.100.9')).toBe(false);
  });
});
