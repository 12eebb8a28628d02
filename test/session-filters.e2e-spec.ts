import { AgentCountsSnapshot } from '../src/sessions/persistence/agent-counts-snapshot';
import {
  counterFor,
  decidableTerm,
  listStatement,
  ownersSearchStatement,
  whereOf,
} from '../src/sessions/persistence/session-list.sql';
import { Caller } from '../src/sessions/session.model';
import { SessionFilters, SessionScope } from '../src/sessions/session-query';
import { domainOf } from './support/domain';
import { ALL_SESSION_FIELDS } from '../src/sessions/persistence/tables/sessions.table';
import { USER_AGENTS } from './support/factories';
import { engines, startTestApp, TestApp } from './support/test-app';

/**
 * Search and filter semantics live only in SQL (session-list.sql.ts), and whether a total comes from the counter
 * tables or from count(*) derives from the query itself. Every filter the domain offers is listed here (the
 * Record type makes a new one fail to compile until it has a sample), and every combination of scope and filter
 * is proved against count(*) over the same rows.
 */
const FILTER_SAMPLES: { [K in keyof SessionFilters]-?: NonNullable<SessionFilters[K]>[] } = {
  username: ['ann-filters', 'nobody'],
  lastIp: ['203.0.113.1', '2001:DB8:0::1'],
  lastUserAgent: [USER_AGENTS.windowsChrome],
  searchTerms: [['ANN'], ['203.0.113', 'MACINTOSH'], ['%'], ['ann-filters\x1f203']],
};

