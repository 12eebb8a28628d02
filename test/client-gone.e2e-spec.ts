import { connect } from 'node:net';
import { eventually } from './support/eventually';
import { parseMetrics, series } from './support/metrics-text';
import { sleep } from './support/service-process';
import { TableLock } from './support/table-lock';
import { startTestApp, TestApp } from './support/test-app';

const AUTHENTIK_LIST = '/api/v3/core/authenticated_sessions/';
/** The route template the log and the metrics name it by. */
const AUTHENTIK_LIST_ROUTE = '/api/v3/core/authenticated_sessions';
const VALIDATE = '/api/hub/v1/sessions/validate';
/** Any session reference: the body is read before the route looks at it. */
const PREFACTOR_REVOKE = '/api/v1/session/sess_0/revoke';

interface LogLine {
  level: number;
  msg: string;
  route?: string;
  status?: number;
  durationMs?: number;
}

/**
 * A request whose client hangs up: its statements are cancelled rather than left to keep the database busy, and
 * operators still see it, once, as nginx shows it (status 499 at info), not as a server error. The request is made
 * to wait on a lock another connection holds, and the client aborts. PostgreSQL only: PGlite runs statements
 * in-process and cannot interrupt one.
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('client gone on postgres', () => {
  let t: TestApp;
  let lock: TableLock;
  const logLines: string[] = [];

  beforeAll(async () => {
    t = await startTestApp('postgres', {}, logLines);
    lock = await TableLock.open(t.config.DATABASE_URL!);
  });
  afterAll(async () => {
    await lock?.close();
    await t?.close();
  });

  const linesOf = (route: string) =>
    logLines.map((line) => JSON.parse(line) as LogLine).filter((line) => line.route === route);
  const metrics = async () => {
    const res = await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${t.adminKey}` } });
    return parseMetrics(await res.text());
  };

  /** Sends a request while `sessions` is locked, waits until it waits on the lock, then hangs up. */
  async function hangUpWhileWaiting(path: string, init: RequestInit): Promise<void> {
    const aborted = new AbortController();
    const request = fetch(`${t.baseUrl}${path}`, { ...init, signal: aborted.signal }).catch(
      (error: Error) => error.name,
    );
    for (let i = 0; i < 50 && (await lock.waiting()) === 0; i++) await sleep(50);
    expect(await lock.waiting()).toBeGreaterThan(0);
    aborted.abort();
    expect(await request).toBe('AbortError');
  }

  it('should cancel the statements of an authentik list whose client went away, and log it once as a 499', async () => {
    const errorsBefore = series(await metrics(), 'sessionhub_db_query_errors_total', ['kind']);
    await lock.holding('sessions', async () => {
      await hangUpWhileWaiting(AUTHENTIK_LIST, { headers: { authorization: `Bearer ${t.adminKey}` } });
      let left = await lock.waiting();
      for (let i = 0; i < 40 && left > 0; i++) {
        await sleep(50);
        left = await lock.waiting();
      }
      expect(left).toBe(0);
    });
    // The service is fine afterwards.
    const after = await fetch(`${t.baseUrl}${AUTHENTIK_LIST}`, { headers: { authorization: `Bearer ${t.adminKey}` } });
    expect(after.status).toBe(200);

    const lines = linesOf(AUTHENTIK_LIST_ROUTE);
    expect(lines.map((line) => [line.level, line.status, line.msg])).toEqual([
      [30, 499, 'client closed request'],
      [30, 200, 'request'],
    ]);
    expect(lines[0].durationMs).toBeGreaterThan(0);
    const samples = await metrics();
    expect(series(samples, 'http_request_duration_seconds_count', ['route', 'status'])).toMatchObject({
      [`${AUTHENTIK_LIST_ROUTE} 499`]: 1,
      [`${AUTHENTIK_LIST_ROUTE} 200`]: 1,
    });
    // The cancelled statements are the client's doing, not the database failing.
    expect(series(samples, 'sessionhub_db_query_errors_total', ['kind'])).toEqual(errorsBefore);
  });

  it('should log a validate whose client hung up once as a 499, though its statement ran to its end', async () => {
    // Validate takes no cancel: its statement waits out the lock and answers a socket that is gone.
    await lock.holding('sessions', () =>
      hangUpWhileWaiting(VALIDATE, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: 'never-issued-token-of-this-test' }),
      }),
    );
    await sleep(300);
    expect(linesOf(VALIDATE).map((line) => [line.level, line.status, line.msg])).toEqual([
      [30, 499, 'client closed request'],
    ]);
    const outcomes = series(await metrics(), 'sessionhub_validations_total', ['outcome']);
    expect(outcomes).toMatchObject({ client_closed: 1, invalid: 0 });
  });

  it('should log a request whose client hung up during its body once as a 499, not as an error', async () => {
    const url = new URL(t.baseUrl);
    const before = logLines.length;
    for (const [path, key] of [
      [VALIDATE, null],
      [PREFACTOR_REVOKE, t.adminKey],
    ] as const) {
      const socket = connect(Number(url.port), url.hostname);
      await new Promise((resolve) => socket.once('connect', resolve));
      const auth = key ? `Authorization: Bearer ${key}\r\n` : '';
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${auth}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"token":`,
      );
      await sleep(200);
      socket.destroy();
    }
    // Logged once the service has seen each hang-up; then a moment more for any error line that would follow.
    await eventually(
      () => logLines.slice(before).filter((line) => line.includes('client closed request')).length,
      (n) => n >= 2,
    );
    await sleep(300);
    const lines = logLines.slice(before).map((line) => JSON.parse(line) as LogLine);
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(lines.map((line) => [line.level, line.status, line.msg, line.route])).toEqual([
      [30, 499, 'client closed request', VALIDATE],
      [30, 499, 'client closed request', '/api/v1/session/:session_id/revoke'],
    ]);
  });
});
