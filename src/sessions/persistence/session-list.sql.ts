import { Statement } from '../../database/database';
import { SessionFilters, SessionQuery, SessionScope, SessionSortField } from '../session-query';
import { EXPIRED_UNSWEPT_SQL, LIVE_SQL } from './session.sql';
import { SESSION_SELECT, USER_ROW_READ, usersJoinFor } from './tables/sessions.table';

/**
 * The SQL of the session lists, as pure functions: the store runs it, and the benchmark's floor server
 * (bench/floor-server.ts) runs exactly the same text through the same driver.
 */

export const SORT_COLUMNS: Record<SessionSortField, string> = {
  id: 's.id',
  uuid: 's.uuid',
  user: 's.user_id',
  username: 's.username',
  status: 's.status',
  title: 's.title',
  last_ip: 's.last_ip',
  last_user_agent: 's.last_user_agent',
  last_seen: 's.last_seen_at',
  expires: 's.expires_at',
  created: 's.created_at',
  pfid: 's.pfid',
};

const SEARCH_FIELD_SEPARATOR = '\x1f';
/** The expression of the trigram index sessions_live_search_agent_ip (migration ListIndexTuning). */
const AGENT_IP_SEARCH = `lower(host(s.last_ip) || E'\\x1f' || s.last_user_agent)`;

/** Every character an address can show in `host()` text: a term with any other cannot match an address. */
const ADDRESS_CHARACTERS = /^[0-9a-f.:]*$/;

function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => '\\' + c);
}

/**
 * LIMIT and OFFSET as literals, not parameters: a prepared statement's generic plan cannot see a parameter's
 * value and plans for a tenth of the table, which turns a 20-row index walk into a full sort.
 */
export function limitOffset(limit: number, offset: number): string {
  const int = (n: number, max: number) => Math.min(Math.max(0, Math.trunc(Number(n)) || 0), max);
  return `LIMIT ${int(limit, 1000)} OFFSET ${int(offset, Number.MAX_SAFE_INTEGER)}`;
}

type Push = (value: unknown) => number;

/** Each scope key's SQL. */
function scopeClauses(scope: SessionScope, push: Push): string[] {
  const clauses: string[] = [];
  if (scope.liveOnly) clauses.push(LIVE_SQL);
  // One user is an equality, not `= ANY`: only then can (user_id, ...) indexes hand rows over already ordered.
  if (scope.userIds?.length === 1) clauses.push(`s.user_id = $${push(scope.userIds[0])}`);
  else if (scope.userIds) clauses.push(`s.user_id = ANY($${push(scope.userIds)}::int[])`);
  if (scope.poolId !== undefined) clauses.push(`s.pool_id = $${push(scope.poolId)}`);
  if (scope.accountId !== undefined) clauses.push(`s.account_id = $${push(scope.accountId)}`);
  return clauses;
}

/**
 * How a filter's SQL will be used: `walk`, testing the rows an ordered index walk passes (see whereOf); `live`, over
 * live sessions only (the scope's liveOnly).
 */
interface FilterUse {
  walk: boolean;
  live: boolean;
  /**
   * The search runs under SEARCH_DECISION (a one-term name search, see nameSearchDecision): the matching users and
   * whether any live agent holds the term are read from it, not found a second time.
   */
  decided?: boolean;
}

/**
 * Each filter's SQL: the only place filter and search semantics live (lists, and detail lookups narrowed by the
 * same filters, as authentik's filter backends narrow a retrieve). The Record type makes a new filter name its SQL.
 */
