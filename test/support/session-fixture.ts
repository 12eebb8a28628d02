import { Session } from '../../src/sessions/session.model';

/**
 * A whole domain Session for the pure mappers' specs: one place to give a new field of Session a value.
 * The user agent and geo are as stored (jsonb comes back with its keys sorted), so mappers must restore vendor order.
 */
export function sessionFixture(overrides: Partial<Session> = {}): Session {
  const at = new Date('2026-04-20T08:47:25.123Z');
  return {
    id: 7,
    uuid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
    pfid: '0'.repeat(32),
    userId: 42,
    userUuid: '00000000-0000-4000-8000-000000000000',
    username: 'alice',
    userIsOperator: false,
    status: 'authenticated',
    sessionType: 'browser',
    accountId: 'a',
    domainId: 'd',
    poolId: 'p',
    identityId: 'i',
    deviceId: 'dev',
    title: 't',
    createdAt: at,
    firstSeen: { at, ip: '192.0.2.1', userAgent: 'curl/8.5.0' },
    lastSeen: { at, ip: '2001:db8::1', userAgent: 'curl/8.5.0' },
    expiresAt: new Date('2026-04-21T00:00:00.000Z'),
    absoluteExpiresAt: new Date('2026-04-21T00:00:00.000Z'),
    idleSeconds: null,
    endedAt: null,
    endedBy: null,
    device: { brand: null, model: null, osName: null, osVersion: null, appName: null, appVersion: null },
    deviceClass: 'other',
    // Stored JSON comes back in any key order (jsonb sorts keys); the mapper restores authentik's.
    userAgent: {
      device: { model: null, brand: null, family: 'Other' },
      os: { patch_minor: null, patch: null, minor: null, major: null, family: 'Other' },
      user_agent: { patch: '0', minor: '5', major: '8', family: 'curl' },
      string: 'curl/8.5.0',
    },
    geo: {
      continent: 'EU',
      country: 'DE',
      lat: 52.5,
      long: 13.4,
      city: 'Berlin',
      region_code: 'BE',
      timezone: 'Europe/Berlin',
    },
    asn: null,
    ...overrides,
  };
}
