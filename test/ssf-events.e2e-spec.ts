/**
 * Shared Signals, end to end: what each path that starts or ends a session (in every face) and each change of a
 * user transmits, checked by an independent receiver (test/ssf-receiver.py, PyJWT) on a push stream and a poll
 * stream of two receivers.
 */
import { createHash } from 'node:crypto';
import { DATABASE } from '../src/config/tokens';
import { Database } from '../src/database/database';
import { makeSession, makeUser, TestUser, USER_AGENTS } from './support/factories';
import { Http } from './support/http';
import { drainPoll, errorsIn, SsfTestApp, startSsfApp } from './support/ssf-app';
import { eventually } from './support/eventually';
import { ALL_EVENTS, EVENT, PUSH, registerReceiver, TestReceiver } from './support/ssf-client';
import { eventOf, PythonPushReceiver, VerifiedSet, verifyInPython } from './support/ssf-receiver';
import { engines } from './support/test-app';

/** The user and session uuids a SET is about. */
function subjectsOf(set: VerifiedSet): string[] {
  const subject = set.claims.sub_id;
  return [subject.session?.id, subject.user?.sub, subject.sub, subject.id].filter(Boolean);
}

describe.each(engines())('Shared Signals events on %s', (engine) => {
  let app: SsfTestApp;
  let admin: Http;
  let pusher: TestReceiver;
  let poller: TestReceiver;
  let receiver: PythonPushReceiver;
  let pollStream: string;
  const polled: VerifiedSet[] = [];

  beforeAll(async () => {
    app = await startSsfApp(engine);
    admin = app.admin;
    pusher = await registerReceiver(admin, 'push receiver');
    poller = await registerReceiver(admin, 'poll receiver');
    receiver = await PythonPushReceiver.start(app.t.baseUrl, pusher.audience);
    const push = await pusher.ssf.createStream({
      events_requested: ALL_EVENTS,
      delivery: { method: PUSH, endpoint_url: receiver.url },
    });
    expect(push.status).toBe(201);
    const poll = await poller.ssf.createStream({ events_requested: ALL_EVENTS });
    expect(poll.status).toBe(201);
    pollStream = poll.body.stream_id;
  });
  afterAll(async () => {
    receiver?.stop();
    await app?.t.close();
  });

  /** The SETs each stream got about `uuid` once `pushed` of them arrived by push; every one verified by PyJWT. */
  async function setsAbout(uuid: string, pushed: number): Promise<{ push: VerifiedSet[]; poll: VerifiedSet[] }> {
    const about = (sets: VerifiedSet[]) => sets.filter((set) => subjectsOf(set).includes(uuid));
    const pushes = await eventually(
      () => receiver.received(),
      (all) => about(all.map((p) => p.verified)).length >= pushed,
    );
    const fresh = await drainPoll(poller.ssf, pollStream, admin);
    polled.push(...(await verifyInPython(app.t.baseUrl, poller.audience, fresh)));
    const push = about(pushes.map((p) => p.verified));
    for (const set of [...push, ...about(polled)]) expect(set).toMatchObject({ ok: true });
    return { push, poll: about(polled) };
  }

  const ofType = (sets: VerifiedSet[], type: string) => sets.filter((set) => eventOf(set).type === type);

  it('should serve its discovery document at both well-known paths, naming a JWKS with its RS256 key', async () => {
    const ssf = await admin.get('/.well-known/ssf-configuration');
    const risc = await admin.get('/.well-known/risc-configuration');
    expect(ssf.status).toBe(200);
    expect(risc.body).toEqual(ssf.body);
    expect(ssf.body).toMatchObject({
      spec_version: '1_0',
      issuer: app.t.baseUrl,
      delivery_methods_supported: ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'],
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    });
    const jwks = (await admin.get(new URL(ssf.body.jwks_uri).pathname)).body;
    expect(jwks.keys).toEqual([
      expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) }),
    ]);
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('should send one session-established per stream for a login, with a fingerprint of the user agent', async () => {
    const user = await makeUser(admin);
    const session = await makeSession(admin, user, { userAgent: USER_AGENTS.iphone });
    const { push, poll } = await setsAbout(session.uuid, 1);
    for (const sets of [push, poll]) {
      expect(sets.map((set) => eventOf(set).type)).toEqual([EVENT.established]);
      const [set] = sets;
      expect(set.claims.sub_id).toEqual({
        format: 'complex',
        session: { format: 'opaque', id: session.uuid },
        user: { format: 'iss_sub', iss: app.t.baseUrl, sub: user.uuid },
      });
      const fingerprint = createHash('sha256').update(USER_AGENTS.iphone).digest('base64url');
      expect(eventOf(set).fields).toEqual({ event_timestamp: expect.any(Number), fp_ua: fingerprint });
    }
    expect(push[0].claims.aud).toBe(pusher.audience);
    expect(poll[0].claims.aud).toBe(poller.audience);
  });

  const FACES: [string, (user: TestUser, session: any) => Promise<number>, string, string][] = [
    [
      'a logout through the hub by the user',
      async (user, session) =>
        (await new Http(app.t.baseUrl, user.key).post(`/api/hub/v1/sessions/${session.uuid}/end`)).status,
      'user',
      'Ended through the SessionHub hub API by the user: logged out',
    ],
    [
      'a revoke through authentik',
      async (_user, session) => (await admin.delete(`/api/v3/core/authenticated_sessions/${session.uuid}/`)).status,
      'admin',
      'Revoked through the authentik API by admin: session revoked',
    ],
    [
      'a revoke through Prefactor',
      async (_user, session) => (await admin.post(`/api/v1/session/${session.pfid}/revoke`, {})).status,
      'admin',
      'Revoked through the Prefactor API by admin: session revoked',
    ],
    [
      'a revoke through MOVENS',
      async (_user, session) =>
        (await admin.post('/api/admin/v1/authenticated-sessions/revoke', { Session: session.id })).status,
      'admin',
      'Revoked through the MOVENS API by admin: session revoked',
    ],
  ];

  it.each(FACES)('should send exactly one session-revoked per stream for %s', async (_, act, entity, reason) => {
    const user = await makeUser(admin);
    const session = await makeSession(admin, user);
    expect(await act(user, session)).toBeLessThan(300);
    const { push, poll } = await setsAbout(session.uuid, 2);
    for (const sets of [push, poll]) {
      expect(sets.map((set) => eventOf(set).type)).toEqual([EVENT.established, EVENT.revoked]);
      expect(eventOf(sets[1]).fields).toEqual({
        event_timestamp: expect.any(Number),
        initiating_entity: entity,
        reason_admin: { en: reason },
      });
    }
    expect(push[1].claims.jti).not.toBe(poll[1].claims.jti);
  });

  it('should send a revoke-all of one user as one SET per session, all sharing one txn', async () => {
    const user = await makeUser(admin);
    const sessions = [];
    for (let i = 0; i < 5; i++) sessions.push(await makeSession(admin, user));
    expect((await admin.post(`/api/hub/v1/users/${user.id}/sessions/revoke`, {})).body).toEqual({ revoked: 5 });
    const revoked = [];
    for (const session of sessions) {
      const { push, poll } = await setsAbout(session.uuid, 2);
      revoked.push(...ofType(push, EVENT.revoked), ...ofType(poll, EVENT.revoked));
      expect(ofType(push, EVENT.revoked)).toHaveLength(1);
      expect(ofType(poll, EVENT.revoked)).toHaveLength(1);
    }
    expect(new Set(revoked.map((set) => set.claims.txn)).size).toBe(1);
    expect(new Set(revoked.map((set) => set.claims.jti)).size).toBe(10);
    expect(eventOf(revoked[0]).fields.reason_admin.en).toBe(
      'Revoked through the SessionHub hub API by admin: all sessions of the user revoked',
    );
  });

  it('should send one credential-change per user before its sessions are revoked, in one txn', async () => {
    const user = await makeUser(admin);
    const sessions = [await makeSession(admin, user), await makeSession(admin, user), await makeSession(admin, user)];
    expect((await admin.post(`/api/hub/v1/users/${user.id}/credential-change`, {})).body).toEqual({ revoked: 3 });
    const { push, poll } = await setsAbout(user.uuid, 3 * 2 + 1);
    for (const sets of [push, poll]) {
      const changes = ofType(sets, EVENT.credentialChange);
      expect(changes).toHaveLength(1);
      expect(changes[0].claims.sub_id).toEqual({ format: 'iss_sub', iss: app.t.baseUrl, sub: user.uuid });
      expect(eventOf(changes[0]).fields).toMatchObject({
        credential_type: 'password',
        change_type: 'update',
        initiating_entity: 'admin',
      });
      const revoked = ofType(sets, EVENT.revoked);
      expect(revoked.map((set) => set.claims.sub_id.session.id).sort()).toEqual(sessions.map((s) => s.uuid).sort());
      expect(revoked.map((set) => eventOf(set).fields.initiating_entity)).toEqual(['policy', 'policy', 'policy']);
      expect(new Set([...revoked, ...changes].map((set) => set.claims.txn)).size).toBe(1);
    }
    // Pushed in transmission order: the credential change first.
    expect(ofType(push, EVENT.credentialChange)[0]).toBe(
      push.filter((set) => eventOf(set).type !== EVENT.established)[0],
    );
  });

  it('should send account-disabled, account-enabled and account-purged as the user changes, however it changes', async () => {
    const user = await makeUser(admin, { email: 'Disabled.User@example.com' });
    await app.t.sql(`UPDATE users SET is_active = false WHERE id = $1`, [user.id]);
    await app.t.sql(`UPDATE users SET name = 'no change of state' WHERE id = $1`, [user.id]);
    await app.t.sql(`UPDATE users SET is_active = true WHERE id = $1`, [user.id]);
    await app.t.sql(`DELETE FROM users WHERE id = $1`, [user.id]);
    const { push, poll } = await setsAbout(user.uuid, 3);
    for (const sets of [push, poll]) {
      expect(sets.map((set) => eventOf(set).type)).toEqual([EVENT.disabled, EVENT.enabled, EVENT.purged]);
      for (const set of sets)
        expect(set.claims.sub_id).toEqual({ format: 'iss_sub', iss: app.t.baseUrl, sub: user.uuid });
    }
  });

  it('should send nothing for a revoke that rolls back', async () => {
    const user = await makeUser(admin);
    const session = await makeSession(admin, user);
    const database = app.t.app.get<Database>(DATABASE);
    await expect(
      database.transaction(async (tx) => {
        await tx.rows(`UPDATE sessions SET status = 'revoked', ended_at = now() WHERE id = $1`, [session.id]);
        await tx.rows(
          `INSERT INTO session_events (session_id, user_id, kind, reason, face) VALUES ($1, $2, 'revoked', 'revoke', 'hub')`,
          [session.id, user.id],
        );
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    await admin.delete(`/api/v3/core/authenticated_sessions/${session.uuid}/`);
    const { push, poll } = await setsAbout(session.uuid, 2);
    expect(ofType(push, EVENT.revoked)).toHaveLength(1);
    expect(ofType(poll, EVENT.revoked)).toHaveLength(1);
    expect(eventOf(ofType(push, EVENT.revoked)[0]).fields.reason_admin.en).toContain('authentik');
  });

  it("should show a receiver only its own streams: another receiver's are not found", async () => {
    const other = await registerReceiver(admin, 'nosy receiver');
    const own = await other.ssf.createStream({ events_requested: [EVENT.revoked] });
    expect((await other.ssf.http.get('/ssf/stream')).body.map((s: any) => s.stream_id)).toEqual([own.body.stream_id]);
    for (const [method, path, body] of [
      ['GET', `/ssf/stream?stream_id=${pollStream}`, undefined],
      ['GET', `/ssf/status?stream_id=${pollStream}`, undefined],
      ['DELETE', `/ssf/stream?stream_id=${pollStream}`, undefined],
      ['PATCH', '/ssf/stream', { stream_id: pollStream, description: 'mine now' }],
      ['POST', '/ssf/status', { stream_id: pollStream, status: 'disabled' }],
      ['POST', '/ssf/verify', { stream_id: pollStream }],
      ['POST', '/ssf/subjects/add', { stream_id: pollStream, subject: { format: 'email', email: 'a@example.com' } }],
      ['POST', `/ssf/poll/${pollStream}`, { returnImmediately: true }],
    ] as const) {
      const res = await other.ssf.send(method, path, body);
      expect([method, path, res.status, res.body]).toEqual([
        method,
        path,
        404,
        { err: 'not_found', description: 'Stream not found.' },
      ]);
    }
    expect((await poller.ssf.http.get(`/ssf/status?stream_id=${pollStream}`)).body).toEqual({
      stream_id: pollStream,
      status: 'enabled',
    });
  });

  it('should have logged no error', () => {
    expect(errorsIn(app.logs)).toEqual([]);
  });
});