const FILTER_SQL: {
  [K in keyof SessionFilters]-?: (value: NonNullable<SessionFilters[K]>, push: Push, use: FilterUse) => string[];
} = {
  username: (value, push) => [`s.username = $${push(value)}`],
  lastIp: (value, push) => [`s.last_ip = $${push(value)}::inet`],
  lastUserAgent: (value, push) => [`s.last_user_agent = $${push(value)}`],
  searchTerms: (terms, push, { walk, live, decided }) =>
    terms.map((term) => {
      // A term holding the field separator could only match across two fields: it matches nothing.
      if (term.includes(SEARCH_FIELD_SEPARATOR)) return 'false';
      // The username through users' trigram index (sessions of the matching users by user id), or the last IP
      // and user agent through sessions_live_search_agent_ip: each index holds one kind of text, so a name
      // fragment does not walk the posting lists of every session's user agent.
      const lowered = term.toLowerCase();
      const p = push(`%${escapeLike(lowered)}%`);
      if (decided) {
        // When the decision merges (`merge`: its users' sessions come from ownersTopSql), only the other users'
        // sessions under a matching agent are gathered: the users' arm gets no ids (its index returns nothing) and
        // a session's own copy of its username leaves the users' out.
        const decision = (column: string) => `(SELECT ${column} FROM ${SEARCH_DECISION} d)`;
        const owners = decision(`CASE WHEN d.merge THEN '{}'::int[] ELSE d.owners END`);
        const gate = `(CASE WHEN ${decision('d.agents_hold')} THEN $${p} END)`;
        return `((s.user_id = ANY(${owners}::int[]) OR ${AGENT_IP_SEARCH} LIKE ${gate}) AND NOT (${decision('d.merge')} AND s.username ILIKE $${p}))`;
      }
      const users = ownersSql(`$${p}`);
      // The ordered walk of a broad term tests each row it passes: the same test written so that no index
      // matches it. Given the chance, the planner trusts the trigram index's estimate (tens of rows for a term
      // most sessions match) and gathers every match instead: 7 s at 1M sessions against 0.4 ms for the walk.
      if (walk) return `(s.user_id + 0 = ANY(${users}) OR (${AGENT_IP_SEARCH} || '') LIKE $${p})`;
      return `(s.user_id = ANY(${users}) OR ${AGENT_IP_SEARCH} LIKE ${live ? agentGate(lowered, p) : `$${p}`})`;
    }),
};

/**
 * The pattern $`p` for the live sessions' agents and addresses, or null (no index entry read) when the term can
 * only match an agent and no live agent holds it. A name searched for (the usual term) matches no agent, and the
 * sessions' trigram index spent 2 ms at 1M sessions finding that out through the posting lists of trigrams every
 * user agent holds; the live agents' own trigram index (live_agent_counts, one row per agent and shard, kept by
 * the counter triggers in the writing transaction, so it holds every live session's agent) answers in 0.04 ms.
 * A term that an address could hold is matched as before. A count, not EXISTS: EXISTS is planned for its first row,
 * and with a parameter for a pattern the planner expects one in a few rows to match, so it read all 364 agents
 * (lower() of each, 0.4 ms) instead of the trigram index (0.02 ms); the whole search took 1.25 against 0.38 ms.
 */
function agentGate(lowered: string, p: number): string {
  if (ADDRESS_CHARACTERS.test(lowered)) return `$${p}`;
  return `(CASE WHEN ${agentsHoldSql(`$${p}`)} THEN $${p} END)`;
}

/** Whether any live agent holds `pattern` (see agentGate for why a count). */
const agentsHoldSql = (pattern: string) =>
  `((SELECT count(*) FROM live_agent_counts c WHERE lower(c.agent) LIKE ${pattern}) > 0)`;

/** The ids of the users whose name matches `pattern`, through users' trigram index. */
const ownersSql = (pattern: string) => `ARRAY(SELECT u2.id FROM users u2 WHERE u2.username ILIKE ${pattern})`;

/** Live-status sessions under an agent matching `pattern` (the live agents' counters). */
const agentsCountSql = (pattern: string) =>
  `(SELECT coalesce(sum(c.n), 0) FROM live_agent_counts c WHERE lower(c.agent) LIKE ${pattern})`;

/**
 * Live-status sessions of the users `owners` (an int[] expression) under an agent matching `pattern`: a term names
 * and agents both hold counts them once (live_user_agent_counts). Joined to the term's agents (IN): as `= ANY` of
 * both arrays the primary key was descended once per pair (13 ms against 3 ms for "el" at 1M).
 */
const ownersUnderAgentsSql = (owners: string, pattern: string) =>
  `(SELECT coalesce(sum(c.n), 0) FROM live_user_agent_counts c WHERE c.user_id = ANY(${owners})
     AND c.agent_hash IN (SELECT a.agent_hash::uuid FROM live_agent_counts a WHERE lower(a.agent) LIKE ${pattern}))`;

/** Live-status sessions of the users `owners` (an int[] expression): their live counters. */
const ownersCountSql = (owners: string) =>
  `(SELECT coalesce(sum(c.n), 0) FROM live_session_counts c WHERE c.user_id = ANY(${owners}))`;

/** The name of the CTE a decided search (nameSearchDecision) reads its owners and agent gate from. */
const SEARCH_DECISION = 'search_decision';

function isSet(value: unknown): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/** Whether any filter narrows the query (a new filter counts without being named here). */
export function hasFilters(filters: SessionFilters): boolean {
  return Object.values(filters).some(isSet);
}

