import { DELIVERY_HORIZON_SQL } from '../../src/ssf/delivery/delivery-horizon.sql';
import { Http, HttpResult } from './http';
import { SsfClient } from './ssf-client';
import { Engine, startTestApp, TestApp } from './test-app';

export interface SsfTestApp {
  t: TestApp;
  admin: Http;
  /** Every log line at warn or above: a suite can assert nothing went wrong inside (no 500, no failed delivery loop). */
  logs: string[];
}

/** The service on a fresh database, with push retries fast enough for tests. */
export async function startSsfApp(engine: Engine, env: Record<string, string> = {}): Promise<SsfTestApp> {
  const logs: string[] = [];
  const t = await startTestApp(engine, { LOG_LEVEL: 'warn', SSF_PUSH_RETRY_BASE_MS: '100', ...env }, logs);
  return { t, admin: new Http(t.baseUrl, t.adminKey), logs };
}

/** Log lines at error level (pino's 50 and up). */
export const errorsIn = (logs: string[]) => logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);

/**
 * Waits until every pending SET is deliverable: a SET waits for every older transaction that could write its outbox
 * (the service's own), so a test that polls once right after a write waits for this first.
 */
export async function outboxSettled(t: TestApp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const heldBack = `SELECT count(*)::int AS held FROM ssf_outbox WHERE state = 'pending' AND txn >= ${DELIVERY_HORIZON_SQL}`;
  for (;;) {
    const [{ held }] = await t.sql<{ held: number }>(heldBack);
    if (held === 0) return;
    if (Date.now() > deadline) throw new Error(`${held} SETs are still held back by older transactions`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Every SET a poll stream has, acknowledging each; in the order they were handed out. A SET is deliverable only once
 * every older transaction of its database has ended, so a poll can come back empty while one of the service's own
 * holds some back: the drain ends when the stream has nothing pending, not at the first empty poll.
 */
export async function drainPoll(ssf: SsfClient, streamId: string, admin: Http, timeoutMs = 20_000): Promise<string[]> {
  const sets: string[] = [];
  let ack: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await ssf.poll(streamId, { returnImmediately: true, ack });
    if (res.status !== 200) throw new Error(`poll: ${res.status} ${res.text}`);
    ack = Object.keys(res.body.sets);
    sets.push(...Object.values<string>(res.body.sets));
    if (ack.length > 0) continue;
    const pending = (await allReceipts(admin, streamId)).filter((receipt) => receipt.state === 'pending');
    if (pending.length === 0) return sets;
    if (Date.now() > deadline) throw new Error(`the poll stream still holds ${pending.length} pending SETs`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every SET of a stream with its delivery receipt, oldest first (the hub pages them newest first). */
export async function allReceipts(admin: Http, streamId: string): Promise<any[]> {
  const items: any[] = [];
  let before: number | null = null;
  do {
    const res: HttpResult = await admin.get(
      `/api/hub/v1/ssf/streams/${streamId}/deliveries?limit=200${before ? `&before=${before}` : ''}`,
    );
    if (res.status !== 200) throw new Error(`deliveries: ${res.status} ${res.text}`);
    items.push(...res.body.items);
    before = res.body.nextBefore;
  } while (before);
  return items.reverse();
}
