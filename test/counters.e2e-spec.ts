import { generatePfid } from '../src/sessions/pfid';
import { SessionScope } from '../src/sessions/session-query';
import { Caller } from '../src/sessions/session.model';
import { domainOf } from './support/domain';
import { ALL_SESSION_FIELDS } from '../src/sessions/persistence/tables/sessions.table';
import { USER_AGENTS } from './support/factories';
import { engines, startTestApp, TestApp } from './support/test-app';

const LIVE = `status IN ('new', 'unauthenticated', 'authenticated')`;

/**
 * List totals come from counters that triggers keep (migration CountersAndListIndexes), not from count(*). These
 * tests change sessions every way the service can (login, logout, revoke, revoke-all, expiry, sweep, purge, many
 * logins at once) and check after each step that every total a face shows equals a count of the rows themselves.
 */
describe.each(engines())('exact list totals from counters on %s', (engine) => {
  let t: TestApp;
  let domain: ReturnType<typeof domainOf>;
  let root: Caller;
  const pool = generatePfid();

  beforeAll(async () => {
    t = await startTestApp(engine, { RETENTION_DAYS: '1' });
    domain = domainOf(t.app);
    root = await domain.credentials.authenticate(t.adminKey);
  });
  afterAll(() => t?.close());

  /** A list read as the hub face does, scoped as given and unfiltered. */
  const list = (
    scope: SessionScope,
    order: { field: 'id' | 'username' | 'last_seen'; descending: boolean }[],
    limit: number,
  ) => domain.sessions.listSessions(root, { scope, filters: {}, order, offset: 0, limit }, 'hub', ALL_SESSION_FIELDS);

  const count = async (where: string, params: unknown[] = []) =>
    Number((await t.sql<{ n: number }>(`SELECT count(*) AS n FROM sessions WHERE ${where}`, params))[0].n);

  /**
   * Search terms: broad ones (through user agents, answered from the agent counters), names, and a term both hold
   * ('curl': the user curly and the curl agent, counted once through the per-user agent counters).
   */
  const SEARCH_TERMS = ['mozilla', 'Safari', 'windows', 'curl', 'alice', 'bob-', 'nothing-matches', '81.2', 'é'];

  /** A superuser's search over every live session: its total and first page, against the rows. */
  const expectExactSearches = async () => {
    for (const term of SEARCH_TERMS) {
      const found = await domain.sessions.listSessions(
        root,
        {
          scope: { liveOnly: true },
          filters: { searchTerms: [term] },
          order: [{ field: 'username', descending: false }],
          offset: 0,
          limit: 3,
        },
        'authentik',
        ALL_SESSION_FIELDS,
      );
      const pattern = `%${term.toLowerCase()}%`;
      const rows = await t.sql<{ id: number }>(
        `SELECT id FROM sessions WHERE ${LIVE} AND expires_at > now()
           AND (user_id IN (SELECT id FROM users WHERE username ILIKE $1)
             OR lower(host(last_ip) || chr(31) || last_user_agent) LIKE $1)
         ORDER BY username, id`,
        [pattern],
      );
      expect([term, found.total]).toEqual([term, rows.length]);
      expect([term, found.items.map((s) => s.id)]).toEqual([term, rows.slice(0, 3).map((r) => Number(r.id))]);
    }
  };

  /** Every total the faces read, against the rows. */
  const expectExactTotals = async () => {
    await expectExactSearches();
    // Each user's live-status sessions per agent (what a search that names and agents both hold counts once).
    const kept = await t.sql(
      `SELECT user_id, agent_hash, n FROM live_user_agent_counts WHERE n <> 0 ORDER BY user_id, agent_hash`,
    );
    const recounted = await t.sql(
      `SELECT user_id, md5(last_user_agent)::uuid AS agent_hash, count(*)::int AS n FROM sessions WHERE ${LIVE}
       GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(kept).toEqual(recounted);
    const liveNow = `${LIVE} AND expires_at > now()`;
    const all = await list({ liveOnly: false }, [{ field: 'id', descending: false }], 1);
    expect(all.total).toBe(await count('true'));
    const live = await list({ liveOnly: true }, [{ field: 'username', descending: false }], 1);
    expect(live.total).toBe(await count(liveNow));
    const inPool = await list({ liveOnly: false, poolId: pool }, [{ field: 'last_seen', descending: true }], 1);
    expect(inPool.total).toBe(await count('pool_id = $1', [pool]));
    const users = await domain.sessions.usersWithLiveSessions(root, 0, 100);
    const expected = await t.sql<{ user_id: number; n: number }>(
      `SELECT user_id, count(*) AS n FROM sessions WHERE ${liveNow} GROUP BY user_id ORDER BY user_id`,
    );
    expect(users.total).toBe(expected.length);
    const byUuid = new Map(users.items.map((u) => [u.userUuid, u.count]));
    for (const row of expected) {
      const user = (await domain.accounts.findUser(Number(row.user_id)))!;
      expect([user.username, byUuid.get(user.uuid)]).toEqual([user.username, Number(row.n)]);
      const own = await list({ liveOnly: true, userIds: [user.id] }, [{ field: 'last_seen', descending: true }], 1);
      expect(own.total).toBe(Number(row.n));
    }
  };

  const login = (user: string, extra: Record<string, unknown> = {}) =>
    domain.sessions.createSession(root, { user, ip: '81.2.69.160', userAgent: USER_AGENTS.macSafari, ...extra });

  it('should keep every total exact through logins, logouts, revocations, expiry, sweeping and purging', async () => {
    const alice = await domain.accounts.createUser(root, { username: `alice-${engine}` });
    const bob = await domain.accounts.createUser(root, { username: `bob-${engine}` });
    const carol = await domain.accounts.createUser(root, { username: `carol-${engine}` });
    const a = [];
    for (let i = 0; i < 5; i++) a.push((await login(alice.username)).session);
    for (let i = 0; i < 3; i++) await login(bob.username, { poolId: pool });
    const c = (await login(carol.username, { poolId: pool, status: 'new' })).session;
    const curly = await domain.accounts.createUser(root, { username: `curly-${engine}` });
    const curlys = [(await login(curly.username)).session, (await login(curly.username)).session];
    await login(curly.username, { userAgent: USER_AGENTS.curl });
    await expectExactTotals();

    // A new user agent on a live session moves it from one agent's counter to another's.
    const moved = await login(alice.username);
    await login(alice.username, { userAgent: USER_AGENTS.curl });
    await domain.credentials.validate(moved.token, undefined, USER_AGENTS.windowsChrome);
    await expectExactTotals();

    await domain.sessions.revokeSession(root, { uuid: a[0].uuid }, 'authentik');
    await domain.sessions.endSession(root, { uuid: a[1].uuid }, 'hub');
    await expectExactTotals();

    expect(await domain.sessions.revokeAllForUser(root, bob.id, null, 'hub')).toBe(3);
    await expectExactTotals();

    // Expired but not yet swept: gone from every live total at once, and carol from the users with live sessions.
    await t.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = ANY($1::bigint[])`, [
      [a[2].id, c.id, curlys[0].id],
    ]);
    await expectExactTotals();
    expect((await domain.sessions.usersWithLiveSessions(root, 0, 100)).items.map((u) => u.username)).not.toContain(
      carol.username,
    );

    expect(await t.sql(`SELECT 1 FROM live_user_agent_counts WHERE n = 0 LIMIT 1`)).not.toEqual([]);
    expect(await domain.housekeeping.run()).toEqual({ expired: 3, purged: 0, eventsPurged: 0 });
    // Counters of (user, agent) pairs no live session holds any longer are gone.
    expect(await t.sql(`SELECT 1 FROM live_user_agent_counts WHERE n = 0`)).toEqual([]);
    await expectExactTotals();

    // Ended long ago: purged, and gone from the all-status totals too.
    await t.sql(`UPDATE sessions SET ended_at = now() - interval '3 days' WHERE user_id = $1`, [bob.id]);
    expect((await domain.housekeeping.run()).purged).toBe(3);
    await expectExactTotals();
  });

  it('should count many logins of one user made at the same time', async () => {
    const dave = await domain.accounts.createUser(root, { username: `dave-${engine}` });
    await Promise.all(Array.from({ length: 20 }, () => login(dave.username, { poolId: pool })));
    await expectExactTotals();
    expect((await list({ liveOnly: true, userIds: [dave.id] }, [{ field: 'id', descending: false }], 5)).total).toBe(
      20,
    );
  });
});
