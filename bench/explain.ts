/**
 * Prints EXPLAIN (ANALYZE, BUFFERS) of every benchmarked read, with the service's own SQL text
 * (src/sessions/persistence/*.sql.ts), against the benchmark database:
 *
 *   node -r ts-node/register/transpile-only bench/explain.ts > plans.txt
 *
 * BENCH_DATABASE_URL as for `npm run bench` (postgres://postgres@127.0.0.1:5432/sessionhub_bench).
 */
import { Client } from 'pg';
import { Statement } from '../src/database/database';
import { poolOptions } from '../src/database/postgres-database';
import { TOKEN_BY_HASH_SQL } from '../src/sessions/persistence/account.sql';
import { listStatements } from '../src/sessions/persistence/session-list.sql';
import { USERS_WITH_LIVE_COUNT_SQL, usersWithLivePageSql } from '../src/sessions/persistence/users-with-live.sql';
import {
  LIVE_SESSION_BY_TOKEN_SQL,
  SESSION_BY_PFID_SQL,
  SESSION_BY_UUID_SQL,
} from '../src/sessions/persistence/session.sql';
import { SessionQuery } from '../src/sessions/session-query';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sessionhub_bench';

async function main(): Promise<void> {
  // The service's connection settings (jit and parallel workers off), on one client.
  const db = new Client({
    connectionString: DATABASE_URL,
    options: poolOptions({ url: DATABASE_URL, poolSize: 1 }).options,
  });
  await db.connect();
  try {
    const one = async (sql: string) => (await db.query(sql)).rows[0] as Record<string, unknown>;
    const user = await one(
      `SELECT u.id, u.uuid, u.username FROM live_session_counts c JOIN users u ON u.id = c.user_id WHERE c.n > 0
       AND NOT u.is_superuser ORDER BY u.username OFFSET (SELECT count(*) / 2 FROM live_session_counts WHERE n > 0) LIMIT 1`,
    );
    const session = await one(
      `SELECT uuid, pfid, token_hash FROM sessions WHERE status = 'authenticated' AND expires_at > now() LIMIT 1`,
    );
    const pool = String((await one(`SELECT value FROM settings WHERE key = 'default_pool_id'`)).value);
    const username = String(user.username);
    const base: SessionQuery = {
      scope: { liveOnly: true },
      filters: {},
      order: [{ field: 'username', descending: false }],
      offset: 0,
      limit: 20,
    };
    const bySeen: SessionQuery['order'] = [{ field: 'last_seen', descending: true }];
    const lists: [string, SessionQuery][] = [
      ['authentik list (default order: username)', base],
      ['authentik list ?user__username', { ...base, filters: { username } }],
      [
        'authentik list ?search (a name several users share)',
        { ...base, filters: { searchTerms: [username.replace(/\d+$/, '')] } },
      ],
      ['authentik list ?ordering=-session__last_used', { ...base, order: bySeen }],
      [
        'authentik list, a user who is not a superuser',
        { ...base, scope: { liveOnly: true, userIds: [Number(user.id)] } },
      ],
      [
        'Prefactor list ?pool_id (default sorting: -last_seen)',
        { ...base, scope: { liveOnly: false, poolId: pool }, order: bySeen },
      ],
      ['MOVENS user-sessions', { ...base, scope: { liveOnly: true, userIds: [Number(user.id)] }, order: bySeen }],
    ];
    const statements: [string, Statement][] = [];
    for (const [name, query] of lists) {
      const { count, page, combined } = listStatements(query);
      if (combined) statements.push([`${name}: total and page in one statement`, combined]);
      else statements.push([`${name}: count`, count], [`${name}: page`, page]);
    }
    statements.push(
      ['MOVENS list: count', { text: USERS_WITH_LIVE_COUNT_SQL, params: [] }],
      ['MOVENS list: page', { text: usersWithLivePageSql(20, 0), params: [] }],
      ['authentik retrieve', { text: SESSION_BY_UUID_SQL, params: [session.uuid] }],
      ['Prefactor fetch', { text: SESSION_BY_PFID_SQL, params: [session.pfid] }],
      ['hub validate', { text: LIVE_SESSION_BY_TOKEN_SQL, params: [session.token_hash] }],
      ['credentials (API token)', { text: TOKEN_BY_HASH_SQL, params: ['0'.repeat(64)] }],
    );
    for (const [name, statement] of statements) {
      // Once to warm the cache, once measured.
      await db.query(statement.text, statement.params);
      const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.params);
      console.log(
        `### ${name}\n\n\`\`\`\n${plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`,
      );
    }
  } finally {
    await db.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
