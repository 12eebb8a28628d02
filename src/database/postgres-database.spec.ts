import { PostgresDatabase, statementName } from './postgres-database';

/**
 * `genericPlan`: the statement runs on its generic plan, and its connection goes back to the pool planning as
 * before, whether the statement answered, failed or was cancelled. One pooled connection, so every read below
 * sees the same backend.
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('PostgresDatabase genericPlan (PostgreSQL)', () => {
  let database: PostgresDatabase;
  beforeAll(() => {
    database = new PostgresDatabase({ url: process.env.TEST_DATABASE_URL!, poolSize: 1 });
  });
  afterAll(() => database.close());

  const plans = async (text: string) =>
    (
      await database.rows('SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1', [
        statementName(text),
      ])
    )[0];
  const planCacheMode = async () => (await database.rows('SHOW plan_cache_mode'))[0].plan_cache_mode;

  it('should run every call on the generic plan, and reset the connection after', async () => {
    const text = "SELECT count(*) AS n FROM pg_class WHERE relname LIKE $1 || '%' AND 'generic' = 'generic'";
    for (let i = 0; i < 3; i++)
      expect(await database.rows(text, ['pg_'], { prepare: true, genericPlan: true })).toEqual([
        { n: expect.any(Number) },
      ]);
    expect(await plans(text)).toEqual({ generic_plans: 3, custom_plans: 0 });
    expect(await planCacheMode()).toBe('auto');
  });

  it("should leave PostgreSQL's own choice to statements without it (its first calls plan with their values)", async () => {
    const text = "SELECT count(*) AS n FROM pg_class WHERE relname LIKE $1 || '%' AND 'custom' = 'custom'";
    for (let i = 0; i < 3; i++) await database.rows(text, ['pg_'], { prepare: true });
    expect(await plans(text)).toEqual({ generic_plans: 0, custom_plans: 3 });
  });

  it('should ignore it for a statement that is not prepared', async () => {
    expect(await database.rows('SELECT $1::int + 1 AS n', [1], { genericPlan: true })).toEqual([{ n: 2 }]);
    expect(await planCacheMode()).toBe('auto');
  });

  it('should reset the connection after a failed statement', async () => {
    await expect(
      database.rows('SELECT 1 / $1::int AS n', [0], { prepare: true, genericPlan: true }),
    ).rejects.toBeDefined();
    expect(await planCacheMode()).toBe('auto');
  });

  it('should reset the connection after a cancelled statement', async () => {
    // Two connections: the cancel itself is sent on a second one.
    const pair = new PostgresDatabase({ url: process.env.TEST_DATABASE_URL!, poolSize: 2 });
    try {
      const aborted = new AbortController();
      setTimeout(() => aborted.abort(), 200);
      const started = Date.now();
      const options = { prepare: true, genericPlan: true, signal: aborted.signal };
      await expect(pair.rows('SELECT pg_sleep($1) AS slept', [10], options)).rejects.toBeDefined();
      expect(Date.now() - started).toBeLessThan(5000);
      // Both connections at once (each held a moment), so the one that was cancelled is among them.
      const both = await Promise.all(
        [1, 2].map(() => pair.rows("SELECT current_setting('plan_cache_mode') AS mode, pg_sleep(0.1) AS slept")),
      );
      expect(both.map(([row]) => row.mode)).toEqual(['auto', 'auto']);
    } finally {
      await pair.close();
    }
  });
});