describe.each(engines())('session filters and exact totals on %s', (engine) => {
  let t: TestApp;
  let domain: ReturnType<typeof domainOf>;
  let root: Caller;
  let users: { ann: number; ben: number };
  const pool = '01kc0000000000000000000000000000';
  /** The account the logins fell into (the installation's default): pool+account pairs with sessions in them. */
  let loginAccount = '';

  beforeAll(async () => {
    t = await startTestApp(engine);
    domain = domainOf(t.app);
    root = await domain.credentials.authenticate(t.adminKey);
    const ann = await domain.accounts.insertUser({ username: 'ann-filters' });
    const ben = await domain.accounts.insertUser({ username: 'ben-filters' });
    users = { ann: ann.id, ben: ben.id };
    const logins = [
      [ann, '203.0.113.1', USER_AGENTS.macSafari, undefined],
      [ann, '203.0.113.2', USER_AGENTS.windowsChrome, pool],
      [ben, '2001:db8::1', 'curl/8.5.0', pool],
      [ben, '198.51.100.9', USER_AGENTS.linuxFirefox, undefined],
    ] as const;
    for (const [user, ip, userAgent, poolId] of logins) {
      const { session } = await domain.sessions.createSession(root, { user: user.id, ip, userAgent, poolId });
      loginAccount = session.accountId;
    }
    // One ended and one expired-but-unswept session, so live and all-status totals differ.
    const { session: ended } = await domain.sessions.createSession(root, {
      user: ben.id,
      ip: '192.0.2.1',
      userAgent: 'x',
    });
    await domain.sessions.revokeSession(root, { id: ended.id }, 'hub');
    const { session: expired } = await domain.sessions.createSession(root, {
      user: ann.id,
      ip: '192.0.2.2',
      userAgent: 'x',
    });
    await t.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
  });
  afterAll(() => t?.close());

  const scopes = (): SessionScope[] => {
    const result: SessionScope[] = [];
    for (const liveOnly of [true, false])
      for (const userIds of [undefined, [users.ann], [users.ann, users.ben]])
        for (const poolId of [undefined, pool])
          for (const accountId of [undefined, '01kc1111111111111111111111111111', loginAccount])
            result.push({ liveOnly, userIds, poolId, accountId });
    return result;
  };

  const filterSets = (): SessionFilters[] => {
    const sets: SessionFilters[] = [{}];
    for (const key of Object.keys(FILTER_SAMPLES) as (keyof SessionFilters)[])
      for (const value of FILTER_SAMPLES[key]) sets.push({ [key]: value });
    sets.push({ username: 'ann-filters', searchTerms: ['203'] });
    return sets;
  };

  it('should give every scope and filter the total count(*) gives, counters only where no filter is set', async () => {
    let checked = 0;
    for (const scope of scopes()) {
      for (const filters of filterSets()) {
        const page = await domain.sessions.listSessions(
          root,
          { scope, filters, order: [{ field: 'id', descending: false }], offset: 0, limit: 100 },
          'hub',
          ALL_SESSION_FIELDS,
        );
        const where = whereOf(scope, filters);
        const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*) AS n FROM sessions s ${where.text}`, where.params);
        expect([scope, filters, page.total]).toEqual([scope, filters, Number(n)]);
        expect(page.items.length).toBe(Number(n));
        const anyFilter = Object.values(filters).some((v) => v !== undefined);
        if (anyFilter) expect(counterFor(scope, filters)).toBeNull();
        checked++;
      }
    }
    expect(checked).toBe(scopes().length * filterSets().length);
  });

  it('should never use a counter for a filter or scope key it does not know', () => {
    const unknownFilter = { someNewFilter: 'x' } as unknown as SessionFilters;
    expect(counterFor({ liveOnly: true }, unknownFilter)).toBeNull();
    const unknownScope = { liveOnly: true, someNewScope: 'x' } as unknown as SessionScope;
    expect(counterFor(unknownScope, {})).toBeNull();
    expect(counterFor({ liveOnly: true }, {})).not.toBeNull();
    expect(counterFor({ liveOnly: false, poolId: pool, accountId: loginAccount }, {})).not.toBeNull();
  });

  it('matches search terms and exact filters on a detail lookup, as authentik narrows a retrieve', async () => {
    const { session } = await domain.sessions.createSession(root, {
      user: 'ann-filters',
      ip: '2001:db8::1',
      userAgent: 'curl/8.5.0',
    });
    const matches = (filters: SessionFilters) =>
      domain.sessions.getLiveMatching(root, session.uuid, filters, 'authentik').then(
        () => true,
        () => false,
      );
    expect(await matches({ searchTerms: ['ANN', 'CURL', 'db8'] })).toBe(true);
    expect(await matches({ searchTerms: ['ann bob'] })).toBe(false);
    expect(await matches({ lastIp: '2001:DB8:0::1', username: 'ann-filters', lastUserAgent: 'curl/8.5.0' })).toBe(true);
    expect(await matches({ username: 'Ann-filters' })).toBe(false);
    expect(await matches({ lastIp: '2001:db8::2' })).toBe(false);
  });

  /** A superuser's search of every live session, the first `limit` in `field`'s ascending order. */
  const searchLive = (term: string, field: 'id' | 'username', limit: number) =>
    domain.sessions.listSessions(
      root,
      {
        scope: { liveOnly: true },
        filters: { searchTerms: [term] },
        order: [{ field, descending: false }],
        offset: 0,
        limit,
      },
      'hub',
      ALL_SESSION_FIELDS,
    );

  it('should find live sessions by name, address or agent as a plain pattern match does, a brand-new agent at once', async () => {
    // The search asks the live agents' counters first whether any agent holds a term that only an agent could hold
    // (session-list.sql.ts, agentGate); the plain match below does not, so a gate that misses an agent fails here.
    const agent = `SearchProbe/${Date.now()} (Gate)`;
    const oracle = async (term: string) => {
      const [{ n }] = await t.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.status IN ('new', 'unauthenticated', 'authenticated') AND s.expires_at > now()
           AND (lower(u.username) LIKE $1 OR lower(host(s.last_ip) || E'\\x1f' || s.last_user_agent) LIKE $1)`,
        [`%${term.toLowerCase()}%`],
      );
      return n;
    };
    const total = async (term: string) => (await searchLive(term, 'id', 100)).total;
    const terms = ['ann-f', 'macintosh', 'CURL/8', 'searchprobe', 'gate)', 'no-such-thing', '203.0.113', 'db8', 'x'];
    for (const term of terms) expect([term, await total(term)]).toEqual([term, await oracle(term)]);
    expect(await total('searchprobe')).toBe(0);
    await domain.sessions.createSession(root, { user: 'ben-filters', ip: '192.0.2.77', userAgent: agent });
    for (const term of terms) expect([term, await total(term)]).toEqual([term, await oracle(term)]);
    expect(await total('searchprobe')).toBe(1);
    expect(await total('gate)')).toBe(1);
  });

  it("should find a name an agent took up after the copy of the live agents was read, in the users' order", async () => {
    // The store takes ownersSearchStatement when its copy of the live agents (a few seconds old) holds no match;
    // the statement checks the agents itself, and a match that came since sends the search to the full statement.
    const noneHold = jest.spyOn(AgentCountsSnapshot.prototype, 'noneHold');
    try {
      await searchAfterTheCopy(noneHold);
    } finally {
      noneHold.mockRestore();
    }
  });

  async function searchAfterTheCopy(noneHold: jest.SpyInstance<boolean, [string]>): Promise<void> {
    const term = 'latecomer';
    const user = await domain.accounts.insertUser({ username: 'latecomer-owner' });
    await domain.sessions.createSession(root, { user: user.id, ip: '192.0.2.60', userAgent: 'other/2' });
    const search = () => searchLive(term, 'username', 20);
    const lastAnswer = () => noneHold.mock.results[noneHold.mock.results.length - 1]?.value as boolean | undefined;
    // Until the copy is read the store asks the full statement; once read, it holds no agent with the term.
    for (let tries = 0; lastAnswer() !== true && tries < 100; tries++) {
      expect((await search()).total).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(lastAnswer()).toBe(true);
    const { session } = await domain.sessions.createSession(root, {
      user: 'ben-filters',
      ip: '192.0.2.61',
      userAgent: 'Latecomer/1.0',
    });
    const page = await search();
    expect(lastAnswer()).toBe(true);
    expect(page.total).toBe(2);
    expect(page.items.map((x) => x.id)).toEqual(
      [...page.items].sort((a, b) => a.username.localeCompare(b.username) || a.id - b.id).map((x) => x.id),
    );
    expect(page.items.map((x) => x.id)).toContain(session.id);
  }

  it('should page a name many sessions share as a plain match does, in every order, by the walks', async () => {
    // A name no agent holds is counted from its users' counters and its page found from its users or by the walk
    // (nameSearchDecision, ownersTopSql and walkPageStatement in session-list.sql.ts); on a database this small
    // every such name takes that path, so any page or total they get wrong differs from the plain match here.
    const names = ['zed-walker', 'ada-walker', 'mia-walker2', 'bo-walker'];
    for (const [n, username] of names.entries()) {
      const user = await domain.accounts.insertUser({ username });
      for (let i = 0; i < 3 + n; i++) {
        // Half under an agent the term 'walk' also holds: those the search must count once, not twice.
        const userAgent = i % 2 ? 'walk/1' : 'other/2';
        await domain.sessions.createSession(root, { user: user.id, ip: `192.0.2.${10 + i}`, userAgent });
      }
    }
    // The agent alone holds 'walk' for this one.
    await domain.sessions.createSession(root, { user: 'ann-filters', ip: '192.0.2.9', userAgent: 'walk/1' });
    // Past expiry but not swept yet: counted by the users' counters, so the total must subtract it.
    await t.sql(
      `UPDATE sessions SET expires_at = now() - interval '1 second'
       WHERE id = (SELECT min(s.id) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'mia-walker2')`,
    );
    const orders = {
      username: 's.username ASC, s.id ASC',
      '-username': 's.username DESC, s.id ASC',
      user: 's.user_id ASC, s.id ASC',
      '-user,-id': 's.user_id DESC, s.id DESC',
      '-last_seen': 's.last_seen_at DESC, s.id ASC',
    };
    // 'walker' no agent holds (counted, paged by the users or the walk); 'walk' the agent 'walk/1' holds too
    // (counted from the agents', users' and per-user agents' counters, paged by the walk: broadSearchCount).
    for (const [term, [order, sql]] of ['WALKER', 'walk'].flatMap((term) =>
      Object.entries(orders).map((entry) => [term, entry] as const),
    )) {
      const fields = order.split(',').map((f) => ({
        field: f.replace('-', '') as 'username' | 'user' | 'id' | 'last_seen',
        descending: f.startsWith('-'),
      }));
      for (const [offset, limit] of [
        [0, 5],
        [4, 5],
        [15, 5],
        [0, 100],
      ]) {
        const expected = await t.sql<{ id: string }>(
          `SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.status IN ('new', 'unauthenticated', 'authenticated') AND s.expires_at > now()
             AND (lower(u.username) LIKE $1 OR lower(host(s.last_ip) || E'\\x1f' || s.last_user_agent) LIKE $1)
           ORDER BY ${sql}`,
          [`%${term.toLowerCase()}%`],
        );
        const query = { scope: { liveOnly: true }, filters: { searchTerms: [term] }, order: fields, offset, limit };
        const page = await domain.sessions.listSessions(root, query, 'hub', ALL_SESSION_FIELDS);
        const want = expected.slice(offset, offset + limit).map((x) => String(x.id));
        expect([term, order, offset, page.total]).toEqual([term, order, offset, expected.length]);
        expect([term, order, offset, page.items.map((x) => String(x.id))]).toEqual([term, order, offset, want]);
        // The search's own statement, as a database with many more sessions runs it (here the store walks first
        // for 'walk', its agents being most sessions): for the users' orders with an agent holding the term, their
        // sessions merged with the other users' under that agent (nameSearchDecision's `merge`).
        const direct = listStatement(query, 's.id');
        const rows = await t.sql<{ id: string | null; total: string; walk: boolean }>(direct.text, direct.params);
        if (!rows[0].walk) {
          expect([term, order, offset, Number(rows[0].total)]).toEqual([term, order, offset, expected.length]);
          const ids = rows.filter((r) => r.id != null).map((r) => String(r.id));
          expect([term, order, offset, ids]).toEqual([term, order, offset, want]);
        }
        // The statement for a name no agent holds, in its users' orders: the same page and total; for a term an
        // agent holds, no page and `agents_hold`, so the store asks the statement above instead.
        const owners = ownersSearchStatement(query, 's.id', decidableTerm(query)!);
        expect(owners === null).toBe(order === '-last_seen');
        if (owners) {
          const answer = await t.sql<{ id: string | null; total: string; agents_hold: boolean }>(
            owners.text,
            owners.params,
          );
          const ids = answer.filter((r) => r.id != null).map((r) => String(r.id));
          if (term === 'walk') expect([order, offset, answer[0].agents_hold, ids]).toEqual([order, offset, true, []]);
          else {
            expect([order, offset, answer[0].agents_hold, Number(answer[0].total)]).toEqual([
              order,
              offset,
              false,
              expected.length,
            ]);
            expect([order, offset, ids]).toEqual([order, offset, want]);
          }
        }
      }
    }
    expect(await t.sql(`SELECT 1 FROM live_agent_counts WHERE lower(agent) LIKE '%walker%'`)).toEqual([]);
  });
});
