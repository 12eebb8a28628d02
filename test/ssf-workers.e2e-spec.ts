/**
 * Two workers deliver without duplicates: the service with WORKERS=2 on PostgreSQL, logins and revokes spread over
 * both workers (every request on a fresh connection, which the cluster hands to the workers in turn), a push stream
 * to the independent Python receiver and a poll stream. Both workers run a deliverer; the stream lease lets one push
 * at a time. Counted at the receivers: each expected SET exactly once, in the stream's (txn, id) order.
 */
import { USER_AGENTS } from './support/factories';
import { Http } from './support/http';
import { killService, rawRequest, runCommand, ServiceProcess } from './support/service-process';
import { allReceipts, drainPoll } from './support/ssf-app';
import { eventually } from './support/eventually';
import { EVENT, PUSH, registerReceiver } from './support/ssf-client';
import { acceptedPerJti, ADMIN_KEY, inDeliveryOrder, postgresSetup, startSsfService } from './support/ssf-process';
import { PythonPushReceiver, VerifiedSet, verifyInPython } from './support/ssf-receiver';

const SETUP = postgresSetup({ WORKERS: '2' });
const USERS = 4;
const LOGINS_PER_USER = 10;
/** Requests in flight at once: enough for transactions of both workers to overlap. */
const PARALLEL = 8;

/** Runs `tasks` with at most PARALLEL at a time. */
async function inParallel<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += PARALLEL)
    results.push(...(await Promise.all(tasks.slice(i, i + PARALLEL).map((task) => task()))));
  return results;
}

/** What a SET says happened, to compare with what the test did. */
const eventKey = (set: VerifiedSet) => {
  const [type] = Object.keys(set.claims.events);
  return `${type} ${set.claims.sub_id.session?.id}`;
};

(SETUP ? describe : describe.skip)('Shared Signals delivery by two workers (PostgreSQL, WORKERS=2)', () => {
  let cleanup: (() => Promise<void>) | undefined;
  let service: ServiceProcess | undefined;
  let receiver: PythonPushReceiver | undefined;

  afterAll(async () => {
    receiver?.stop();
    await killService(service);
    await cleanup?.();
  });

  it('should deliver each SET exactly once and in order, by push and by poll', async () => {
    const database = await SETUP!.database();
    cleanup = database.cleanup;
    service = await startSsfService(database.env);
    const workers = (await runCommand('pgrep', ['-P', String(service.pid)])).stdout.split(/\s+/).filter(Boolean);
    expect(workers).toHaveLength(2);
    const baseUrl = service.baseUrl;
    const admin = new Http(baseUrl, ADMIN_KEY);
    const pusher = await registerReceiver(admin, 'push receiver');
    const poller = await registerReceiver(admin, 'poll receiver');
    receiver = await PythonPushReceiver.start(baseUrl, pusher.audience);
    const events_requested = [EVENT.established, EVENT.revoked];
    const push = await pusher.ssf.createStream({
      events_requested,
      delivery: { method: PUSH, endpoint_url: receiver.url },
    });
    const poll = await poller.ssf.createStream({ events_requested });
    expect([push.status, poll.status]).toEqual([201, 201]);

    // Each request on a fresh connection (rawRequest without an agent), so they alternate between the workers.
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await rawRequest(baseUrl, { method, path, body, key: ADMIN_KEY });
      if (res.status === undefined || res.status >= 300) throw new Error(`${method} ${path}: ${res.error ?? res.text}`);
      return res.body;
    };
    const users = await inParallel(
      Array.from({ length: USERS }, (_, i) => () => call('POST', '/api/hub/v1/users', { username: `worker-${i}` })),
    );
    const logins: { user: number; uuid: string }[] = await inParallel(
      users.flatMap((user) =>
        Array.from({ length: LOGINS_PER_USER }, () => async () => {
          const session = await call('POST', '/api/hub/v1/sessions', {
            user: user.id,
            ip: '203.0.113.7',
            userAgent: USER_AGENTS.macSafari,
          });
          return { user: user.id as number, uuid: session.uuid as string };
        }),
      ),
    );
    // Every other session revoked on its own (authentik's face), then the first user's others in one revoke-all.
    const oneByOne = logins.filter((_, i) => i % 2 === 0);
    await inParallel(oneByOne.map((s) => () => call('DELETE', `/api/v3/core/authenticated_sessions/${s.uuid}/`)));
    const { revoked } = await call('POST', `/api/hub/v1/users/${users[0].id}/sessions/revoke`, {});
    const together = logins.filter((s, i) => i % 2 === 1 && s.user === users[0].id);
    expect(revoked).toBe(together.length);
    const expected = [
      ...logins.map((s) => `${EVENT.established} ${s.uuid}`),
      ...[...oneByOne, ...together].map((s) => `${EVENT.revoked} ${s.uuid}`),
    ].sort();

    // Push: wait until every SET is delivered, then count what the receiver accepted.
    const pushReceipts = await eventually(
      () => allReceipts(admin, push.body.stream_id),
      (all) => all.length === expected.length && all.every((receipt) => receipt.state === 'delivered'),
      60_000,
    );
    expect(pushReceipts.map((receipt) => receipt.state)).toEqual(expected.map(() => 'delivered'));
    const pushes = await receiver.received();
    for (const pushed of pushes) expect(pushed.verified).toMatchObject({ ok: true, claims: expect.anything() });
    expect(pushes.map((pushed) => pushed.answered)).toEqual(expected.map(() => 202));
    expect([...acceptedPerJti(pushes).values()]).toEqual(expected.map(() => 1));
    expect(pushes.map((pushed) => pushed.verified.claims.jti)).toEqual(
      inDeliveryOrder(pushReceipts).map((receipt) => receipt.jti),
    );
    expect(pushes.map((pushed) => eventKey(pushed.verified)).sort()).toEqual(expected);

    // Poll: everything recorded is handed out once, acknowledged, in the same order.
    const pollReceipts = inDeliveryOrder(await allReceipts(admin, poll.body.stream_id));
    expect(pollReceipts).toHaveLength(expected.length);
    const polled = await verifyInPython(
      baseUrl,
      poller.audience,
      await drainPoll(poller.ssf, poll.body.stream_id, admin),
    );
    for (const set of polled) expect(set).toMatchObject({ ok: true, claims: expect.anything() });
    expect(polled.map((set) => set.claims.jti)).toEqual(pollReceipts.map((receipt) => receipt.jti));
    expect(polled.map(eventKey).sort()).toEqual(expected);
    const acknowledged = await allReceipts(admin, poll.body.stream_id);
    expect(acknowledged.map((receipt) => receipt.state)).toEqual(expected.map(() => 'delivered'));
    expect(service.output()).not.toMatch(/"level":50/);
  }, 180_000);
});
