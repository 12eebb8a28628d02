/**
 * Poll delivery (RFC 8936), stream status, verification and signing keys: acknowledgements and redelivery, setErrs,
 * long polling, the bounded paused backlog, min_verification_interval, key rotation with overlap and keys encrypted
 * at rest. Every SET is verified by the independent Python receiver.
 */
import { Client } from 'pg';
import { makeSession, makeUser, TestUser } from './support/factories';
import { Http } from './support/http';
import { drainPoll, errorsIn, outboxSettled, SsfTestApp, startSsfApp } from './support/ssf-app';
import { eventually } from './support/eventually';
import { EVENT, registerReceiver, TestReceiver } from './support/ssf-client';
import { eventOf, verifyInPython } from './support/ssf-receiver';
import { engines } from './support/test-app';

const ENCRYPTION_KEY = 'tF79wwdpXDImDYZ2R7NkSFRff8y/fBIxG0KEX0XhvWY=';

describe.each(engines())('Shared Signals poll delivery, status, verification and keys on %s', (engine) => {
  let app: SsfTestApp;
  let admin: Http;
  let owner: TestReceiver;
  let streamId: string;
  let user: TestUser;

  beforeAll(async () => {
    app = await startSsfApp(engine, {
      SSF_POLL_REDELIVERY_SECONDS: '2',
      // A SET is handed out once every older transaction of this database has ended: the long poll and the key
      // overlap leave room for a few seconds of that.
      SSF_POLL_WAIT_SECONDS: '30',
      SSF_PAUSED_BACKLOG: '3',
      SSF_KEY_OVERLAP_SECONDS: '10',
      SSF_KEY_ENCRYPTION_KEY: ENCRYPTION_KEY,
      SSF_ISSUER: 'https://sessions.example.test',
    });
    admin = app.admin;
    owner = await registerReceiver(admin);
    streamId = (await owner.ssf.createStream({ events_requested: [EVENT.established] })).body.stream_id;
    user = await makeUser(admin);
  });
  afterAll(() => app?.t.close());

  const poll = (body: Record<string, unknown>) => owner.ssf.poll(streamId, body);
  const verify = (sets: string[]) => verifyInPython(app.t.baseUrl, owner.audience, sets);
  /** A session whose SET the next poll can hand out. */
  const deliverableSession = async () => {
    const session = await makeSession(admin, user);
    await outboxSettled(app.t);
    return session;
  };

  it('should name its own poll endpoint for a stream created without delivery, and use SSF_ISSUER', async () => {
    const config = (await owner.ssf.http.get(`/ssf/stream?stream_id=${streamId}`)).body;
    expect(config).toMatchObject({
      iss: 'https://sessions.example.test',
      aud: owner.audience,
      events_requested: [EVENT.established],
      events_delivered: [EVENT.established],
      delivery: { method: 'urn:ietf:rfc:8936', endpoint_url: `${app.t.baseUrl}/ssf/poll/${streamId}` },
      min_verification_interval: 30,
    });
    expect((await admin.get('/.well-known/ssf-configuration')).body.issuer).toBe('https://sessions.example.test');
  });

  it('should hand out unacknowledged SETs again after SSF_POLL_REDELIVERY_SECONDS, and never once acknowledged', async () => {
    const session = await deliverableSession();
    const first = await poll({ returnImmediately: true });
    const handedOut = Date.now();
    // Polled again at once, before the (slow) Python check, so the window stays far inside the 2 s even on a busy
    // machine.
    expect((await poll({ returnImmediately: true })).body.sets).toEqual({});
    const [jti] = Object.keys(first.body.sets);
    expect(first.body).toEqual({ sets: { [jti]: expect.any(String) }, moreAvailable: false });
    const [verified] = await verify(Object.values(first.body.sets));
    expect(verified).toMatchObject({ ok: true, claims: { jti, iss: 'https://sessions.example.test' } });
    expect(verified.claims.sub_id.session.id).toBe(session.uuid);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, handedOut + 2100 - Date.now())));
    const again = await poll({ returnImmediately: true });
    expect(Object.keys(again.body.sets)).toEqual([jti]);
    expect((await poll({ returnImmediately: true, ack: [jti], maxEvents: 0 })).body).toEqual({
      sets: {},
      moreAvailable: false,
    });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await poll({ returnImmediately: true })).body.sets).toEqual({});
    const receipts = (await admin.get(`/api/hub/v1/ssf/streams/${streamId}/deliveries`)).body.items;
    expect(receipts[0]).toMatchObject({ jti, state: 'delivered', attempts: 2, ackedAt: expect.any(String) });
  });

  it('should record the errors a receiver reports with setErrs and hand out at most maxEvents', async () => {
    for (let i = 0; i < 3; i++) await deliverableSession();
    const page = await poll({ returnImmediately: true, maxEvents: 2 });
    expect(Object.keys(page.body.sets)).toHaveLength(2);
    expect(page.body.moreAvailable).toBe(true);
    const [bad, good] = Object.keys(page.body.sets);
    await poll({
      returnImmediately: true,
      maxEvents: 0,
      ack: [good],
      setErrs: { [bad]: { err: 'invalid_key', description: 'unknown kid' } },
    });
    const receipts = (await admin.get(`/api/hub/v1/ssf/streams/${streamId}/deliveries`)).body.items;
    expect(receipts.find((r: any) => r.jti === bad)).toMatchObject({
      state: 'failed',
      lastError: 'invalid_key: unknown kid',
    });
    expect(receipts.find((r: any) => r.jti === good)).toMatchObject({ state: 'delivered' });
    expect(await drainPoll(owner.ssf, streamId, admin)).toHaveLength(1);
  });

  it('should hold a poll without returnImmediately until a SET arrives', async () => {
    const started = Date.now();
    const waiting = poll({});
    await new Promise((resolve) => setTimeout(resolve, 700));
    const session = await makeSession(admin, user);
    const res = await waiting;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(650);
    expect(elapsed).toBeLessThan(25_000);
    const [verified] = await verify(Object.values(res.body.sets));
    expect(verified.claims.sub_id.session.id).toBe(session.uuid);
    await poll({ returnImmediately: true, maxEvents: 0, ack: Object.keys(res.body.sets) });
  });

  it('should keep the newest SSF_PAUSED_BACKLOG SETs of a paused stream, count the dropped, and record none when disabled', async () => {
    expect((await owner.ssf.status(streamId, 'paused', 'maintenance')).body).toEqual({
      stream_id: streamId,
      status: 'paused',
      reason: 'maintenance',
    });
    const sessions = [];
    for (let i = 0; i < 5; i++) sessions.push(await makeSession(admin, user));
    expect((await poll({ returnImmediately: true })).body.sets).toEqual({});
    const listed = await eventually(
      async () => (await admin.get('/api/hub/v1/ssf/streams')).body.find((s: any) => s.streamId === streamId),
      (stream) => stream.dropped === 2,
    );
    expect(listed).toMatchObject({ status: 'paused', statusReason: 'maintenance', dropped: 2 });
    await owner.ssf.status(streamId, 'enabled');
    const held = await verify(await drainPoll(owner.ssf, streamId, admin));
    expect(held.map((set) => set.claims.sub_id.session.id)).toEqual(sessions.slice(2).map((s) => s.uuid));
    await owner.ssf.status(streamId, 'disabled');
    await makeSession(admin, user);
    expect(await app.t.sql(`SELECT 1 FROM ssf_outbox WHERE stream_id = $1 AND state = 'pending'`, [streamId])).toEqual(
      [],
    );
    await owner.ssf.status(streamId, 'enabled');
    expect(await drainPoll(owner.ssf, streamId, admin)).toEqual([]);
  });

  it('should send a verification SET echoing state, and answer 429 within min_verification_interval', async () => {
    expect((await owner.ssf.http.post('/ssf/verify', { stream_id: streamId, state: 'check-1' })).status).toBe(204);
    const again = await owner.ssf.http.post('/ssf/verify', { stream_id: streamId, state: 'check-2' });
    expect([again.status, again.body.err, Number(again.headers.get('retry-after'))]).toEqual([
      429,
      'too_many_requests',
      30,
    ]);
    const [set] = await verify(await drainPoll(owner.ssf, streamId, admin));
    expect(eventOf(set)).toEqual({ type: EVENT.verification, fields: { state: 'check-1' } });
    expect(set.claims.sub_id).toEqual({ format: 'opaque', id: streamId });
  });

  it('should keep the previous key verifiable during the overlap after a rotation, and not after', async () => {
    const stored = await app.t.sql<{ private_key: string; encrypted: boolean }>(
      `SELECT private_key, encrypted FROM ssf_signing_keys`,
    );
    expect(stored).toEqual([
      { private_key: expect.stringMatching(/^eyJ[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/), encrypted: true },
    ]);
    await makeSession(admin, user);
    const [before] = await drainPoll(owner.ssf, streamId, admin);
    const rotated = await admin.post('/api/hub/v1/ssf/keys/rotate');
    expect(rotated.body).toEqual({
      kid: expect.any(String),
      previousKid: expect.any(String),
      previousPublishedUntil: expect.any(String),
    });
    await makeSession(admin, user);
    const [after] = await drainPoll(owner.ssf, streamId, admin);
    const [oldSet, newSet] = await verify([before, after]);
    expect([oldSet.ok, newSet.ok]).toEqual([true, true]);
    expect(oldSet.header.kid).toBe(rotated.body.previousKid);
    expect(newSet.header.kid).toBe(rotated.body.kid);
    expect((await admin.get('/ssf/jwks')).body.keys).toHaveLength(2);
    const overlapLeft = Date.parse(rotated.body.previousPublishedUntil) - Date.now();
    await new Promise((resolve) => setTimeout(resolve, overlapLeft + 200));
    expect((await admin.get('/ssf/jwks')).body.keys.map((k: any) => k.kid)).toEqual([rotated.body.kid]);
    const [late] = await verify([before]);
    expect(late).toEqual({ ok: false, error: expect.stringContaining('is not in the JWKS') });
  });

  it('should send only added subjects once one is added, and never a removed one', async () => {
    const [ann, ben, cid] = [
      await makeUser(admin),
      await makeUser(admin, { email: 'Ben@Example.com' }),
      await makeUser(admin),
    ];
    const subjects = owner.ssf.http;
    const add = (subject: unknown) => subjects.post('/ssf/subjects/add', { stream_id: streamId, subject });
    expect((await add({ format: 'iss_sub', iss: 'https://sessions.example.test', sub: ann.uuid })).status).toBe(200);
    expect((await add({ format: 'email', email: 'ben@example.com' })).status).toBe(200);
    const removed = await subjects.post('/ssf/subjects/remove', {
      stream_id: streamId,
      subject: { format: 'opaque', id: ann.uuid },
    });
    expect(removed.status).toBe(204);
    for (const who of [ann, ben, cid]) await makeSession(admin, who);
    const sets = await verify(await drainPoll(owner.ssf, streamId, admin));
    expect(sets.map((set) => set.claims.sub_id.user.sub)).toEqual([ben.uuid]);
  });

  it('should have logged no error', () => {
    expect(errorsIn(app.logs)).toEqual([]);
  });
});

