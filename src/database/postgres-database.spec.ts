import { sleep } from '../../test/support/service-process';
import { PostgresDatabase, statementName } from './postgres-database';

describe('statementName', () => {
  it('should name a text the same whichever string carries it, and texts of one length apart', () => {
    const built = (limit: number) => ['SELECT 1 FROM sessions s', `LIMIT ${limit}`].join(' ');
    expect(statementName(built(20))).toBe(statementName(`SELECT 1 FROM sessions s LIMIT ${20}`));
    expect(statementName(built(20))).toMatch(/^sh_[0-9a-f]{20}$/);
    expect(built(25)).toHaveLength(built(20).length);
    expect(statementName(built(25))).not.toBe(statementName(built(20)));
    expect(statementName(built(25))).toBe(statementName(built(25)));
  });
});

/**
 * `genericPlan`: the statement runs on its generic plan, on a connection of the generic-plan pool, and every other
 * statement keeps PostgreSQL's own choice. One connection per pool, so each pool's reads below see one backend.
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('PostgresDatabase genericPlan (PostgreSQL)', () => {
  let database: PostgresDatabase;
  beforeAll(() => {
    database = new PostgresDatabase({ url: process.env.TEST_DATABASE_URL!, poolSize: 1 });
  });
  afterAll(() => database.close());

  const PLANS = 'SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1';
  /** How `text` was planned on the main pool's backend, or (`generic`) on the generic-plan pool's. */
  const plans = async (text: string, generic = false) =>
    (await database.rows(PLANS, [statementName(text)], { prepare: generic, genericPlan: generic }))[0];
  const MODE = "SELECT current_setting('plan_cache_mode') AS mode";
  const mode = async (options = {}) => (await database.rows(MODE, [], options))[0].mode;

  it('should run every call on the generic plan, on its own connections', async () => {
    const text = "SELECT count(*) AS n FROM pg_class WHERE relname LIKE $1 || '%' AND 'generic' = 'generic'";
    for (let i = 0; i < 3; i++)
      expect(await database.rows(text, ['pg_'], { prepare: true, genericPlan: true })).toEqual([
        { n: expect.any(Number) },
      ]);
    expect(await plans(text, true)).toEqual({ generic_plans: 3, custom_plans: 0 });
    expect(await plans(text)).toBeUndefined();
    expect(await mode({ prepare: true, genericPlan: true })).toBe('force_generic_plan');
    expect(await mode()).toBe('auto');
  });

  it("should leave PostgreSQL's own choice to statements without it (its first calls plan with their values)", async () => {
    const text = "SELECT count(*) AS n FROM pg_class WHERE relname LIKE $1 || '%' AND 'custom' = 'custom'";
    for (let i = 0; i < 3; i++) await database.rows(text, ['pg_'], { prepare: true });
    expect(await plans(text)).toEqual({ generic_plans: 0, custom_plans: 3 });
  });

  it('should ignore it for a statement that is not prepared', async () => {
    expect(await database.rows('SELECT $1::int + 1 AS n', [1], { genericPlan: true })).toEqual([{ n: 2 }]);
    expect(await mode({ genericPlan: true })).toBe('auto');
  });

  it('should answer the next statement after a failed one', async () => {
    const options = { prepare: true, genericPlan: true };
    await expect(database.rows('SELECT 1 / $1::int AS n', [0], options)).rejects.toBeDefined();
    expect(await database.rows('SELECT 1 / $1::int AS n', [1], options)).toEqual([{ n: 1 }]);
  });

  it('should cancel a statement whose caller went away, and answer the next', async () => {
    const aborted = new AbortController();
    setTimeout(() => aborted.abort(), 200);
    const started = Date.now();
    const options = { prepare: true, genericPlan: true, signal: aborted.signal };
    await expect(database.rows('SELECT pg_sleep($1) AS slept', [10], options)).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await mode({ prepare: true, genericPlan: true, signal: new AbortController().signal })).toBe(
      'force_generic_plan',
    );
  });
});

/**
 * A statement cancelled because its caller went away: the cancel reaches that statement, not whatever its connection
 * runs next. Two connections, both taken, and a third statement waiting for one of them.
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('PostgresDatabase cancels (PostgreSQL)', () => {
  it("should stop the gone caller's statement at once and never the next statement on its connection", async () => {
    const database = new PostgresDatabase({ url: process.env.TEST_DATABASE_URL!, poolSize: 2 });
    try {
      await Promise.all([database.rows('SELECT 1'), database.rows('SELECT 1')]); // both connections open
      const other = database.rows('SELECT 1 AS other FROM pg_sleep(1.5)');
      const gone = new AbortController();
      const callers = database.rows('SELECT 1 AS callers FROM pg_sleep(1.0)', [], { signal: gone.signal });
      // Waits for a connection, and gets the caller's once it is back in the pool.
      const next = database.rows('SELECT 1 AS next FROM pg_sleep(0.8)');
      await sleep(50);
      gone.abort();
      // Cancelled while it ran, not left to finish because every connection was taken.
      await expect(callers).rejects.toThrow('cancelled');
      // Not cancelled in its place: before, the cancel waited for a connection and landed on this statement.
      await expect(next).resolves.toEqual([{ next: 1 }]);
      await expect(other).resolves.toEqual([{ other: 1 }]);
    } finally {
      await database.close();
    }
  });

  it('should not run a statement whose caller went away while it waited for a connection', async () => {
    const database = new PostgresDatabase({ url: process.env.TEST_DATABASE_URL!, poolSize: 1 });
    const probe = `gone_probe_${process.pid}_${Date.now()}`;
    try {
      await database.rows(`CREATE SEQUENCE ${probe}`);
      const busy = database.rows('SELECT 1 AS busy FROM pg_sleep(0.5)');
      const gone = new AbortController();
      const waiting = database.rows(`SELECT nextval('${probe}') AS n`, [], { signal: gone.signal });
      await sleep(50);
      gone.abort();
      await expect(waiting).rejects.toThrow('went away');
      await expect(busy).resolves.toEqual([{ busy: 1 }]);
      expect(await database.rows(`SELECT is_called FROM ${probe}`)).toEqual([{ is_called: false }]);
    } finally {
      await database.rows(`DROP SEQUENCE IF EXISTS ${probe}`);
      await database.close();
    }
  });
});
