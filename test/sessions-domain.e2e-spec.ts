import { DomainError, DomainErrorCode } from '../src/sessions/domain-error';
import { Caller } from '../src/sessions/session.model';
import { SessionFilters, SessionQuery } from '../src/sessions/session-query';
import { callerFor, domainOf } from './support/domain';
import { ALL_SESSION_FIELDS } from '../src/sessions/persistence/tables/sessions.table';
import { USER_AGENTS } from './support/factories';
import { engines, startTestApp, TestApp } from './support/test-app';

/** The domain's services on a real database, without HTTP in between. */
describe.each(engines())('the sessions domain on %s', (engine) => {
  let t: TestApp;
  let domain: ReturnType<typeof domainOf>;
  let root: Caller;

  beforeAll(async () => {
    // These cases move rows behind the service's back (SQL), which validate's copy of a live session would not see
    // for up to its bound: they run without it. test/validate-cache.e2e-spec.ts tests the copy.
    t = await startTestApp(engine, { TOUCH_INTERVAL_SECONDS: '60', RETENTION_DAYS: '1', VALIDATE_CACHE_SECONDS: '0' });
    domain = domainOf(t.app);
    root = await domain.credentials.authenticate(t.adminKey);
  });
  afterAll(() => t?.close());

  const expectDomainError = async (work: Promise<unknown>, code: DomainErrorCode) => {
    await expect(work).rejects.toBeInstanceOf(DomainError);
    await work.catch((error: DomainError) => expect(error.code).toBe(code));
  };

  it('should authenticate the bootstrap token as the superuser admin', () => {
    expect(root).toMatchObject({
      username: 'admin',
      isSuperuser: true,
      isOperator: true,
      tokenKind: 'api_token',
      sessionId: null,
    });
  });

  it('should throttle the last-seen write on validate', async () => {
    const user = await domain.accounts.insertUser({ username: 'throttle' });
    const { session, token } = await domain.sessions.createSession(root, {
      user: user.id,
      ip: '198.51.100.4',
      userAgent: USER_AGENTS.curl,
    });
    await t.sql(`UPDATE sessions SET last_seen_at = now() - interval '10 seconds' WHERE id = $1`, [session.id]);
    const before = (
      await t.sql<{ last_seen_at: Date }>(`SELECT last_seen_at FROM sessions WHERE id = $1`, [session.id])
    )[0].last_seen_at;
    await domain.credentials.validate(token);
    const after = (
      await t.sql<{ last_seen_at: Date }>(`SELECT last_seen_at FROM sessions WHERE id = $1`, [session.id])
    )[0].last_seen_at;
    expect(new Date(after).getTime()).toBe(new Date(before).getTime());
    await t.sql(`UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE id = $1`, [session.id]);
    const touched = await domain.credentials.validate(token);
    expect(Date.now() - touched.lastSeen.at.getTime()).toBeLessThan(5000);
  });

  it('should list with filters, search terms, ordering and exact counts, and only own sessions for others', async () => {
    const ann = await domain.accounts.insertUser({ username: 'ann-domain' });
    const ben = await domain.accounts.insertUser({ username: 'ben-domain' });
    for (const [user, ip, ua] of [
      [ann, '203.0.113.1', USER_AGENTS.macSafari],
      [ann, '203.0.113.2', USER_AGENTS.windowsChrome],
      [ben, '2001:db8::1', USER_AGENTS.linuxFirefox],
    ] as const) {
      await domain.sessions.createSession(root, { user: user.id, ip, userAgent: ua });
    }
    // The flat form these cases were written in, as the domain's scope and filters.
    type Flat = Omit<SessionQuery, 'scope' | 'filters'> & SessionFilters & { liveOnly: boolean; userIds?: number[] };
    const base: Flat = { liveOnly: true, order: [{ field: 'username', descending: false }], offset: 0, limit: 10 };
    const list = (caller: Caller, { liveOnly, userIds, order, offset, limit, ...filters }: Flat) =>
      domain.sessions.listSessions(
        caller,
        { scope: { liveOnly, userIds }, filters, order, offset, limit },
        'hub',
        ALL_SESSION_FIELDS,
      );
    expect((await list(root, { ...base, username: 'ann-domain' })).total).toBe(2);
    expect((await list(root, { ...base, lastIp: '2001:db8::1' })).items.map((s) => s.username)).toEqual(['ben-domain']);
    expect(
      (await list(root, { ...base, lastUserAgent: USER_AGENTS.windowsChrome, username: 'ann-domain' })).total,
    ).toBe(1);
    expect((await list(root, { ...base, searchTerms: ['ANN-DOM', 'MACINTOSH'] })).total).toBe(1);
    expect((await list(root, { ...base, searchTerms: ['203.0.113'] })).total).toBe(2);
    expect((await list(root, { ...base, searchTerms: ['%'] })).total).toBe(0);
    expect((await list(root, { ...base, searchTerms: ['ann-domain\x1f203'] })).total).toBe(0);
    expect((await list(root, { ...base, searchTerms: ["'; DROP TABLE sessions; --"] })).total).toBe(0);
    const byIpDesc = await list(root, {
      ...base,
      username: 'ann-domain',
      order: [{ field: 'last_ip', descending: true }],
    });
    expect(byIpDesc.items.map((s) => s.lastSeen.ip)).toEqual(['203.0.113.2', '203.0.113.1']);
    const paged = await list(root, { ...base, username: 'ann-domain', limit: 1, offset: 1 });
    expect(paged).toMatchObject({ total: 2, items: [expect.objectContaining({ username: 'ann-domain' })] });
    const asAnn = await list(callerFor(ann), { ...base });
    expect(asAnn.items.every((s) => s.userId === ann.id)).toBe(true);
    expect((await list(callerFor(ann), { ...base, userIds: [ben.id] })).total).toBe(0);
    await expectDomainError(list(root, { ...base, lastIp: 'not-an-ip' }), DomainErrorCode.InvalidValue);
  });

  it("should keep users away from each other's sessions and let operators see all only where asked", async () => {
    const owner = await domain.accounts.insertUser({ username: 'owner-domain' });
    const other = await domain.accounts.insertUser({ username: 'other-domain', isOperator: true });
    const { session } = await domain.sessions.createSession(root, { user: owner.id, ip: '192.0.2.10', userAgent: 'x' });
    await expectDomainError(
      domain.sessions.getSession(callerFor(other, { isOperator: true }), { uuid: session.uuid }, 'hub'),
      DomainErrorCode.NotVisible,
    );
    await expectDomainError(
      domain.sessions.revokeSession(callerFor(other), { id: session.id }, 'hub'),
      DomainErrorCode.NotVisible,
    );
    // Operators see everyone's sessions on the admin console (the MOVENS face).
    const seen = await domain.sessions.getSession(callerFor(other, { isOperator: true }), { id: session.id }, 'movens');
    expect(seen.uuid).toBe(session.uuid);
    await expectDomainError(
      domain.sessions.usersWithLiveSessions(callerFor(owner), 0, 10),
      DomainErrorCode.NotPermitted,
    );
  });

  it('should read only the fields asked for, by any reference, with the same visibility as a whole session', async () => {
    const owner = await domain.accounts.insertUser({ username: 'fields-owner' });
    const other = await domain.accounts.insertUser({ username: 'fields-other' });
    const { session } = await domain.sessions.createSession(root, { user: owner.id, ip: '192.0.2.11', userAgent: 'x' });
    const whole = await domain.sessions.getSession(root, { id: session.id }, 'hub');
    // A user field among them (its row comes from users) and session fields alone (no users join).
    for (const fields of [
      ['pfid', 'status', 'userId'],
      ['userUuid', 'title', 'userId'],
    ] as const) {
      for (const ref of [{ id: session.id }, { uuid: session.uuid }, { pfid: session.pfid }]) {
        const read = await domain.sessions.getSessionFields(callerFor(owner), ref, 'prefactor', fields);
        expect(read).toEqual(Object.fromEntries(fields.map((field) => [field, whole[field]])));
      }
    }
    await expectDomainError(
      domain.sessions.getSessionFields(callerFor(other), { pfid: session.pfid }, 'prefactor', ['userId']),
      DomainErrorCode.NotVisible,
    );
    for (const ref of [
      { id: 0 },
      { id: 2 ** 60 },
      { uuid: '00000000-0000-4000-8000-000000000000' },
      { pfid: 'x'.repeat(32) },
    ])
      await expectDomainError(
        domain.sessions.getSessionFields(root, ref, 'prefactor', ['userId']),
        DomainErrorCode.NotFound,
      );
  });

  it('should revoke once, store the event, and call a second revoke an invalid action', async () => {
    const user = await domain.accounts.insertUser({ username: 'revokee' });
    const { session, token } = await domain.sessions.createSession(root, {
      user: user.id,
      ip: '192.0.2.11',
      userAgent: 'x',
    });
    const revoked = await domain.sessions.revokeSession(root, { pfid: session.pfid }, 'prefactor');
    expect(revoked).toMatchObject({ status: 'revoked', endedBy: root.userId });
    await expectDomainError(
      domain.sessions.revokeSession(root, { pfid: session.pfid }, 'prefactor'),
      DomainErrorCode.InvalidAction,
    );
    await expectDomainError(domain.credentials.validate(token), DomainErrorCode.BadCredentials);
    await expectDomainError(domain.credentials.authenticate(token), DomainErrorCode.BadCredentials);
    const events = await domain.sessions.sessionEvents(root, { id: session.id }, 'hub');
    expect(events.map((e) => [e.kind, e.face, e.actorUserId])).toEqual([
      ['created', 'hub', null],
      ['revoked', 'prefactor', root.userId],
    ]);
  });

  it('should count live sessions per user for the admin list, leaving out expired and ended ones', async () => {
    const live = await domain.accounts.insertUser({ username: 'aaa-live-domain' });
    const gone = await domain.accounts.insertUser({ username: 'aaa-gone-domain' });
    await domain.sessions.createSession(root, { user: live.id, ip: '192.0.2.12', userAgent: 'x' });
    await domain.sessions.createSession(root, { user: live.id, ip: '192.0.2.13', userAgent: 'x' });
    const { session } = await domain.sessions.createSession(root, { user: gone.id, ip: '192.0.2.14', userAgent: 'x' });
    await t.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [session.id]);
    const page = await domain.sessions.usersWithLiveSessions(root, 0, 100);
    expect(page.items.find((r) => r.username === 'aaa-live-domain')).toMatchObject({
      count: 2,
      userUuid: live.uuid,
      isOperator: false,
    });
    expect(page.items.find((r) => r.username === 'aaa-gone-domain')).toBeUndefined();
    expect(page.items.map((r) => r.username)).toEqual([...page.items.map((r) => r.username)].sort());
  });

  it('should mark expired sessions complete with an event, and purge sessions ended past retention', async () => {
    const user = await domain.accounts.insertUser({ username: 'housekeeping' });
    const { session: expiring } = await domain.sessions.createSession(root, {
      user: user.id,
      ip: '192.0.2.15',
      userAgent: 'x',
    });
    const { session: old } = await domain.sessions.createSession(root, {
      user: user.id,
      ip: '192.0.2.16',
      userAgent: 'x',
    });
    await t.sql(`UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expiring.id]);
    await domain.sessions.revokeSession(root, { id: old.id }, 'hub');
    await t.sql(`UPDATE sessions SET ended_at = now() - interval '2 days' WHERE id = $1`, [old.id]);
    const result = await domain.housekeeping.run();
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect(result.purged).toBeGreaterThanOrEqual(1);
    const after = await domain.sessions.getSession(root, { id: expiring.id }, 'hub');
    expect(after.status).toBe('complete');
    expect((await domain.sessions.sessionEvents(root, { id: expiring.id }, 'hub')).map((e) => e.kind)).toEqual([
      'created',
      'expired',
    ]);
    await expectDomainError(domain.sessions.getSession(root, { id: old.id }, 'hub'), DomainErrorCode.NotFound);
  });
});
