import { Http } from './http';
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

/** Every SET a poll stream has now, acknowledging each; in the order they were handed out. */
export async function drainPoll(ssf: SsfClient, streamId: string): Promise<string[]> {
  const sets: string[] = [];
  let ack: string[] = [];
  for (let round = 0; round < 100; round++) {
    const res = await ssf.poll(streamId, { returnImmediately: true, ack });
    if (res.status !== 200) throw new Error(`poll: ${res.status} ${res.text}`);
    ack = Object.keys(res.body.sets);
    sets.push(...Object.values<string>(res.body.sets));
    if (ack.length === 0) return sets;
  }
  throw new Error('the poll stream did not run dry');
}
