import { Pool } from 'pg';
import { cacheRowShapes } from './pg-row-shapes';
import { PostgresDatabase, queryConfig } from './postgres-database';

/**
 * The same statements read with pg as it comes and with the shape cache installed, on a real server: rows must be
 * equal value for value, key for key and in key order. PostgreSQL only (TEST_DATABASE_URL, as CI sets it).
 */
const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

const WIDE = Array.from({ length: 45 }, (_, i) => `${i} AS c${i}`).join(', ');

const STATEMENTS: { name: string; text: string; values?: unknown[] }[] = [
  {
    name: 'every type the service reads, nulls included',
    text: `SELECT 9007199254740991::int8 AS big, 42 AS n, 'x'::text AS t, NULL::text AS missing, true AS b,
             '2026-04-20 08:47:25.980787+00'::timestamptz AS at, '{"b":1,"a":[2]}'::jsonb AS doc,
             '81.2.69.160'::inet AS ip, 1.5::float8 AS f, 'a3bb189e-8bf9-3888-9912-ace4e6543002'::uuid AS id`,
  },
  { name: 'a repeated column name (the last value, the first place)', text: 'SELECT 1 AS a, 2 AS b, 3 AS a' },
  { name: 'a column named __proto__', text: `SELECT 1 AS "__proto__", 2 AS other` },
  {
    name: 'names that would break generated code',
    text: `SELECT 1 AS "a""b", 2 AS "c\\d", 3 AS "}); throw 1; ({", 4 AS "line
break"`,
  },
  { name: 'forty-five columns', text: `SELECT ${WIDE}` },
  { name: 'the same count of columns under other names', text: 'SELECT 1 AS x, 2 AS y, 3 AS z' },
  { name: 'the same names with other types', text: `SELECT 'one' AS a, 'two' AS b, 'three' AS c` },
  {
    name: 'several rows, as a prepared statement',
    text: 'SELECT g AS n, g::text AS s FROM generate_series(1, $1) g',
    values: [5],
  },
  { name: 'no rows', text: 'SELECT 1 AS a WHERE false' },
  { name: 'no columns', text: 'SELECT' },
];

describeOnPostgres('cacheRowShapes', () => {
  const url = process.env.TEST_DATABASE_URL!;

  async function readAll(pool: Pool): Promise<Record<string, unknown>[][]> {
    const results: Record<string, unknown>[][] = [];
    // Each statement twice: the second read is the one a cached shape answers.
    for (const { text, values } of [...STATEMENTS, ...STATEMENTS]) {
      const prepare = values !== undefined;
      results.push((await pool.query(queryConfig(text, values ?? [], { prepare }))).rows as Record<string, unknown>[]);
    }
    return results;
  }

  it('should read every statement as pg does, in values, classes and key order', async () => {
    const plain = new Pool({ connectionString: url, max: 1 });
    const asPgReads = await readAll(plain).finally(() => plain.end());
    // The service's database installs the cache; the statements then run through a fresh pool again.
    const database = new PostgresDatabase({ url, poolSize: 1 });
    await database.close();
    const cached = new Pool({ connectionString: url, max: 1 });
    const withShapes = await readAll(cached).finally(() => cached.end());
    STATEMENTS.forEach(({ name }, i) => {
      for (const offset of [0, STATEMENTS.length]) {
        const got = withShapes[i + offset];
        const expected = asPgReads[i + offset];
        expect([name, got]).toStrictEqual([name, expected]);
        expect([name, got.map((row) => Object.keys(row))]).toStrictEqual([
          name,
          expected.map((row) => Object.keys(row)),
        ]);
        for (const row of got) expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      }
    });
    expect(withShapes[1][0]).toEqual({ a: 3, b: 2 });
    expect(Object.getOwnPropertyDescriptor(withShapes[2][0], '__proto__')?.value).toBe(1);
  });

  it('should leave array rows to pg', async () => {
    cacheRowShapes();
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      const result = await pool.query({ text: 'SELECT 1 AS a, $1::text AS b', values: ['x'], rowMode: 'array' });
      expect(result.rows).toStrictEqual([[1, 'x']]);
      expect(result.fields.map((field) => field.name)).toEqual(['a', 'b']);
    } finally {
      await pool.end();
    }
  });
  it('should parse a repeated jsonb text once, and share it frozen', async () => {
    cacheRowShapes();
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      const agent = { string: 'curl/8.0', user_agent: { family: 'curl', major: '8' }, os: { family: 'Other' } };
      const long = { text: 'x'.repeat(5000) };
      const read = async () =>
        (
          await pool.query(`SELECT $1::jsonb AS agent, $2::jsonb AS long FROM generate_series(1, 2)`, [
            JSON.stringify(agent),
            JSON.stringify(long),
          ])
        ).rows;
      const [first, second] = [...(await read()), ...(await read())];
      expect(first).toEqual({ agent, long });
      expect(second.agent).toBe(first.agent);
      expect(Object.isFrozen(first.agent) && Object.isFrozen(first.agent.user_agent)).toBe(true);
      expect(() => {
        'use strict';
        first.agent.user_agent.family = 'changed';
      }).toThrow(TypeError);
      // A long text is parsed each time, and its value is the caller's own.
      expect(second.long).not.toBe(first.long);
      expect(Object.isFrozen(first.long)).toBe(false);
    } finally {
      await pool.end();
    }
  });
});
