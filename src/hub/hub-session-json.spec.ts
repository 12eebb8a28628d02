import { sessionFixture } from '../../test/support/session-fixture';
import { hubSessionJson } from './hub-session-json';
import { toHubSession } from './hub.mapper';

const NOW = new Date('2026-04-20T12:00:00.000Z');

describe('hubSessionJson', () => {
  it('writes exactly what JSON.stringify writes of the mapped session, once per state of the object', () => {
    const session = sessionFixture();
    const first = hubSessionJson(session, NOW);
    expect(first.toString()).toBe(JSON.stringify(toHubSession(session, NOW)));
    // The same bytes, not written again.
    expect(hubSessionJson(session, new Date(NOW.getTime() + 1000))).toBe(first);
  });

  it('follows the activity write, which replaces lastSeen and expiresAt', () => {
    const session = sessionFixture();
    hubSessionJson(session, NOW);
    session.lastSeen = { ...session.lastSeen, at: new Date('2026-04-20T11:59:00.000Z') };
    session.expiresAt = new Date('2026-04-22T00:00:00.000Z');
    const after = hubSessionJson(session, NOW).toString();
    expect(after).toBe(JSON.stringify(toHubSession(session, NOW)));
    expect(JSON.parse(after)).toMatchObject({
      lastSeen: { at: '2026-04-20T11:59:00.000Z' },
      expiresAt: '2026-04-22T00:00:00.000Z',
    });
  });

  it('follows the clock past the expiry: no longer live, status complete', () => {
    const session = sessionFixture();
    expect(JSON.parse(hubSessionJson(session, NOW).toString())).toMatchObject({ live: true, status: 'authenticated' });
    const later = new Date(session.expiresAt.getTime() + 1);
    expect(JSON.parse(hubSessionJson(session, later).toString())).toMatchObject({ live: false, status: 'complete' });
    expect(hubSessionJson(session, later).toString()).toBe(JSON.stringify(toHubSession(session, later)));
  });

  it('keeps each session object apart', () => {
    const alice = sessionFixture();
    const bob = { ...sessionFixture(), id: 8, username: 'bob' };
    expect(JSON.parse(hubSessionJson(alice, NOW).toString()).id).toBe(7);
    expect(JSON.parse(hubSessionJson(bob, NOW).toString()).id).toBe(8);
    expect(JSON.parse(hubSessionJson(alice, NOW).toString()).id).toBe(7);
  });
});
