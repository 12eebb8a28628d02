import { randomBytes } from 'node:crypto';
import { createDatabase, dropDatabase } from './support/pg-cluster';
import { killService, ServiceProcess, sleep, spawnService, waitReady } from './support/service-process';

const INTERVAL_SECONDS = 10;

/**
 * Housekeeping runs once per deployment per interval, however many processes serve: two workers tick at the same
 * moments, and only the one that takes the interval's lease works, logging what it did. WORKERS > 1 needs
 * PostgreSQL, so this runs where TEST_DATABASE_URL is set (CI sets it).
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('housekeeping across two workers', () => {
  const server = process.env.TEST_DATABASE_URL!;
  const name = `sh_housekeeping_${randomBytes(4).toString('hex')}`;
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await killService(service);
    await dropDatabase(server, name);
  });

  it('should run once per interval across the deployment, each run logged', async () => {
    const databaseUrl = await createDatabase(server, name);
    service = await spawnService({
      DATABASE_URL: databaseUrl,
      WORKERS: '2',
      LOG_LEVEL: 'info',
      HOUSEKEEPING_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
    });
    await waitReady(service);
    const started = Date.now();
    await sleep(INTERVAL_SECONDS * 3 * 1000 + 3000);
    const elapsedIntervals = Math.floor((Date.now() - started) / (INTERVAL_SECONDS * 1000)) + 1;
    const runs = service
      .output()
      .split('\n')
      .filter((line) => line.includes('housekeeping:'))
      .map((line) => JSON.parse(line) as { pid: number; time: string; msg: string });
    // Without the lease both workers would run at every tick: twice the intervals elapsed.
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThanOrEqual(elapsedIntervals);
    const times = runs.map((run) => Date.parse(run.time)).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThan(INTERVAL_SECONDS * 800);
    expect(runs[0].msg).toMatch(
      /^housekeeping: \d+ expired sessions marked complete, \d+ purged, \d+ events purged \(\d+ ms\)$/,
    );
  });
});
