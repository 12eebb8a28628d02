import { sessionFixture } from '../../../test/support/session-fixture';
import { keepingMicroseconds } from '../../database/timestamp';
import { formatTimestamp, toAuthenticatedSession, toPagination } from './authentik.mapper';

const session = sessionFixture;

describe('authentik mapper', () => {
  it('formats timestamps as DRF does, six fraction digits only when non-zero', () => {
    expect(formatTimestamp(new Date('2026-04-20T08:47:25.123Z'))).toBe('2026-04-20T08:47:25.123000Z');
    expect(formatTimestamp(new Date('2026-04-20T08:47:25.001Z'))).toBe('2026-04-20T08:47:25.001000Z');
    expect(formatTimestamp(new Date('2026-04-20T08:47:25.000Z'))).toBe('2026-04-20T08:47:25Z');
  });

  it("prints the database's microseconds, which a Date alone drops", () => {
    const parse = keepingMicroseconds((text) => new Date(text.replace(' ', 'T').replace(/\+00$/, 'Z')));
    const at = (text: string) => formatTimestamp(parse(text) as Date);
    expect(at('2026-04-20 08:47:09.980787+00')).toBe('2026-04-20T08:47:09.980787Z');
    expect(at('2026-04-20 08:47:09.000001+00')).toBe('2026-04-20T08:47:09.000001Z');
    expect(at('2026-04-20 08:47:09.5+00')).toBe('2026-04-20T08:47:09.500000Z');
    expect(at('2026-04-20 08:47:09+00')).toBe('2026-04-20T08:47:09Z');
  });

  it("maps a session to the serializer's fields in authentik's key order", () => {
    const mapped = toAuthenticatedSession(session(), null);
    expect(JSON.stringify(mapped)).toBe(
      JSON.stringify({
        uuid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
        current: false,
        user_agent: {
          string: 'curl/8.5.0',
          user_agent: { family: 'curl', major: '8', minor: '5', patch: '0' },
          os: { family: 'Other', major: null, minor: null, patch: null, patch_minor: null },
          device: { family: 'Other', brand: null, model: null },
        },
        geo_ip: { continent: 'EU', country: 'DE', lat: 52.5, long: 13.4, city: 'Berlin' },
        asn: null,
        user: 42,
        last_ip: '2001:db8::1',
        last_user_agent: 'curl/8.5.0',
        last_used: '2026-04-20T08:47:25.123000Z',
        expires: '2026-04-21T00:00:00Z',
      }),
    );
  });

  it("marks the session current only for the caller's own session token", () => {
    expect(toAuthenticatedSession(session(), 7).current).toBe(true);
    expect(toAuthenticatedSession(session(), 8).current).toBe(false);
    expect(toAuthenticatedSession(session(), null).current).toBe(false);
  });

  it("keeps asn keys in authentik's order", () => {
    const mapped = toAuthenticatedSession(
      session({ asn: { network: '192.0.2.0/24', as_org: 'Example', asn: 64496 } }),
      null,
    );
    expect(JSON.stringify(mapped.asn)).toBe('{"asn":64496,"as_org":"Example","network":"192.0.2.0/24"}');
  });

  it("computes Django's page numbers", () => {
    expect(toPagination(1, 20, 0)).toEqual({
      next: 0,
      previous: 0,
      count: 0,
      current: 1,
      total_pages: 1,
      start_index: 0,
      end_index: 0,
    });
    expect(toPagination(2, 2, 5)).toEqual({
      next: 3,
      previous: 1,
      count: 5,
      current: 2,
      total_pages: 3,
      start_index: 3,
      end_index: 4,
    });
    expect(toPagination(3, 2, 5)).toEqual({
      next: 0,
      previous: 2,
      count: 5,
      current: 3,
      total_pages: 3,
      start_index: 5,
      end_index: 5,
    });
  });
});
