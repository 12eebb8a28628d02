/**
 * Push delivery (RFC 8935) against the independent Python receiver: retries with backoff, Retry-After, no retry on a
 * receiver's 400, per-stream order, giving up (the stream paused, a stream-updated SET on resume), receipts.
 */
import { makeSession, makeUser, TestUser } from './support/factories';
import { Http } from './support/http';
import { errorsIn, SsfTestApp, startSsfApp } from './support/ssf-app';
import { eventually } from './support/eventually';
import { EVENT, PUSH, registerReceiver, TestReceiver } from './support/ssf-client';
import { eventOf, Push, PythonPushReceiver } from './support/ssf-receiver';
import { engines } from './support/test-app';

describe.each(engines())('Shared Signals push delivery on %s', (engine) => {
  let app: SsfTestApp;
  let admin: Http;
  let owner: TestReceiver;
  let receiver: PythonPushReceiver;
  let streamId: string;
  let user: TestUser;
  let seen = 0;

  beforeAll(async () => {
    app = await startSsfApp(engine, { SSF_PUSH_MAX_ATTEMPTS: '4' });
    admin = app.admin;
    owner = await registerReceiver(admin);
    receiver = await PythonPushReceiver.start(app.t.baseUrl, owner.audience);
    const created = await owner.ssf.createStream({
      events_requested: [EVENT.established],
      delivery: { method: PUSH, endpoint_url: receiver.url, authorization_header: 'Bearer receiver-secret' },
    });
    expect(created.body.delivery).toEqual({ method: PUSH, endpoint_url: receiver.url });
    streamId = created.body.stream_id;
    user = await makeUser(admin);
  });
  afterAll(async () => {
    receiver?.stop();
    await app?.t.close();
  });

  /** The pushes that arrive after the previous call, once there are `count` of them. */
  async function nextPushes(count: number, timeoutMs = 20_000): Promise<Push[]> {
    const all = await receiver.waitFor(seen + count, timeoutMs);
    const fresh = all.slice(seen);
    seen = all.length;
    for (const push of fresh) expect(push.verified).toMatchObject({ ok: true });
    return fresh;
  }
  const jtiOf = (push: Push) => push.verified.claims.jti;
  const receipts = async () => (await admin.get(`/api/hub/v1/ssf/streams/${streamId}/deliveries?limit=200`)).body.items;
  /**
   * The receipts by jti once none of `jtis` is pending: the receiver has answered before the service records its
   * answer, so a receipt read right after a push can still say pending.
   */
  async function settledReceipts(...jtis: string[]): Promise<Map<string, any>> {
    const settled = (items: any[]) => jtis.every((jti) => items.some((r) => r.jti === jti && r.state !== 'pending'));
    return new Map((await eventually(receipts, settled)).map((r: any) => [r.jti, r]));
  }

  it('should push application/secevent+jwt with the stream authorization header and record the receipt', async () => {
    const session = await makeSession(admin, user);
    const [push] = await nextPushes(1);
    expect(push).toMatchObject({ contentType: 'application/secevent+jwt', authorization: 'Bearer receiver-secret' });
    expect(push.verified.claims.sub_id.session.id).toBe(session.uuid);
    const receipt = (await settledReceipts(jtiOf(push))).get(jtiOf(push));
    expect(receipt).toMatchObject({
      jti: jtiOf(push),
      state: 'delivered',
      attempts: 1,
      lastStatus: 202,
      lastError: null,
    });
    expect(receipt.deliveredAt).toEqual(expect.any(String));
  });

  it('should retry with growing waits and keep the stream in order: no SET before the one failing ahead of it', async () => {
    await receiver.script([{ status: 500 }, { status: 503 }]);
    for (let i = 0; i < 3; i++) await makeSession(admin, user);
    const pushes = await nextPushes(5);
    const jtis = pushes.map(jtiOf);
    expect(pushes.map((p) => p.answered)).toEqual([500, 503, 202, 202, 202]);
    expect(new Set(jtis.slice(0, 3)).size).toBe(1);
    expect(new Set(jtis).size).toBe(3);
    // Backoff from SSF_PUSH_RETRY_BASE_MS=100: 100 ms, then 200 ms.
    expect(pushes[1].at - pushes[0].at).toBeGreaterThanOrEqual(0.09);
    expect(pushes[2].at - pushes[1].at).toBeGreaterThanOrEqual(0.19);
    const byJti = await settledReceipts(jtis[0], jtis[3], jtis[4]);
    expect(byJti.get(jtis[0])).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 202 });
    // Delivered in the order they were recorded.
    const ids = [jtis[0], jtis[3], jtis[4]].map((jti) => byJti.get(jti).id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('should wait as long as Retry-After says', async () => {
    await receiver.script([{ status: 429, headers: { 'Retry-After': '2' } }]);
    await makeSession(admin, user);
    const [first, second] = await nextPushes(2);
    expect(jtiOf(second)).toBe(jtiOf(first));
    expect(second.at - first.at).toBeGreaterThanOrEqual(1.9);
  });

  it('should not retry a SET the receiver refused with 400, record its err, and go on with the next', async () => {
    await receiver.script([{ status: 400, body: { err: 'invalid_audience', description: 'not for us' } }]);
    await makeSession(admin, user);
    await makeSession(admin, user);
    const [refused, next] = await nextPushes(2);
    expect(jtiOf(next)).not.toBe(jtiOf(refused));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await receiver.received()).toHaveLength(seen);
    const refusedReceipt = (await settledReceipts(jtiOf(refused))).get(jtiOf(refused));
    expect(refusedReceipt).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastStatus: 400,
      lastError: 'invalid_audience: not for us',
    });
  });

  it('should give a SET up after SSF_PUSH_MAX_ATTEMPTS, pause the stream, and say so first once resumed', async () => {
    await receiver.script([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 502 }]);
    await makeSession(admin, user);
    const failing = await nextPushes(4);
    const status = await eventually(
      () => owner.ssf.http.get(`/ssf/status?stream_id=${streamId}`),
      (res) => res.body.status === 'paused',
    );
    expect(status.body.reason).toMatch(/could not be pushed in 4 attempts \(last: HTTP 502\)/);
    const failedReceipt = (await settledReceipts(jtiOf(failing[0]))).get(jtiOf(failing[0]));
    expect(failedReceipt).toMatchObject({ state: 'failed', attempts: 4, lastStatus: 502 });
    const later = await makeSession(admin, user);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await receiver.received()).toHaveLength(seen);
    expect((await owner.ssf.status(streamId, 'enabled')).body).toEqual({ stream_id: streamId, status: 'enabled' });
    // The stream-updated SET was recorded when the stream was paused, before the login that waited.
    const [updated, held] = await nextPushes(2);
    expect(held.verified.claims.sub_id.session.id).toBe(later.uuid);
    expect(eventOf(updated.verified)).toEqual({
      type: EVENT.streamUpdated,
      fields: { status: 'paused', reason: status.body.reason },
    });
    expect(updated.verified.claims.sub_id).toEqual({ format: 'opaque', id: streamId });
  });

  it('should push nothing for events the stream did not request', async () => {
    const other = await makeUser(admin);
    await app.t.sql(`UPDATE users SET is_active = false WHERE id = $1`, [other.id]);
    await makeSession(admin, user);
    const [push] = await nextPushes(1);
    expect(eventOf(push.verified).type).toBe(EVENT.established);
    const stored = await app.t.sql(
      `SELECT event_type FROM ssf_outbox WHERE stream_id = $1 AND event_type <> $2 AND event_type <> $3`,
      [streamId, EVENT.established, EVENT.streamUpdated],
    );
    expect(stored).toEqual([]);
  });

  it('should have logged no error', () => {
    expect(errorsIn(app.logs)).toEqual([]);
  });
});
