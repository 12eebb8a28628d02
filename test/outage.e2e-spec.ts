import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { Client } from 'pg';
import { makeSession, makeUser, TestSession, TestUser } from './support/factories';
import { eventually } from './support/eventually';
import { Http } from './support/http';
import { LoadOp, mixedOps, unavailableProblem } from './support/mixed-load';
import { createCluster, createDatabase, PgCluster } from './support/pg-cluster';
import {
  killService,
  rawRequest,
  RawResult,
  ServiceProcess,
  sleep,
  spawnService,
  waitReady,
} from './support/service-process';

interface Sample extends RawResult {
  op: LoadOp;
}

/**
 * The PostgreSQL server goes away under load and comes back: every face answers 503 with Retry-After in its own
 * envelope meanwhile (never a 500, never a dropped connection), readiness follows the database, the same process
 * recovers, and no acknowledged login is lost. PostgreSQL only (TEST_DATABASE_URL set): the test stops and starts
 * a cluster of its own, never the shared server.
 */
const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

describeOnPostgres('database outage under load (PostgreSQL cluster of the test)', () => {
  const adminKey = `outage-${randomBytes(12).toString('hex')}`;
  let cluster: PgCluster | undefined;
  let databaseUrl: string;
  let service: ServiceProcess | undefined;
  let user: TestUser;
  let session: TestSession;

  beforeAll(async () => {
    cluster = await createCluster('sh_outage');
    databaseUrl = await createDatabase(cluster.url(), 'sessionhub');
    service = await spawnService({
      DATABASE_URL: databaseUrl,
      BOOTSTRAP_TOKEN: adminKey,
      DATABASE_POOL_SIZE: '4',
      TOUCH_INTERVAL_SECONDS: '0',
    });
    await waitReady(service);
    const admin = new Http(service.baseUrl, adminKey);
    user = await makeUser(admin, { username: `outage-${randomBytes(3).toString('hex')}` });
    session = await makeSession(admin, user);
    await makeSession(admin, user);
  }, 90_000);

  afterAll(async () => {
    try {
      await killService(service);
    } finally {
      await cluster?.drop();
    }
  }, 60_000);

  it('should answer 503 + Retry-After in each face while PostgreSQL is down, recover, and lose no login', async () => {
    const svc = service!;
    const pg = cluster!;
    const acknowledged: string[] = [];
    const ops = mixedOps({ baseUrl: svc.baseUrl, adminKey, user, session }, (r) => {
      if (r.status === 201 && r.body?.uuid) acknowledged.push(r.body.uuid);
    });
    const samples: Sample[] = [];
    const readiness: RawResult[] = [];
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 });
    let stop = false;

    // Six clients, each over the shared keep-alive connections and over a fresh connection by turns.
    const clients = Array.from({ length: 6 }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        const op = ops[(c + i) % ops.length];
        const result = await op.run(i % 3 === 0 ? undefined : keepAlive);
        samples.push({ ...result, op });
        await sleep(15);
      }
    });
    const prober = (async () => {
      while (!stop) {
        readiness.push(await rawRequest(svc.baseUrl, { path: '/-/health/ready', timeoutMs: 10_000 }));
        await sleep(100);
      }
    })();

    try {
      await sleep(2500);
      const stopIssued = Date.now();
      const stopMs = await pg.stop();
      const down = Date.now();
      await sleep(2000);
      const startIssued = Date.now();
      const startMs = await pg.start();
      const up = Date.now();

      // Load on until every kind of request has been answered 2xx after the server came back, then one more second.
      let recovered = 0;
      while (!recovered && Date.now() - up < 30_000) {
        const fine = ops.every((op) => samples.some((s) => s.op === op && s.startedAt >= up && s.status === op.ok));
        if (fine) recovered = Date.now();
        else await sleep(50);
      }
      if (recovered) await sleep(1000);
      stop = true;
      await Promise.all([...clients, prober]);

      const gap = samples.filter((s) => s.startedAt >= down && s.endedAt <= startIssued);
      const gapReady = readiness.filter((s) => s.startedAt >= down && s.endedAt <= startIssued);
      const badGap = gap
        .map((s) => ({ op: s.op.name, problem: unavailableProblem(s.op.face, s) }))
        .filter((p) => p.problem);
      // Anything at all: the expected answer, or the face's 503 (requests that met the stop or the restart).
      const wrong = samples
        .map((s) => ({ op: s.op.name, at: s.startedAt - stopIssued, status: s.status, error: s.error, text: s.text }))
        .filter((s, i) => samples[i].status !== samples[i].op.ok && unavailableProblem(samples[i].op.face, samples[i]));
      const perOp = Object.fromEntries(ops.map((op) => [op.name, gap.filter((s) => s.op === op).length]));
      const firstOk = Math.min(
        ...samples.filter((s) => s.startedAt >= up && s.status === s.op.ok).map((s) => s.endedAt),
      );

      console.log(
        [
          `outage: pg_ctlcluster stop took ${stopMs} ms, down ${startIssued - down} ms, start took ${startMs} ms`,
          `requests: ${samples.length} in all, ${gap.length} during the gap (${JSON.stringify(perOp)})`,
          `gap answers: ${gap.filter((s) => s.status === 503).length} x 503, ${badGap.length} not a proper 503`,
          `around the gap: ${samples.filter((s) => s.status === 503).length} x 503 in all, ${wrong.length} wrong answers`,
          `readiness: ${gapReady.length} probes in the gap, statuses ${[...new Set(gapReady.map((r) => r.status ?? r.error))].join(',')}`,
          `first 2xx after start: ${firstOk - up} ms; every kind 2xx again: ${recovered ? recovered - up : 'never'} ms`,
          `logins acknowledged: ${acknowledged.length}`,
          `service: ${svc.hasExited() ? `EXITED; its output:\n${svc.output().slice(-4000)}` : 'still running'}`,
        ].join('\n'),
      );

      expect(wrong.slice(0, 10)).toEqual([]);
      expect(gap.length).toBeGreaterThanOrEqual(30);
      for (const op of ops) expect({ op: op.name, inGap: perOp[op.name] > 0 }).toEqual({ op: op.name, inGap: true });
      expect(badGap.slice(0, 10)).toEqual([]);

      // Readiness: 200 before, 503 through the gap, 200 again after.
      expect(readiness.filter((r) => r.endedAt < stopIssued).map((r) => r.status)).toContain(200);
      expect(gapReady.length).toBeGreaterThanOrEqual(5);
      expect(gapReady.filter((r) => r.status !== 503)).toEqual([]);
      expect(readiness.at(-1)?.status).toBe(200);

      // The same process serves again, with no restart.
      expect(recovered).toBeGreaterThan(0);
      expect(svc.hasExited()).toBe(false);
      const after = await Promise.all(ops.map((op) => op.run()));
      expect(after.map((r, i) => [ops[i].name, r.status])).toEqual(ops.map((op) => [op.name, op.ok]));
      expect((await rawRequest(svc.baseUrl, { path: '/-/health/ready' })).status).toBe(200);

      // The expiry sweep, ticking every second through the outage, said so once and said once that it works again
      // (at its first tick after the database is back, written out within 200 ms: waited for).
      const sweepLines = await eventually(
        () =>
          svc
            .output()
            .split('\n')
            .filter((line) => line.includes('expiry sweep'))
            .map((line) => (JSON.parse(line) as { msg: string }).msg.replace(/: .*? \(retried/, ': … (retried')),
        (lines) => lines.some((line) => line.includes('working again')),
        5000,
      );
      expect(sweepLines).toEqual([
        'expiry sweep failed: … (retried every tick, logged again when it works)',
        expect.stringMatching(/^expiry sweep: working again after \d+ failed ticks$/),
      ]);

      // Each 503 a face answered has its line at error, saying what the database did (a refused connection, a
      // terminated one), for the operator; the client read only "try again".
      const failedLines = svc
        .output()
        .split('\n')
        .filter((line) => line.includes('"status":503') && line.includes('"reqId"'))
        .map((line) => JSON.parse(line) as { level: number; route: string; cause?: string });
      expect(failedLines.filter((l) => l.route !== '/-/health/ready').length).toBeGreaterThan(0);
      expect(
        failedLines.filter((l) => l.route !== '/-/health/ready' && (l.level !== 50 || !l.cause)).slice(0, 5),
      ).toEqual([]);
      expect(failedLines.map((l) => l.cause).filter((cause) => cause)).toContainEqual(
        expect.stringMatching(/ECONNREFUSED|57P0\d|terminat|Connection terminated/i),
      );

      // Nothing acknowledged is lost: every 201 login is in the database.
      expect(acknowledged.length).toBeGreaterThan(10);
      const db = new Client({ connectionString: databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query<{ uuid: string }>(
          'SELECT uuid::text AS uuid FROM sessions WHERE uuid::text = ANY($1::text[])',
          [acknowledged],
        );
        const stored = new Set(rows.map((r) => r.uuid));
        expect(acknowledged.filter((uuid) => !stored.has(uuid))).toEqual([]);
      } finally {
        await db.end();
      }
    } finally {
      stop = true;
      await Promise.allSettled([...clients, prober]);
      keepAlive.destroy();
    }
  }, 110_000);
});
