/**
 * Delivery survives a kill -9: SETs committed while the push receiver refuses them (503, so none is acknowledged)
 * are all delivered after the service is killed with SIGKILL and started again, each exactly once, in stream order,
 * and each accepted by the independent PyJWT verifier (test/ssf-receiver.py). On the embedded PGlite (DATA_DIR)
 * and, with TEST_DATABASE_URL, on PostgreSQL: the service runs as a child process so it can really be killed.
 */
import { makeSession, makeUser } from './support/factories';
import { Http } from './support/http';
import { killService, ServiceProcess } from './support/service-process';
import { allReceipts } from './support/ssf-app';
import { eventually } from './support/eventually';
import { EVENT, PUSH, registerReceiver } from './support/ssf-client';
import {
  acceptedPerJti,
  ADMIN_KEY,
  inDeliveryOrder,
  PGLITE_SETUP,
  postgresSetup,
  SsfProcessSetup,
  startSsfService,
} from './support/ssf-process';
import { PythonPushReceiver } from './support/ssf-receiver';

const SETUPS = [PGLITE_SETUP, postgresSetup()].filter((setup): setup is SsfProcessSetup => setup !== null);
const REVOKED_ONE_BY_ONE = 6;
const REVOKED_TOGETHER = 6;

describe.each(SETUPS)('Shared Signals push across a kill -9 ($label)', (setup) => {
  let cleanup: (() => Promise<void>) | undefined;
  let service: ServiceProcess | undefined;
  let receiver: PythonPushReceiver | undefined;

  afterAll(async () => {
    receiver?.stop();
    await killService(service);
    await cleanup?.();
  });

  it('should deliver every SET committed before the kill exactly once after the restart', async () => {
    const database = await setup.database();
    cleanup = database.cleanup;
    service = await startSsfService(database.env);
    const port = service.port;
    const admin = new Http(service.baseUrl, ADMIN_KEY);
    const owner = await registerReceiver(admin);
    receiver = await PythonPushReceiver.start(service.baseUrl, owner.audience);
    await receiver.answerByDefault({ status: 503 });
    const created = await owner.ssf.createStream({
      events_requested: [EVENT.revoked],
      delivery: { method: PUSH, endpoint_url: receiver.url },
    });
    expect(created.status).toBe(201);
    const streamId: string = created.body.stream_id;

    const user = await makeUser(admin);
    const sessions = [];
    for (let i = 0; i < REVOKED_ONE_BY_ONE + REVOKED_TOGETHER; i++) sessions.push(await makeSession(admin, user));
    // Six transactions of one SET each (authentik's revoke), then one transaction of six (the hub's revoke-all).
    for (const session of sessions.slice(0, REVOKED_ONE_BY_ONE))
      expect((await admin.delete(`/api/v3/core/authenticated_sessions/${session.uuid}/`)).status).toBe(204);
    const revokeAll = await admin.post(`/api/hub/v1/users/${user.id}/sessions/revoke`, {});
    expect([revokeAll.status, revokeAll.body]).toEqual([200, { revoked: REVOKED_TOGETHER }]);

    // Committed, and pushed at least once but refused: the service holds the stream's lease when it is killed.
    // The receiver has answered the first push before the service records that answer: wait for the record too.
    await receiver.waitFor(1);
    const committed = inDeliveryOrder(
      await eventually(
        () => allReceipts(admin, streamId),
        (all) => inDeliveryOrder(all)[0]?.lastStatus === 503,
      ),
    );
    expect(committed).toHaveLength(sessions.length);
    expect(committed.map((receipt) => receipt.state)).toEqual(sessions.map(() => 'pending'));
    expect(committed[0]).toMatchObject({ lastStatus: 503 });
    service.child.kill('SIGKILL');
    expect(await service.exited).toEqual({ code: null, signal: 'SIGKILL' });

    service = await startSsfService(database.env, port);
    await receiver.answerByDefault({ status: 202 });
    const receipts = await eventually(
      () => allReceipts(admin, streamId),
      (all) => all.every((receipt) => receipt.state === 'delivered'),
      60_000,
    );
    expect(receipts.map((receipt) => receipt.state)).toEqual(sessions.map(() => 'delivered'));

    const pushes = await receiver.received();
    const accepted = pushes.filter((push) => push.answered === 202);
    for (const push of accepted) expect(push.verified).toMatchObject({ ok: true });
    // A refused push that raced the kill is verified after the transmitter died: its JWKS fetch fails on the connection. That is
    // the only failure a refused push may show.
    for (const push of pushes.filter((push) => push.answered !== 202))
      if (!push.verified.ok)
        expect(push.verified.error).toMatch(/^(URLError|ConnectionResetError|RemoteDisconnected|IncompleteRead)\b/);
    // Exactly once each, in the stream's order, and about exactly the revoked sessions.
    expect([...acceptedPerJti(pushes).values()]).toEqual(committed.map(() => 1));
    expect(accepted.map((push) => push.verified.claims.jti)).toEqual(committed.map((receipt) => receipt.jti));
    expect(accepted.map((push) => push.verified.claims.sub_id.session.id).sort()).toEqual(
      sessions.map((session) => session.uuid).sort(),
    );
    expect(service.output()).not.toMatch(/"level":50/);
  }, 180_000);
});
