import { sessionFixture } from '../../test/support/session-fixture';
import { documentedKeys } from '../docs/documented';
import { HubSession, HubSessionWithToken } from './hub.dto';
import { toHubSession, toHubSessionWithToken } from './hub.mapper';

const NOW = new Date('2026-04-20T12:00:00.000Z');

describe('hub mapper', () => {
  it("writes a session's documented fields in the document's order, renamed and formatted where the hub does", () => {
    const mapped = toHubSession(sessionFixture(), NOW);
    expect(Object.keys(mapped)).toEqual(documentedKeys(HubSession));
    expect(JSON.stringify(mapped)).toBe(
      JSON.stringify({
        id: 7,
        uuid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
        pfid: '0'.repeat(32),
        user: { id: 42, uuid: '00000000-0000-4000-8000-000000000000', username: 'alice' },
        status: 'authenticated',
        live: true,
        sessionType: 'browser',
        accountId: 'a',
        domainId: 'd',
        poolId: 'p',
        identityId: 'i',
        deviceId: 'dev',
        title: 't',
        createdAt: '2026-04-20T08:47:25.123Z',
        firstSeen: { at: '2026-04-20T08:47:25.123Z', ip: '192.0.2.1', userAgent: 'curl/8.5.0' },
        lastSeen: { at: '2026-04-20T08:47:25.123Z', ip: '2001:db8::1', userAgent: 'curl/8.5.0' },
        expiresAt: '2026-04-21T00:00:00.000Z',
        absoluteExpiresAt: '2026-04-21T00:00:00.000Z',
        idleSeconds: null,
        endedAt: null,
        endedBy: null,
        device: sessionFixture().device,
        deviceClass: 'other',
        userAgent: sessionFixture().userAgent,
        geo: sessionFixture().geo,
        asn: null,
      }),
    );
  });

  it('shows nothing its document does not: the user facts come only as `user`, an undocumented field not at all', () => {
    const session = { ...sessionFixture(), tokenHash: 'f'.repeat(64) };
    const mapped = toHubSession(session, NOW) as unknown as Record<string, unknown>;
    for (const hidden of ['tokenHash', 'userId', 'userUuid', 'username', 'userIsOperator'])
      expect(mapped).not.toHaveProperty(hidden);
  });

  it('reads an expired live session as complete, and a new session adds its token last', () => {
    const expired = sessionFixture({ expiresAt: new Date('2026-04-20T11:59:59.999Z') });
    expect(toHubSession(expired, NOW)).toMatchObject({ status: 'complete', live: false });
    const created = toHubSessionWithToken({ session: sessionFixture(), token: 'shk_x' });
    expect(Object.keys(created)).toEqual(documentedKeys(HubSessionWithToken));
    expect(created.token).toBe('shk_x');
  });
});
