import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { ReplicaStatus } from '../src/database/replicas';
import { makeSession, makeUser, TestSession, TestUser } from './support/factories';
import { Http, HttpResult } from './support/http';
import { clusterPort, createCluster, createDatabase, createReplica, PgCluster } from './support/pg-cluster';
import { sleep } from './support/service-process';

/**
 * Read replicas for real: a primary cluster of the test's own and a streaming replica of it (pg_basebackup), two
 * service instances in this process (so read-your-writes crosses processes through NOTIFY), with DATABASE_URL the
 * primary and DATABASE_REPLICA_URLS the replica. Replay paused on the replica (pg_wal_replay_pause) makes its
 * staleness observable: what a GET shows tells which server answered it. PostgreSQL only (TEST_DATABASE_URL set, as
 * CI does); the shared server is never touched.
 */
const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

const STICKY_SECONDS = 4;
const MAX_LAG_SECONDS = 1;

describeOnPostgres('read replicas (a primary and a streaming replica of the test)', () => {
  const adminKey = `replicas-${randomBytes(12).toString('hex')}`;
  let primary: PgCluster | undefined;
  let replica: PgCluster | undefined;
  const apps: NestFastifyApplication[] = [];
  /** The author (the bootstrap token of admin) on each instance. */
  let author: Http[];
  /** Another superuser, with a token of its own, on the first instance. */
  let reader: Http;
  let user: TestUser;

  const baseUrl = (app: NestFastifyApplication) =>
    `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;

  /** One statement on the replica, over a connection of its own (the replica is stopped and started). */
  const onReplica = async (sql: string) => {
    const client = new Client({ connectionString: replica!.url('sessionhub') });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  /** The replica as an instance's readiness reports it. */
  const replicaOf = async (app: NestFastifyApplication): Promise<ReplicaStatus> => {
    const ready = await new Http(baseUrl(app)).get('/-/health/ready');
    expect(ready.status).toBe(200);
    return ready.body.info.replicas.replicas[0];
  };

  /** Polls until `done` holds; resolves with the milliseconds it took. */
  const until = async (done: () => Promise<boolean>, timeoutMs = 15_000): Promise<number> => {
    const started = Date.now();
    while (!(await done())) {
      if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
      await sleep(50);
    }
    return Date.now() - started;
  };

  /** Waits until the first instance reads from the replica again (a test before may have left it lagging). */
  const replicaInRotation = () => until(async () => (await replicaOf(apps[0])).inRotation);

  const hubPath = (session: TestSession) => `/api/hub/v1/sessions/${session.uuid}`;
  const authentikPath = (session: TestSession) => `/api/v3/core/authenticated_sessions/${session.uuid}/`;

  beforeAll(async () => {
    primary = await createCluster('sh_primary', { durable: false });
    const databaseUrl = await createDatabase(primary.url(), 'sessionhub');
    // The instances start while the replica is being made (on a port chosen now): it joins once it answers.
    const replicaUrl = new URL(databaseUrl);
    replicaUrl.port = String(await clusterPort());
    const replicaMade = createReplica(primary, 'sh_replica', Number(replicaUrl.port)).then((made) => {
      replica = made;
    });
    const config = loadConfig({
      DATABASE_URL: databaseUrl,
      DATABASE_REPLICA_URLS: replicaUrl.toString(),
      REPLICA_STICKY_SECONDS: String(STICKY_SECONDS),
      REPLICA_MAX_LAG_SECONDS: String(MAX_LAG_SECONDS),
      BOOTSTRAP_TOKEN: adminKey,
      DATABASE_POOL_SIZE: '4',
      RATE_LIMITS: 'off',
      GEOIP_BUILTIN: 'off',
    });
    let listening: number;
    try {
      // One after the other: the first applies the migrations.
      for (let i = 0; i < 2; i++) {
        const app = await createApp({ config, dataDir: null }, true);
        await app.listen(0, '127.0.0.1');
        apps.push(app);
      }
      listening = Date.now();
    } finally {
      await replicaMade;
    }
    author = apps.map((app) => new Http(baseUrl(app), adminKey));
    user = await makeUser(author[0]);
    reader = new Http(baseUrl(apps[0]), (await makeUser(author[0], { isSuperuser: true })).key);
    for (const app of apps) await until(async () => (await replicaOf(app)).inRotation, 30_000);
    // A process reads only from the primary for one sticky window after it starts listening (it may have missed
    // announcements).
    await sleep(Math.max(0, listening + STICKY_SECONDS * 1000 + 200 - Date.now()));
  }, 120_000);

  afterAll(async () => {
    try {
      for (const app of apps) await app.close();
    } finally {
      try {
        await replica?.drop();
      } finally {
        await primary?.drop();
      }
    }
  }, 60_000);

  it("should serve a caller's reads from the replica, and its author's from the primary right after a write", async () => {
    await replicaInRotation();
    await onReplica('SELECT pg_wal_replay_pause()');
    let created: TestSession;
    try {
      created = await makeSession(author[0], user);
      // The replica has not replayed the login: another caller's reads are the replica's.
      expect((await reader.get(hubPath(created))).status).toBe(404);
      expect((await reader.get(authentikPath(created))).status).toBe(404);
      expect((await reader.get(`/api/v1/session/${created.pfid}`)).status).toBe(404);
      // The author's own reads are the primary's, on the instance it wrote through and on the other one (NOTIFY).
      for (const http of author) {
        expect((await http.get(hubPath(created))).status).toBe(200);
        expect((await http.get(authentikPath(created))).status).toBe(200);
      }
    } finally {
      await onReplica('SELECT pg_wal_replay_resume()');
    }
    await until(async () => (await reader.get(hubPath(created))).status === 200);
  });

  it('should never show a revoke undone to its author, and take a lagging replica out until it catches up', async () => {
    await replicaInRotation();
    const victim = await makeSession(author[0], user);
    await until(async () => (await reader.get(authentikPath(victim))).status === 200);
    await onReplica('SELECT pg_wal_replay_pause()');
    let readerOnPrimaryAfter: number | null = null;
    try {
      const revokedAt = Date.now();
      expect((await author[0].delete(authentikPath(victim))).status).toBe(204);
      // The replica still has the session live: the reader sees it there.
      expect((await reader.get(authentikPath(victim))).status).toBe(200);
      // Past its sticky window the author's reads are still right: by then the replica is out for its lag.
      while (Date.now() - revokedAt < (STICKY_SECONDS + 1) * 1000) {
        for (const http of author) expect((await http.get(authentikPath(victim))).status).toBe(404);
        if (readerOnPrimaryAfter === null && (await reader.get(authentikPath(victim))).status === 404)
          readerOnPrimaryAfter = Date.now() - revokedAt;
        await sleep(100);
      }
      const lagging = await replicaOf(apps[0]);
      expect(lagging).toMatchObject({ state: 'lagging', inRotation: false });
      expect(lagging.lagSeconds).toBeGreaterThan(MAX_LAG_SECONDS);
    } finally {
      await onReplica('SELECT pg_wal_replay_resume()');
    }
    // Lag is measured to about a second, every second.
    expect(readerOnPrimaryAfter).not.toBeNull();
    expect(readerOnPrimaryAfter!).toBeLessThan((MAX_LAG_SECONDS + 3) * 1000);
    const backAfter = await replicaInRotation();
    process.stdout.write(`replica out for lag after ${readerOnPrimaryAfter} ms, back ${backAfter} ms after resume\n`);
    expect((await replicaOf(apps[0])).lagSeconds).toBeLessThanOrEqual(MAX_LAG_SECONDS);
  });

  it('should answer every read from the primary while the replica is stopped, and use it again when it is back', async () => {
    await replicaInRotation();
    const before = await makeSession(author[0], user);
    await until(async () => (await reader.get(hubPath(before))).status === 200);
    const reads = [
      () => hubPath(before),
      () => authentikPath(before),
      () => `/api/v1/session/${before.pfid}`,
      () => `/api/v3/core/authenticated_sessions/?user__username=${user.username}`,
      () => `/api/admin/v1/authenticated-sessions/user-sessions/${user.uuid}`,
      () => `/api/hub/v1/events?session=${before.uuid}`,
    ];
    const answers: { path: string; result: HttpResult }[] = [];
    let reading = true;
    const readers = Array.from({ length: 3 }, async (_, r) => {
      for (let i = 2 * r; reading; i++) {
        const path = reads[i % reads.length]();
        answers.push({ path, result: await reader.get(path) });
      }
    });
    const stopping = Date.now();
    let outAfter: number;
    try {
      await replica!.stop();
      await until(async () => !(await replicaOf(apps[0])).inRotation);
      outAfter = Date.now() - stopping;
      // Written while it is down: the reader's next read has it, from the primary.
      const during = await makeSession(author[0], user);
      expect((await reader.get(hubPath(during))).status).toBe(200);
      const listed = await reader.get(`/api/admin/v1/authenticated-sessions/user-sessions/${user.uuid}`);
      expect(listed.status).toBe(200);
      expect(listed.body.map((s: { ID: number }) => s.ID)).toEqual(expect.arrayContaining([before.id, during.id]));
      // Every kind of read, a few times over, across the stop.
      await until(() => Promise.resolve(answers.length >= 3 * reads.length));
    } finally {
      reading = false;
      await Promise.all(readers);
    }
    const failed = answers.filter(({ result }) => result.status !== 200);
    expect(failed.map(({ path, result }) => `${path}: ${result.status} ${result.text}`)).toEqual([]);
    for (const { path, result } of answers)
      if (path === hubPath(before) || path === authentikPath(before)) expect(result.body.uuid).toBe(before.uuid);
    const listing = answers.find(({ path }) => path.includes('user__username'))!.result;
    expect(listing.body.results.map((s: { uuid: string }) => s.uuid)).toContain(before.uuid);

    const restarting = Date.now();
    await replica!.start();
    await replicaInRotation();
    const backAfter = Date.now() - restarting;
    process.stdout.write(`stopped replica out after ${outAfter} ms; restarted, in rotation after ${backAfter} ms\n`);
    expect(outAfter).toBeLessThan(5000);
    // Used again: with replay paused, a login is not there for the reader yet.
    await onReplica('SELECT pg_wal_replay_pause()');
    try {
      const after = await makeSession(author[0], user);
      expect((await reader.get(hubPath(after))).status).toBe(404);
      // The author at the other instance, once that instance has heard of the write (its notification): the primary.
      await until(async () => (await author[1].get(hubPath(after))).status === 200, 2000);
    } finally {
      await onReplica('SELECT pg_wal_replay_resume()');
    }
  });
});
