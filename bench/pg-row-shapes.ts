/**
 * `npm run bench:pg-rows [plain|cached]`: the client's CPU per query for the statements retrieve and the authentik
 * list run, on one connection to the bench's database, with pg as it comes (`plain`, as the floor uses it) or with
 * the service's shape cache (`cached`, src/database/pg-row-shapes.ts). One mode per process, so neither warms the
 * other's code; run them alternately. CPU time (process.cpuUsage) rather than wall time: the server's part is not in
 * it, and other work on the machine moves it less.
 */
import { Pool, QueryConfig } from 'pg';
import { cacheRowShapes } from '../src/database/pg-row-shapes';
import { poolOptions, queryConfig } from '../src/database/postgres-database';
import { SESSION_BY_UUID_SQL } from '../src/sessions/persistence/session.sql';
import { listStatements } from '../src/sessions/persistence/session-list.sql';
import { DATABASE_URL } from './settings';

async function cpuPerQuery(pool: Pool, count: number, query: (i: number) => QueryConfig): Promise<number> {
  for (let i = 0; i < 500; i++) await pool.query(query(i));
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) await pool.query(query(i));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

async function main(): Promise<void> {
  const mode = process.argv[2] === 'cached' ? 'cached' : 'plain';
  if (mode === 'cached') cacheRowShapes();
  const pool = new Pool({ ...poolOptions({ url: DATABASE_URL, poolSize: 1 }), max: 1 });
  try {
    const sample = await pool.query<{ uuid: string }>(`SELECT uuid FROM sessions TABLESAMPLE SYSTEM (1) LIMIT 1000`);
    const uuids = sample.rows.map((row) => row.uuid);
    const { page } = listStatements({
      scope: { liveOnly: true },
      filters: {},
      order: [{ field: 'id', descending: false }],
      offset: 0,
      limit: 20,
    });
    const retrieve = await cpuPerQuery(pool, 20_000, (i) =>
      queryConfig(SESSION_BY_UUID_SQL, [uuids[i % uuids.length]], { prepare: true }),
    );
    const list = await cpuPerQuery(pool, 5_000, () => queryConfig(page.text, page.params, { prepare: true }));
    console.log(
      `${mode}: retrieve's statement (1 row) ${retrieve.toFixed(1)} µs, a list page (20 rows) ${list.toFixed(1)} µs of client CPU per query`,
    );
  } finally {
    await pool.end();
  }
}

void main();
