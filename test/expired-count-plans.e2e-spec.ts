import { ANY_EXPIRED_UNSWEPT_SQL } from '../src/sessions/persistence/housekeeping.store';
import { broadSearchCount, listStatement } from '../src/sessions/persistence/session-list.sql';
import { EXPIRED_UNSWEPT_SQL } from '../src/sessions/persistence/session.sql';
import { SessionQuery } from '../src/sessions/session-query';
import { SESSION_SELECT } from '../src/sessions/persistence/tables/sessions.table';
import { usersWithLiveWithTotalSql } from '../src/sessions/persistence/users-with-live.sql';
import { makeSession, makeUser } from './support/factories';
import { Http } from './support/http';
import { engines, startTestApp, TestApp } from './support/test-app';

/** Copies of `template` (a session's uuid): every fourth one live for about a day more, the others ended about a day ago. */
async function plantSessions(t: TestApp, template: string, copies: number): Promise<void> {
  const copied = (
    await t.sql<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'sessions' AND is_generated = 'NEVER'
          AND column_name NOT IN ('id', 'uuid', 'pfid', 'token_hash', 'status', 'ended_at', 'expires_at')`,
    )
  ).map((c) => `"${c.name}"`);
  await t.sql(
    `INSERT INTO sessions (${copied.join(', ')}, uuid, pfid, token_hash, status, ended_at, expires_at)
     SELECT ${copied.map((c) => `t.${c}`).join(', ')}, gen_random_uuid(), substr(md5(g || 'pfid'), 1, 32),
       md5(g || 'a') || md5(g || 'b'),
       CASE WHEN g % 4 = 0 THEN 'authenticated' ELSE 'complete' END,
       CASE WHEN g % 4 = 0 THEN NULL ELSE now() - interval '1 day' END,
       -- In no order on disk, as logins, renewals and ends leave them.
       CASE WHEN g % 4 = 0 THEN now() + interval '1 day' ELSE now() - interval '2 days' END
         + ((hashint4(g)::bigint % 43200 + 43200) % 43200) * interval '1 second'
     FROM sessions t, generate_series(1, $2::int) g WHERE t.uuid = $1`,
    [template, copies],
  );
  await t.sql('ANALYZE sessions');
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

/**
 * Where the plan reads sessions without bounds: a sequential scan (every session), or a bitmap of an index without
 * an index condition (every entry: under the live-status predicate, every live session). Small tables, such as the
 * counters, may be read whole.
 */
function sessionsReadWhole(node: PlanNode): string[] {
  const whole =
    (node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'sessions') ||
    (node['Node Type'] === 'Bitmap Index Scan' && node['Index Name']?.startsWith('sessions_') && !node['Index Cond']);
  return [
    ...(whole ? [`${node['Node Type']} ${node['Relation Name'] ?? node['Index Name']}`] : []),
    ...(node.Plans ?? []).flatMap(sessionsReadWhole),
  ];
}

const superuserList = (filters: SessionQuery['filters'] = {}): SessionQuery => ({
  scope: { liveOnly: true },
  filters,
  order: [{ field: 'username', descending: false }],
  offset: 0,
  limit: 20,
});

/**
 * The statements that subtract sessions past expiry the sweeper has not marked yet read a short range of
 * sessions_live_expires, also where ended sessions (all past their expiry) outnumber live ones and the planner's
 * estimate for `expires_at <= now()` alone is most of the table.
 */
describe.each(engines())('counting expired sessions on %s', (engine) => {
  let t: TestApp;
  let admin: Http;

  beforeAll(async () => {
    // Planting 40,000 sessions is one statement that took over the service's 5 s limit on a busy CI machine; the
    // plans are what this suite checks, not the limit.
    t = await startTestApp(engine, { STATEMENT_TIMEOUT_MS: '120000' });
    admin = new Http(t.baseUrl, t.adminKey);
    const user = await makeUser(admin);
    await plantSessions(t, (await makeSession(admin, user)).uuid, 40_000);
  }, 120_000);
  afterAll(() => t.close());

  const plan = async (text: string, params: unknown[] = []): Promise<PlanNode> => {
    const [row] = await t.sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
    return row['QUERY PLAN'][0].Plan;
  };

  it('should probe for the sweep without reading the whole table', async () => {
    expect(sessionsReadWhole(await plan(ANY_EXPIRED_UNSWEPT_SQL))).toEqual([]);
  });

  it('should count them from the index', async () => {
    expect(sessionsReadWhole(await plan(`SELECT count(*) FROM sessions s WHERE ${EXPIRED_UNSWEPT_SQL}`))).toEqual([]);
  });

  it("should list with exact totals without reading the whole table: authentik's, a broad search's, MOVENS' users", async () => {
    const list = listStatement(superuserList(), SESSION_SELECT);
    expect(sessionsReadWhole(await plan(list.text, list.params))).toEqual([]);
    const broad = broadSearchCount(superuserList({ searchTerms: ['mozilla'] }), 'mozilla');
    expect(sessionsReadWhole(await plan(broad.text, broad.params))).toEqual([]);
    expect(sessionsReadWhole(await plan(usersWithLiveWithTotalSql(20, 0)))).toEqual([]);
  });

  it('should still find exactly the sessions past expiry', async () => {
    const due = async () =>
      (await t.sql<{ due: boolean }>(ANY_EXPIRED_UNSWEPT_SQL))[0].due &&
      Number((await t.sql<{ n: string }>(`SELECT count(*) AS n FROM sessions s WHERE ${EXPIRED_UNSWEPT_SQL}`))[0].n);
    expect(await due()).toBe(false);
    const live = 10_001; // every fourth of the 40,000 copies, and the template
    const total = async () =>
      (await admin.get('/api/v3/core/authenticated_sessions/?page_size=1')).body.pagination.count;
    expect(await total()).toBe(live);
    await t.sql(
      `UPDATE sessions SET expires_at = now() - interval '1 minute'
        WHERE id IN (SELECT id FROM sessions WHERE status = 'authenticated' ORDER BY id LIMIT 3)`,
    );
    expect(await due()).toBe(3);
    expect(await total()).toBe(live - 3);
  });
});
