import { DomainError, DomainErrorCode } from '../src/sessions/domain-error';
import { Caller } from '../src/sessions/session.model';
import { SessionsService } from '../src/sessions/sessions.service';
import { USER_AGENTS } from './support/factories';
import { engines, startTestApp, TestApp } from './support/test-app';

/** The SessionsDomain service on a real database, without HTTP in between. */
describe.each(engines())('SessionsService on %s', (engine) => {
  let t: TestApp;
  let service: SessionsService;
  let root: Caller;

  const callerFor = (user: { id: number; username: string }, extra: Partial<Caller> = {}): Caller => ({
    userId: user.id,
    username: user.username,
    isSuperuser: false,
    isOperator: false,
    sessionId: null,
    tokenKind: 'api_token',
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp(engine, { TOUCH_INTERVAL_SECONDS: '60', RETENTION_DAYS: '1' });
    service = t.app.get(SessionsService);
    root = await service.authenticate(t.adminKey);
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
    const user = await service.insertUser({ username: 'throttle' });
    const { session, token } = await service.createSession(root, {
      user: user.id,
      ip: '198.51.100.4',
      userAgent: USER_AGENTS.curl,
    });
    await t.sql(`UPDATE sessions SET last_seen_at = now() - interval '10 seconds' WHERE id = $1`, [session.id]);
    const before = (
      await t.sql<{ last_seen_at: Date }>(`SELECT last_seen_at FROM sessions WHERE id = $1`, [session.id])
    )[0].last_seen_at;
    await service.validate(token);
    const after = (
      await t.sql<{ last_seen_at: Date }>(`SELECT last_seen_at FROM sessions WHERE id = $1`, [session.id])
    )[0].last_seen_at;
    expect(new Date(after).getTime()).toBe(new Date(before).getTime());
    await t.sql(`UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE id = $1`, [session.id]);
    const touched = await service.validate(token);
    expect(Date.now() - touched.lastSeen.at.getTime()).toBeLessThan(5000);
  });

  it('should list with filters, search terms, ordering and exact counts, and only own sessions for others', async () => {
    const ann = await service.insertUser({ username: 'ann-domain' });
    const ben = await service.insertUser({ username: 'ben-domain' });
    for (const [user, ip, ua] of [
      [ann, '203.0.113.1', USER_AGENTS.macSafari],
      [ann, '203.0.113.2', USER_AGENTS.windowsChrome],
      [ben, '2001:db8::1', USER_AGENTS.linuxFirefox],
    ] as const) {
      await service.createSession(root, { user: user.id, ip, userAgent: ua });
    }
    const base = { liveOnly: true, order: [{ field: 'username' as const, descending: false }], offset: 0, limit: 10 };
    expect((await service.listSessions(root, { ...base, username: 'ann-domain' })).total).toBe(2);
    expect((await service.listSessions(root, { ...base, lastIp: '2001:db8::1' })).items.map((s) => s.username)).toEqual(
      ['ben-domain'],
    );
    expect(
      (await service.listSessions(root, { ...base, lastUserAgent: USER_AGENTS.windowsChrome, username: 'ann-domain' }))
        .total,
    ).toBe(1);
    expect((await service.listSessions(root, { ...base, searchTerms: ['ANN-DOM', 'MACINTOSH'] })).total).toBe(1);
    expect((await service.listSessions(root, { ...base, searchTerms: ['203.0.113'] })).total).toBe(2);
    expect((await service.listSessions(root, { ...base, searchTerms: ['%'] })).total).toBe(0);
    expect((await service.listSessions(root, { ...base, searchTerms: ['ann-domain\x1f203'] })).total).toBe(0);
    expect((await service.listSessions(root, { ...base, searchTerms: ["'; DROP TABLE sessions; --"] })).total).toBe(0);
    const byIpDesc = await service.listSessions(root, {
      ...base,
      username: 'ann-domain',
      order: [{ field: 'last_ip', descending: true }],
    });
    expect(byIpDesc.items.map((s) => s.lastSeen.ip)).toEqual(['203.0.113.2', '203.0.113.1']);
    const paged = await service.listSessions(root, { ...base, username: 'ann-domain', limit: 1, offset: 1 });
    expect(paged).toMatchObject({ total: 2, items: [expect.objectContaining({ username: 'ann-domain' })] });
    const asAnn = await service.listSessions(callerFor(ann), { ...base });
    expect(asAnn.items.every((s) => s.userId === ann.id)).toBe(true);
    expect((await service.listSessions(callerFor(ann), { ...base, userIds: [ben.id] })).total).toBe(0);
    await expectDomainError(service.listSessions(root, { ...base, lastIp: 'not-an-ip' }), DomainErrorCode.InvalidValue);
  });

  it("should keep users away from each other's sessions and let operators see all only where asked", async () => {
    const owner = await service.insertUser({ username: 'owner-domain' });
    const other = await service.insertUser({ username: 'other-domain', isOperator: true });
    const { session } = await service.createSession(root, { user: owner.id, ip: '192.0.2.10', userAgent: 'x' });
    await expectDomainError(
      service.getSession(callerFor(other, { isOperator: true }), { uuid: session.uuid }),
      DomainErrorCode.NotFound,
    );
    await expectDomainError(
      service.revokeSession(callerFor(other), { id: session.id }, 'hub'),
      DomainErrorCode.NotFound,
    );
    const seen = await service.getSession(
      callerFor(other, { isOperator: true }),
      { id: session.id },
      { operatorsSeeAll: true },
    );
    expect(seen.uuid).toBe(session.uuid);
    await expectDomainError(service.usersWithLiveSessions(callerFor(owner), 0, 10), DomainErrorCode.NotPermitted);
  });

  it('should revoke once, store the event, and call a second revoke an invalid action', async () => {
    const user = await service.insertUser({ username: 'revokee' });
    const { session, token } = await service.createSession(root, { user: user.id, ip: '192.0.2.11', userAgent: 'x' });
    const revoked = await service.revokeSession(root, { pfid: session.pfid }, 'prefactor');
    expect(revoked).toMatchObject({ status: 'revoked', endedBy: root.userId });
    await expectDomainError(
      service.revokeSession(root, { pfid: session.pfid }, 'prefactor'),
      DomainErrorCode.InvalidAction,
    );
    await expectDomainError(service.validate(token), DomainErrorCode.BadCredentials);
    await expectDomainError(service.authenticate(token), DomainErrorCode.BadCredentials);
    const events = await service.sessionEvents(root, { id: session.id });
    expect(events.map((e) => [e.kind, e.face, e.actorUserId])).toEqual([
      ['created', 'hub', null],
      ['revoked', 'prefactor', root.userId],
    ]);
  });

  it('should count live sessions per user for the admin list, leaving out expired and ended ones', async () => {
    const live = await service.insertUser({ username: 'aaa-live-domain' });
    const gone = await service.insertUser({ username: 'aaa-gone-domain' });
    await service.createSession(root, { user: live.id, ip: '192.0.2.12', userAgent: 'x' });
    await service.createSession(root, { user: live.id, ip: '192.0.2.13', userAgent: 'x' });
    const { session } = await service.createSession(root, { user: gone.id, ip: '192.0.2.14', userAgent: 'x' });
    await t.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [session.id]);
    const page = await service.usersWithLiveSessions(root, 0, 100);
    expect(page.items.find((r) => r.username === 'aaa-live-domain')).toMatchObject({
      count: 2,
      userUuid: live.uuid,
      isOperator: false,
    });
    expect(page.items.find((r) => r.username === 'aaa-gone-domain')).toBeUndefined();
    expect(page.items.map((r) => r.username)).toEqual([...page.items.map((r) => r.username)].sort());
  });

  it('should mark expired sessions complete with an event, and purge sessions ended past retention', async () => {
    const user = await service.insertUser({ username: 'housekeeping' });
    const { session: expiring } = await service.createSession(root, {
      user: user.id,
      ip: '192.0.2.15',
      userAgent: 'x',
    });
    const { session: old } = await service.createSession(root, { user: user.id, ip: '192.0.2.16', userAgent: 'x' });
    await t.sql(`UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expiring.id]);
    await service.revokeSession(root, { id: old.id }, 'hub');
    await t.sql(`UPDATE sessions SET ended_at = now() - interval '2 days' WHERE id = $1`, [old.id]);
    const result = await service.housekeeping();
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect(result.purged).toBeGreaterThanOrEqual(1);
    const after = await service.getSession(root, { id: expiring.id });
    expect(after.status).toBe('complete');
    expect((await service.sessionEvents(root, { id: expiring.id })).map((e) => e.kind)).toEqual(['created', 'expired']);
    await expectDomainError(service.getSession(root, { id: old.id }), DomainErrorCode.NotFound);
  });
});