function filterClauses(filters: SessionFilters, push: Push, use: FilterUse): string[] {
  const clauses: string[] = [];
  for (const key of Object.keys(filters) as (keyof SessionFilters)[]) {
    const value = filters[key];
    if (!isSet(value)) continue;
    const sql = FILTER_SQL[key] as (value: unknown, push: Push, use: FilterUse) => string[];
    clauses.push(...sql(value, push, use));
  }
  return clauses;
}

/**
 * The WHERE clause of a scope and its filters, and its parameters. `walk`: for a page found by walking the order's
 * index (a broad search), the search tests are written so that no index serves them.
 */
export function whereOf(
  scope: SessionScope,
  filters: SessionFilters,
  params: unknown[] = [],
  walk = false,
  decided = false,
): Statement {
  const push: Push = (value) => params.push(value);
  const use = { walk, live: !!scope.liveOnly, decided };
  const clauses = [...scopeClauses(scope, push), ...filterClauses(filters, push, use)];
  return { text: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export interface ListStatements {
  count: Statement;
  page: Statement;
  /**
   * Searches: the total and the page in one statement (columns of SESSION_SELECT plus `total`; one row with null
   * columns when the page is empty), so the pattern is matched and the statement planned once, not twice.
   */
  combined?: Statement;
  /** Whether the texts come from a bounded set and may be prepared (search patterns do not). */
  prepare: boolean;
}

/** What every statement of one list shares: its WHERE clause and parameters, and its ORDER BY. */
interface ListParts {
  where: string;
  params: unknown[];
  order: string;
  searching: boolean;
}

function listParts(query: SessionQuery, decided = false): ListParts {
  const { text: where, params } = whereOf(query.scope, query.filters, [], false, decided);
  const order = query.order.map((o) => `${SORT_COLUMNS[o.field]} ${o.descending ? 'DESC' : 'ASC'}`);
  if (!query.order.some((o) => o.field === 'id')) order.push('s.id ASC');
  return { where, params, order: order.join(', '), searching: isSet(query.filters.searchTerms) };
}

/**
 * Prepared (and so planned once) only for texts from a small set: first pages, no search patterns, and no
 * user-agent filter, whose best plan depends on the agent (a prepared statement's generic plan would walk an
 * ordering index for a rare agent too: 6.6 s at 1M sessions where its own plan takes 0.3 ms).
 */
function preparable(query: SessionQuery, searching: boolean): boolean {
  return !searching && !isSet(query.filters.lastUserAgent) && query.order.length <= 2 && query.offset === 0;
}

/**
 * Three ASCII letters or digits in a row: a term holding them gives pg_trgm at least one trigram to look up, whatever
 * the database's locale calls a letter.
 */
const TRIGRAM_RUN = /[a-z0-9]{3}/i;

/**
 * The service also prepares first-page searches (the patterns are parameters, so the texts still come from a small
 * set) when every term has a trigram. A prepared search skips parsing and rewriting its text on each call: 0.3 ms of
 * the server's CPU, a search served 16-18 % more often in an A/B at 1M sessions. Left to itself PostgreSQL would
 * still plan each call with its pattern (1.6 ms, more than the search itself takes), because the generic plan's
 * estimate looks costlier; so these run on the generic plan (`genericPlan`), which has the shape of each such term's
 * own: the matching users' sessions OR the trigram index's (execution times within each other's noise at 1M
 * sessions, for narrow, broad, scoped and two-term searches). Not for a term without a trigram: its own plan reads
 * the table, a generic plan would read the whole trigram index (1.2 s against 5.3 s at 1M sessions). The floor
 * keeps `preparable` alone.
 */
function servicePreparable(query: SessionQuery, searching: boolean): boolean {
  return preparable(query, false) && (!searching || query.filters.searchTerms!.every((t) => TRIGRAM_RUN.test(t)));
}

/**
 * A session list the naive way, as the bench's floor runs it: the statement for its exact total and the one for
 * its page (a search's in one), every column.
 */
export function listStatements(query: SessionQuery): ListStatements {
  const { where, params, order, searching } = listParts(query);
  return {
    combined: searching ? searchStatement(query, where, params, SESSION_SELECT) : undefined,
    count: countStatement(query, where, params),
    page: pageStatement(query, where, params, SESSION_SELECT, order),
    prepare: preparable(query, searching),
  };
}

/**
 * A session list as the service runs it: the page, of `select`'s columns (a face's projection), and its exact
 * total in one statement (`total` on every row, and on a row of nulls when the page is empty).
 */
export function listStatement(
  asked: SessionQuery,
  select: string,
  term = decidableTerm(asked),
): Statement & { prepare: boolean; genericPlan: boolean } {
  const query = withoutConstantOrder(asked);
  const { where, params, order, searching } = listParts(query, term !== null);
  const statement = searching
    ? searchStatement(query, where, params, select, term)
    : pageWithTotalStatement(query, where, params, select, order);
  const prepare = servicePreparable(query, searching);
  return { ...statement, prepare, genericPlan: prepare && searching };
}

/**
 * One user's sessions (a caller who is not a superuser, a list scoped to one user) ordered by username or user first
 * are in the order of the keys after them: both are the same on every row (a session's username is its user's, and
 * usernames never change). Without them the planner walks sessions_live_user_id (user_id, id) for the page's rows
 * instead of reading and sorting all of the user's sessions: 0.64 ms against 1.14 ms for a user with 107 live
 * sessions at 1M (twenty-fifth stop). Not for a search, whose strategy follows the username order (ownerOrder). The
 * floor keeps the order as asked.
 */
function withoutConstantOrder(query: SessionQuery): SessionQuery {
  if (query.scope.userIds?.length !== 1 || isSet(query.filters.searchTerms)) return query;
  const order = query.order.filter((o) => o.field !== 'username' && o.field !== 'user');
  return order.length === query.order.length ? query : { ...query, order };
}

/**
 * What the service's cut pages keep of each session: every column, and `xmin` as a column, so a projection's row
 * version (sessions.table.ts) reads the same over a cut page as over the table.
 */
const SERVICE_PAGE_COLUMNS = 's.*, s.xmin';

/**
 * The page is cut first and only its rows meet `users`, where `select` reads it (usersJoinFor): the planner cannot
 * misjudge a 20-row join.
 */
function pageStatement(
  query: SessionQuery,
  where: string,
  params: unknown[],
  select: string,
  order: string,
  columns = 's.*',
): Statement {
  return {
    text: `SELECT ${select} FROM (
        SELECT ${columns} FROM sessions s ${where} ORDER BY ${order} ${limitOffset(query.limit, query.offset)}
      ) s ${usersJoinFor(select)} ORDER BY ${order}`,
    params,
  };
}

/** A broad search's page, found by walking the order's index and testing each row (see FILTER_SQL's `walk`). */
export function walkPageStatement(query: SessionQuery, select: string): Statement {
  const { text: where, params } = whereOf(query.scope, query.filters, [], true);
  return pageStatement(query, where, params, select, listParts(query).order, SERVICE_PAGE_COLUMNS);
}

/**
 * How a name search ordered by username or user (then id at most) follows its matching users: a session's username
 * is its user's (usernames never change), so the users in that order, each one's sessions by id, are the page's
 * order. Null for other orders, which spread a name's matches along their index.
 */
function ownerOrder(query: SessionQuery): { column: 'username' | 'id'; direction: string; idDirection: string } | null {
  const [first, ...rest] = query.order;
  if (!first || (first.field !== 'username' && first.field !== 'user') || rest.some((o) => o.field !== 'id')) {
    return null;
  }
  return {
    column: first.field === 'username' ? 'username' : 'id',
    direction: first.descending ? 'DESC' : 'ASC',
    idDirection: rest[0]?.descending ? 'DESC' : 'ASC',
  };
}

/**
 * The first sessions of a decided name search (nameSearchDecision's `by_owners`) in its owner order, up to the
 * page's end: the matching users in that order, at most that many sessions from each. Ids and sort keys, for
 * searchStatement to merge with the gathered matches (other users' sessions under a matching agent) and cut the
 * page; nothing when the decision says otherwise. The order's index would pass every session of the users before
 * the first match (half the table for "mateo", 3 s at 1M); gathering visits every match (3,162 at 10M).
 */
function ownersTopSql(
  query: SessionQuery,
  order: NonNullable<ReturnType<typeof ownerOrder>>,
  when = 'd.by_owners',
): string {
  const { column, direction, idDirection } = order;
  return `SELECT x.id, o.${column} AS key FROM (
        SELECT u2.id, u2.username FROM users u2 WHERE u2.id = ANY(d.owners) ORDER BY u2.${column} ${direction}
      ) o CROSS JOIN LATERAL (
        SELECT s.id FROM sessions s WHERE s.user_id = o.id AND ${LIVE_SQL} ORDER BY s.id ${idDirection} LIMIT ${rowsToPageEnd(query)}
      ) x
      WHERE ${when}
      ORDER BY o.${column} ${direction}, x.id ${idDirection} LIMIT ${rowsToPageEnd(query)}`;
}

/**
 * A one-term name search in its owners' order (decidableTerm, ownerOrder) for a term no live agent holds, as its
 * own statement: the matching users, their live counters less their expired-but-unswept sessions, and the page from
 * the users in that order (ownersTopSql). It is searchStatement's `by_owners` decision without `merge`, less the
 * parts that case never runs (gathering under agents, their counts): PostgreSQL initialises every part of a plan
 * on each execution, run or not (docs/performance.md, twenty-ninth stop). Whether agents hold the term is still
 * read (`agents_hold`), so the answer stays exact: when they do, the page is left empty and the store runs
 * listStatement instead. `term` is the query's decidableTerm; null for an order other than its owners'. The service
 * chooses it when its copy of the live agents holds no match (AgentCountsSnapshot.noneHold).
 */
export function ownersSearchStatement(
  query: SessionQuery,
  select: string,
  term: string,
): (Statement & { prepare: boolean; genericPlan: boolean }) | null {
  const byOwners = ownerOrder(query);
  if (byOwners === null) return null;
  const params = [`%${escapeLike(term)}%`];
  const text = `WITH d AS MATERIALIZED (
      SELECT ${ownersSql('$1')} AS owners, ${agentsHoldSql('$1')} AS agents_hold
    ), ${EXPIRED_CTE}
    SELECT t.total, d.agents_hold, p.* FROM d CROSS JOIN LATERAL (
      SELECT ${ownersCountSql('d.owners')} - ${expiredOfOwnersSql('d.owners')} AS total OFFSET 0
    ) t
    LEFT JOIN LATERAL (
      SELECT ${select}, pick.pos FROM (
        SELECT cut.id, row_number() OVER () AS pos FROM (
          SELECT c.id FROM (${ownersTopSql(query, byOwners, 'true')}) c ${limitOffset(query.limit, query.offset)}
        ) cut
      ) pick
      JOIN sessions s ON s.id = pick.id ${usersJoinFor(select)}
    ) p ON NOT d.agents_hold
    ORDER BY p.pos`;
  const prepare = servicePreparable(query, true);
  return { text, params, prepare, genericPlan: prepare };
}

/**
 * A broad search's exact total from counters: one term, over every live session (a superuser's unfiltered list),
 * that no address can contain. Such a term matches a session through its user agent or its user's name only, so
 * its total is the live-agent counter of every agent it matches, plus the matching users' live counters, less
 * their sessions whose agent matches too (live_user_agent_counts: counted once, not twice), less the sessions
 * among all these that expired but are not swept yet (a short index range). Answers the total (`n`)
 * and the live total (`live`), from which the store judges whether an ordered index walk finds a page quickly;
 * `n` is null for a term its agents do not make broad: the matches are then gathered and counted (searchStatement).
 * `term` is the query's decidableTerm; for a query without one the rule does not apply.
 */
export function broadSearchCount(query: SessionQuery, term: string): Statement {
  return {
    // The expired-but-unswept sessions first (a short index-only range): left to itself the planner may fold the
    // agent pattern into that scan and read the whole table. The exact total is computed only when the agents' matches
    // alone make the term broad enough for the ordered walk (its subqueries run only in that branch); otherwise
    // `n` is null and the store gathers the matches as for any search.
    text: `WITH ${EXPIRED_CTE},
      agents AS (SELECT ${agentsCountSql('$1')} AS n),
      live AS (
        SELECT (SELECT coalesce(sum(n), 0) FROM session_counts WHERE scope = 'live') - (SELECT count(*) FROM expired) AS n
      )
      SELECT CASE WHEN ${walkIsShortSql('agents.n', 'live.n', query)} THEN agents.n + (
          SELECT ${ownersCountSql('o.ids')} - ${ownersUnderAgentsSql('o.ids', '$1')} - ${expiredMatchesSql('o.ids', '$1')}
          FROM (SELECT ${ownersSql('$1')} AS ids OFFSET 0) o
        ) END AS n,
        live.n AS live
      FROM agents, live`,
    params: [`%${escapeLike(term)}%`],
  };
}

/**
 * The lowered term of a search whose total counters can give: one term, over every live session and nothing else,
 * that no address can contain, so it matches a session only through its user's name or its user agent. Null for
 * any other query.
 */
export function decidableTerm(query: SessionQuery): string | null {
  const { searchTerms, ...otherFilters } = query.filters;
  const scopeKeys = (Object.keys(query.scope) as (keyof SessionScope)[]).filter(
    (key) => query.scope[key] !== undefined && query.scope[key] !== false,
  );
  if (searchTerms?.length !== 1 || hasFilters(otherFilters) || scopeKeys.join() !== 'liveOnly') return null;
  const term = searchTerms[0].toLowerCase();
  if (term.includes(SEARCH_FIELD_SEPARATOR) || ADDRESS_CHARACTERS.test(term)) return null;
  return term;
}

export const rowsToPageEnd = (query: SessionQuery) => Math.trunc(query.offset) + Math.trunc(query.limit);

/** Each row walked is a heap visit to test the pattern: past a few thousand, gathering the matches is cheaper. */
export const MAX_ROWS_WALKED = 2_000;

/** orderedWalkIsShort's rule in SQL, for `matches` among `live` sessions (both SQL expressions). */
const walkIsShortSql = (matches: string, live: string, query: SessionQuery) =>
  `${matches} * ${MAX_ROWS_WALKED} >= ${rowsToPageEnd(query)} * ${live}`;

/**
 * Whether the page of a search with `total` matches among `live` sessions is found quickly by walking the list's
 * ordered index and skipping non-matches: the rows walked are about (offset + limit) * live / total.
 */
export function orderedWalkIsShort(total: number, live: number, query: SessionQuery): boolean {
  return total > 0 && ((query.offset + query.limit) * live) / total <= MAX_ROWS_WALKED;
}

/**
 * A one-term search's decision (decidableTerm), made inside its own statement: the users whose name matches, whether
 * any live agent holds the term, and the matches' count from counters (`named`): the users' live counters, plus,
 * when agents hold the term, the sessions under those agents less the users' own among them (counted once, by the
 * per-user agent counters). The total is then `named` less the matches expired but not swept yet (`counted`):
 * - ordered by username or user (ownerOrder), the page comes from the users in that order (`by_owners`,
 *   ownersTopSql), in the same statement, whatever the name's breadth; when agents hold the term too (`merge`),
 *   merged with the other users' sessions under those agents, which are gathered;
 * - in another order, when `named` makes the ordered walk short (orderedWalkIsShort, with the live counter's
 *   total), the statement answers `walk` and the store finds the page by the walk (walkPageStatement).
 * Otherwise the matches are gathered as before. A name most sessions share ("an" matches 200,000 of 780,000 at 1M)
 * took the statement timeout to gather; a name shared by 31,000 sessions and held by a few agents ("ate") 0.2–0.5 s.
 * (OFFSET 0 keeps each subquery whole: pulled up, every reference to its column would run its subplan again.)
 */
function nameSearchDecision(
  query: SessionQuery,
  term: string,
  params: unknown[],
  byOwners: boolean,
): { cte: string; pattern: string } {
  // The search filter's own parameter holds the same pattern (FILTER_SQL): one value, not two.
  const pattern = `%${escapeLike(term)}%`;
  const known = params.indexOf(pattern);
  const q = `$${known >= 0 ? known + 1 : params.push(pattern)}`;
  const walk = byOwners
    ? 'false'
    : `(d.named > 0 AND ${walkIsShortSql(
        'd.named',
        `(SELECT coalesce(sum(c.n), 0) FROM session_counts c WHERE c.scope = 'live')`,
        query,
      )})`;
  const cte = `${SEARCH_DECISION} AS MATERIALIZED (
      SELECT w.*, w.walk OR w.by_owners AS counted FROM (
        SELECT d.*, ${walk} AS walk, ${byOwners} AS by_owners, ${byOwners} AND d.agents_hold AS merge
        FROM (
          SELECT o.owners, g.agents_hold, ${ownersCountSql('o.owners')} + CASE WHEN g.agents_hold
              THEN ${agentsCountSql(q)} - ${ownersUnderAgentsSql('o.owners', q)} ELSE 0 END AS named
          FROM (SELECT ${ownersSql(q)} AS owners OFFSET 0) o, (SELECT ${agentsHoldSql(q)} AS agents_hold OFFSET 0) g
          OFFSET 0
        ) d
        OFFSET 0
      ) w
    )`;
  return { cte, pattern: q };
}

/** The sessions past expiry that the sweeper has not marked yet (read only where a total subtracts them). */
const EXPIRED_CTE = `expired AS MATERIALIZED (SELECT s.id, s.user_id FROM sessions s WHERE ${EXPIRED_UNSWEPT_SQL})`;

/** How many sessions of the users `owners` (an int[] expression) are in EXPIRED_CTE. */
const expiredOfOwnersSql = (owners: string) => `(SELECT count(*) FROM expired x WHERE x.user_id = ANY(${owners}))`;

/**
 * How many of a term's matches are in EXPIRED_CTE: those of the users `owners` (an int[] expression), index-only,
 * and, when `agentsHold` (an SQL boolean), the other users' under an agent matching `pattern`, by primary key. By the
 * users' ids first, a broad name would read every one of their sessions; as a correlated EXISTS, the planner hashed
 * a scan of every session's agent.
 */
const expiredMatchesSql = (owners: string, pattern: string, agentsHold = 'true') =>
  `(${expiredOfOwnersSql(owners)}
    + CASE WHEN ${agentsHold} THEN (SELECT count(*) FROM sessions s WHERE s.id IN (
        SELECT x.id FROM expired x WHERE NOT x.user_id = ANY(${owners})
      ) AND lower(s.last_user_agent) LIKE ${pattern}) ELSE 0 END)`;

/**
 * For searches: the matches, narrow (id and sort keys), are gathered once, counted, and the page cut from them.
 * With `term` (decidableTerm, the service's lists only), the statement decides first (nameSearchDecision) and
 * answers `walk`.
 */
function searchStatement(
  query: SessionQuery,
  where: string,
  params: unknown[],
  select: string,
  term: string | null = null,
): Statement {
  const keys = query.order
    .filter((o) => o.field !== 'id')
    .map((o, i) => ({ expr: SORT_COLUMNS[o.field], alias: `k${i}`, o }));
  const keyOrder = query.order.map(
    (o) => `m.${o.field === 'id' ? 'id' : keys.find((k) => k.o === o)!.alias} ${o.descending ? 'DESC' : 'ASC'}`,
  );
  if (!query.order.some((o) => o.field === 'id')) keyOrder.push('m.id ASC');
  const byOwners = term === null ? null : ownerOrder(query);
  const decision = term === null ? null : nameSearchDecision(query, term, params, byOwners !== null);
  // A merging decision gathers the other users' sessions under the term's agents (FILTER_SQL's `decided`).
  const gathered = decision ? `${where} AND (SELECT NOT d.counted OR d.merge FROM ${SEARCH_DECISION} d)` : where;
  const totals = decision
    ? // In a one-row subquery, so it runs once and not for each row of the page.
      `t.total, d.walk, p.* FROM ${SEARCH_DECISION} d CROSS JOIN LATERAL (
        SELECT CASE WHEN d.counted THEN d.named - ${expiredMatchesSql('d.owners', decision.pattern, 'd.agents_hold')}
        ELSE (SELECT count(*) FROM m) END AS total OFFSET 0
      ) t`
    : `t.total, p.* FROM (SELECT count(*) AS total FROM m) t`;
  const ordered = keyOrder.join(', ');
  const pick = byOwners
    ? // The gathered matches' first rows and the users' first sessions, merged in the order and cut.
      `SELECT cut.id, row_number() OVER () AS pos FROM (
        SELECT c.id FROM (
          (SELECT m.id, m.k0 AS key FROM m ORDER BY ${ordered} LIMIT ${rowsToPageEnd(query)})
          UNION ALL (${ownersTopSql(query, byOwners)})
        ) c ORDER BY c.key ${byOwners.direction}, c.id ${byOwners.idDirection} ${limitOffset(query.limit, query.offset)}
      ) cut`
    : `SELECT cut.id, row_number() OVER () AS pos FROM (
        SELECT m.id FROM m ORDER BY ${ordered} ${limitOffset(query.limit, query.offset)}
      ) cut`;
  return {
    text: `WITH ${decision ? `${decision.cte}, ${EXPIRED_CTE},` : ''} m AS MATERIALIZED (
        SELECT s.id${keys.map((k) => `, ${k.expr} AS ${k.alias}`).join('')} FROM sessions s ${gathered}
      )
      SELECT ${totals}
      LEFT JOIN LATERAL (
        SELECT ${select}, pick.pos FROM (${pick}) pick
        JOIN sessions s ON s.id = pick.id ${usersJoinFor(select)}
      ) p ON true
      ORDER BY p.pos`,
    params,
  };
}

/**
 * Totals the counter tables keep (migration CountersAndListIndexes), by the exact set of scope keys a query uses.
 * A live count subtracts the sessions past expiry that the sweeper has not marked yet.
 */
const COUNTERS: Record<string, (scope: SessionScope, push: Push) => string> = {
  liveOnly: () => `SELECT (SELECT coalesce(sum(n), 0) FROM session_counts WHERE scope = 'live')
                - (SELECT count(*) FROM sessions s WHERE ${EXPIRED_UNSWEPT_SQL}) AS n`,
  'liveOnly+userIds': ({ userIds }, push) => {
    const users = userIds!.length === 1 ? `= $${push(userIds![0])}::int` : `= ANY($${push(userIds)}::int[])`;
    return `SELECT (SELECT coalesce(sum(n), 0) FROM live_session_counts WHERE user_id ${users})
                  - (SELECT count(*) FROM sessions s WHERE ${EXPIRED_UNSWEPT_SQL} AND s.user_id ${users}) AS n`;
  },
  '': (_, push) => counterScope('all', push),
  poolId: ({ poolId }, push) => counterScope(`pool:${poolId}`, push),
  accountId: ({ accountId }, push) => counterScope(`account:${accountId}`, push),
  'accountId+poolId': ({ poolId, accountId }, push) => counterScope(`pool+account:${poolId}:${accountId}`, push),
};

function counterScope(scope: string, push: Push): string {
  return `SELECT coalesce(sum(n), 0) AS n FROM session_counts WHERE scope = $${push(scope)}`;
}

/**
 * The rule for totals, derived from the query itself: a counter serves only when no filter is set and the scope
 * keys in use are exactly the ones a counter keeps; anything else (a new filter or scope key included) counts rows.
 * The counter's parameters follow those already in `params` (the array is extended).
 */
export function counterFor(scope: SessionScope, filters: SessionFilters, params: unknown[] = []): Statement | null {
  if (hasFilters(filters)) return null;
  const used = (Object.keys(scope) as (keyof SessionScope)[])
    .filter((key) => scope[key] !== undefined && scope[key] !== false)
    .sort()
    .join('+');
  const counter = Object.prototype.hasOwnProperty.call(COUNTERS, used) ? COUNTERS[used] : undefined;
  return counter ? { text: counter(scope, (value) => params.push(value)), params } : null;
}

function countStatement(query: SessionQuery, where: string, params: unknown[]): Statement {
  return counterFor(query.scope, query.filters) ?? { text: countRowsSql(where), params };
}

const countRowsSql = (where: string) => `SELECT count(*) AS n FROM sessions s ${where}`;

/**
 * A page and its exact total in one statement: `total` (a query answering `n`) rides on every row, and on a row of
 * nulls when the page is empty; `page` (the ordered, cut sessions `s`) keeps its order by position, whichever
 * columns `select` shows, and meets `users` only for its own rows and only where `select` reads it (usersJoinFor).
 * `owner`: a one-row CTE of the page's only user (named `owner`, with `xmin`), which the page's rows meet instead of
 * `users`, once rather than once a row.
 */
function withTotalSql(total: string, page: string, select: string, owner?: string): string {
  return `WITH ${owner ? `owner AS MATERIALIZED (${owner}), ` : ''}total AS (${total}), page AS (
      SELECT ${select}, s.pos FROM (
        SELECT s.*, row_number() OVER () AS pos FROM (${page}) s
      ) s ${owner ? 'CROSS JOIN owner u' : usersJoinFor(select)}
    )
    SELECT total.n AS total, page.* FROM total LEFT JOIN page ON true ORDER BY page.pos`;
}

/**
 * The service's lists without a search: one round trip and one statement for PostgreSQL where the floor sends
 * two (counter or count(*), as countStatement decides).
 */
function pageWithTotalStatement(
  query: SessionQuery,
  where: string,
  params: unknown[],
  select: string,
  order: string,
): Statement {
  const all = [...params];
  const total = counterFor(query.scope, query.filters, all)?.text ?? countRowsSql(where);
  const page = `SELECT ${SERVICE_PAGE_COLUMNS} FROM sessions s ${where} ORDER BY ${order} ${limitOffset(query.limit, query.offset)}`;
  return { text: withTotalSql(total, page, select), params: all };
}

/**
 * One user's live sessions, most recently seen first, with their exact total, in one statement (MOVENS'
 * user-sessions): the user found by uuid ($1), the total from the user's counter less their expired-but-unswept
 * sessions, the page cut from the user's live sessions; `total` rides on every row, and on a row of nulls when the
 * page is empty. `select`: the page's columns; the page keeps its order by position, whichever columns it shows.
 */
export function liveSessionsOfUserSql(limit: number, offset: number, select = SESSION_SELECT): string {
  // The user once: read a row at a time, the page's 20 rows each looked the same user up again (60 of the
  // statement's ~100 buffer reads).
  const owner = `SELECT ${USER_ROW_READ} FROM users u WHERE u.uuid = $1::uuid`;
  const ownerId = `(SELECT id FROM owner)`;
  const total = `SELECT (SELECT coalesce(sum(c.n), 0) FROM live_session_counts c WHERE c.user_id = ${ownerId})
      - (SELECT count(*) FROM sessions s WHERE s.user_id = ${ownerId} AND ${EXPIRED_UNSWEPT_SQL}) AS n`;
  const page = `SELECT ${SERVICE_PAGE_COLUMNS} FROM sessions s WHERE s.user_id = ${ownerId} AND ${LIVE_SQL}
      ORDER BY s.last_seen_at DESC, s.id ASC ${limitOffset(limit, offset)}`;
  return withTotalSql(total, page, select, owner);
}