/**
 * A SET waits only for older transactions that could still write this database's outbox. Transaction ids are the
 * server's: a write held open in another database of the same server used to hold every SET back until it ended.
 * PostgreSQL only: PGlite has one connection.
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('Shared Signals delivery beside long transactions', () => {
  let app: SsfTestApp;
  let owner: TestReceiver;
  let streamId: string;
  let user: TestUser;
  const holders: Client[] = [];

  beforeAll(async () => {
    app = await startSsfApp('postgres');
    owner = await registerReceiver(app.admin);
    streamId = (await owner.ssf.createStream({ events_requested: [EVENT.established] })).body.stream_id;
    user = await makeUser(app.admin);
  });
  afterAll(async () => {
    await Promise.all(holders.map((client) => client.end()));
    await app?.t.close();
  });

  /** A transaction of its own on `url`, left open with a transaction id (as a long write has). */
  const openTransaction = async (url: string): Promise<Client> => {
    const client = new Client({ connectionString: url });
    await client.connect();
    holders.push(client);
    await client.query('BEGIN');
    await client.query('SELECT txid_current()');
    return client;
  };
  const poll = () => owner.ssf.poll(streamId, { returnImmediately: true });
  /** Every SET the stream hands out within 5 s, acknowledged, as the sessions they are about. */
  const drainedSessions = async () =>
    (await verifyInPython(app.t.baseUrl, owner.audience, await drainPoll(owner.ssf, streamId, app.admin, 5000))).map(
      (set) => set.claims.sub_id.session.id,
    );

  it('should hand a SET out while another database of the server holds an older transaction open', async () => {
    // TEST_DATABASE_URL names the server's shared test database, not this app's.
    const elsewhere = await openTransaction(process.env.TEST_DATABASE_URL!);
    try {
      const session = await makeSession(app.admin, user);
      expect(await drainedSessions()).toEqual([session.uuid]);
    } finally {
      await elsewhere.query('ROLLBACK');
    }
  });

  it('should hold a SET back while this database holds an older transaction open, and hand it out when it ends', async () => {
    const here = await openTransaction(app.t.config.DATABASE_URL!);
    const session = await makeSession(app.admin, user);
    for (let look = 0; look < 3; look++) {
      expect((await poll()).body.sets).toEqual({});
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await here.query('COMMIT');
    expect(await drainedSessions()).toEqual([session.uuid]);
  });

  it('should leave every SET acknowledged', async () => {
    expect(await app.t.sql(`SELECT state FROM ssf_outbox WHERE state <> 'delivered'`)).toEqual([]);
  });
});
