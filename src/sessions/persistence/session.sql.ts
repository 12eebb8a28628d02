import { SessionQuery, SessionSortField } from '../session-query';
import { SESSION_FROM, SESSION_SELECT } from './session-row.mapper';

/**
 * The SQL of the read paths, as pure functions and constants: the stores run it, and the benchmark's floor server
 * (bench/floor-server.ts) runs exactly the same text through the same driver.
 */

export const LIVE_SQL = `s.status IN ('new', 'unauthenticated', 'authenticated') AND s.expires_at > now()`;
/** Live status but past expiry: what the sweeper has yet to mark (a short range of sessions_live_expires). */
export const EXPIRED_UNSWEPT_SQL = `s.status IN ('new', 'unauthenticated', 'authenticated') AND s.expires_at <= now()`;

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

export interface Statement {
  text: string;
  params: unknown[];
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

/** A session list: the statement for its exact total and the one for its page. */
export function listStatements(query: SessionQuery): ListStatements {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (query.liveOnly) clauses.push(LIVE_SQL);
  // One user is an equality, not `= ANY`: only then can (user_id, ...) indexes hand rows over already ordered.
  if (query.userIds?.length === 1) clauses.push(`s.user_id = $${params.push(query.userIds[0])}`);
  else if (query.userIds) clauses.push(`s.user_id = ANY($${params.push(query.userIds)}::int[])`);
  if (query.poolId !== undefined) clauses.push(`s.pool_id = $${params.push(query.poolId)}`);
  if (query.accountId !== undefined) clauses.push(`s.account_id = $${params.push(query.accountId)}`);
  if (query.username !== undefined) clauses.push(`s.username = $${params.push(query.username)}`);
  if (query.lastIp !== undefined) clauses.push(`s.last_ip = $${params.push(query.lastIp)}::inet`);
  if (query.lastUserAgent !== undefined) clauses.push(`s.last_user_agent = $${params.push(query.lastUserAgent)}`);
  for (const term of query.searchTerms ?? []) {
    // search_text joins the fields with \x1f: a term holding that separator could only match across two fields.
    if (term.includes(SEARCH_FIELD_SEPARATOR)) clauses.push('false');
    else {
      // The username through users' trigram index (sessions of the matching users by user id), or the last IP
      // and user agent through sessions_live_search_agent_ip: each index holds one kind of text, so a name
      // fragment does not walk the posting lists of every session's user agent.
      const p = params.push(`%${escapeLike(term.toLowerCase())}%`);
      clauses.push(
        `(s.user_id = ANY(ARRAY(SELECT u2.id FROM users u2 WHERE u2.username ILIKE $${p})) OR ${AGENT_IP_SEARCH} LIKE $${p})`,
      );
    }
  }
  const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  const order = query.order.map((o) => `${SORT_COLUMNS[o.field]} ${o.descending ? 'DESC' : 'ASC'}`);
  if (!query.order.some((o) => o.field === 'id')) order.push('s.id ASC');
  // For searches: the matches, narrow (id and sort keys), are gathered once, counted, and the page cut from them.
  const keys = query.order
    .filter((o) => o.field !== 'id')
    .map((o, i) => ({ expr: SORT_COLUMNS[o.field], alias: `k${i}`, o }));
  const keyOrder = query.order.map(
    (o) => `m.${o.field === 'id' ? 'id' : keys.find((k) => k.o === o)!.alias} ${o.descending ? 'DESC' : 'ASC'}`,
  );
  if (!query.order.some((o) => o.field === 'id')) keyOrder.push('m.id ASC');
  const combined: Statement | undefined = query.searchTerms?.length
    ? {
        text: `WITH m AS MATERIALIZED (
            SELECT s.id${keys.map((k) => `, ${k.expr} AS ${k.alias}`).join('')} FROM sessions s ${where}
          )
          SELECT t.total, p.* FROM (SELECT count(*) AS total FROM m) t
          LEFT JOIN LATERAL (
            SELECT ${SESSION_SELECT}, pick.pos FROM (
              SELECT cut.id, row_number() OVER () AS pos FROM (
                SELECT m.id FROM m ORDER BY ${keyOrder.join(', ')} ${limitOffset(query.limit, query.offset)}
              ) cut
            ) pick JOIN sessions s ON s.id = pick.id JOIN users u ON u.id = s.user_id
          ) p ON true
          ORDER BY p.pos`,
        params,
      }
    : undefined;
  return {
    combined,
    count: countStatement(query, where, params),
    // The page is cut first and only its rows meet `users`: the planner cannot misjudge a 20-row join.
    page: {
      text: `SELECT ${SESSION_SELECT} FROM (
          SELECT s.* FROM sessions s ${where} ORDER BY ${order.join(', ')} ${limitOffset(query.limit, query.offset)}
        ) s JOIN users u ON u.id = s.user_id ORDER BY ${order.join(', ')}`,
      params,
    },
    // Prepared (and so planned once) only for texts from a small set: first pages, no search patterns.
    prepare: !query.searchTerms?.length && query.order.length <= 2 && query.offset === 0,
  };
}

/**
 * The exact total of a list. Lists without filters, or scoped only to users, one pool or one account, read the
 * counters the triggers keep (migration CountersAndListIndexes) instead of counting up to a million rows; a live
 * count subtracts the sessions past expiry that the sweeper has not marked yet. Anything else counts rows.
 */
function countStatement(query: SessionQuery, where: string, params: unknown[]): Statement {
  const onlyScopes =
    query.username === undefined &&
    query.lastIp === undefined &&
    query.lastUserAgent === undefined &&
    !query.searchTerms?.length;
  const pool = query.poolId;
  const account = query.accountId;
  if (onlyScopes && query.liveOnly && pool === undefined && account === undefined) {
    if (!query.userIds) {
      return {
        text: `SELECT (SELECT coalesce(sum(n), 0) FROM session_counts WHERE scope = 'live')
                    - (SELECT count(*) FROM sessions s WHERE ${EXPIRED_UNSWEPT_SQL}) AS n`,
        params: [],
      };
    }
    const users = query.userIds.length === 1 ? '= $1::int' : '= ANY($1::int[])';
    return {
      text: `SELECT (SELECT coalesce(sum(n), 0) FROM live_session_counts WHERE user_id ${users})
                  - (SELECT count(*) FROM sessions s WHERE ${EXPIRED_UNSWEPT_SQL} AND s.user_id ${users}) AS n`,
      params: [query.userIds.length === 1 ? query.userIds[0] : query.userIds],
    };
  }
  if (onlyScopes && !query.liveOnly && !query.userIds && (pool === undefined || account === undefined)) {
    const scope = pool !== undefined ? `pool:${pool}` : account !== undefined ? `account:${account}` : 'all';
    return { text: `SELECT coalesce(sum(n), 0) AS n FROM session_counts WHERE scope = $1`, params: [scope] };
  }
  return { text: `SELECT count(*) AS n FROM sessions s ${where}`, params };
}

/** One user's sessions past expiry that the sweeper has not marked yet (index-only on sessions_live_user_id). */
const EXPIRED_OF_USER = (user: string) =>
  `SELECT count(*) FROM sessions s WHERE s.user_id = ${user} AND ${EXPIRED_UNSWEPT_SQL}`;

/** Users whose every live-status session is past expiry but not yet marked by the sweeper (usually none). */
const USERS_ALL_EXPIRED = `SELECT x.user_id FROM (
    SELECT s.user_id, count(*) AS e FROM sessions s WHERE ${EXPIRED_UNSWEPT_SQL} GROUP BY s.user_id
  ) x WHERE x.e = (SELECT c.n FROM live_session_counts c WHERE c.user_id = x.user_id)`;

/** How many users have live sessions: the counter minus users whose every live-status session expired. */
export const USERS_WITH_LIVE_COUNT_SQL = `SELECT (SELECT coalesce(sum(n), 0) FROM session_counts WHERE scope = 'users')
  - (SELECT count(*) FROM (${USERS_ALL_EXPIRED}) gone) AS n`;

/**
 * A page of users with live sessions and their counts, by username: users walked in username order and kept when
 * their counter is positive (a cheap filter, so the planner walks the username index and stops after a page);
 * each shown count subtracts that user's expired-but-unswept sessions, computed for the page's rows only.
 */
export function usersWithLivePageSql(limit: number, offset: number): string {
  return `SELECT u.uuid, u.username, u.is_operator, c.n - (${EXPIRED_OF_USER('u.id')}) AS n
    FROM users u JOIN live_session_counts c ON c.user_id = u.id
    WHERE c.n > 0 AND u.id NOT IN (${USERS_ALL_EXPIRED})
    ORDER BY u.username, u.id ${limitOffset(limit, offset)}`;
}

export const SESSION_BY_ID_SQL = `SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} WHERE s.id = $1`;
export const SESSION_BY_UUID_SQL = `SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} WHERE s.uuid = $1`;
export const SESSION_BY_PFID_SQL = `SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} WHERE s.pfid = $1`;
export const LIVE_SESSION_BY_TOKEN_SQL = `SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} WHERE s.token_hash = $1 AND ${LIVE_SQL}`;

/** Writes last-seen only when the stored value is older than the throttle ($2 seconds). */
export const TOUCH_SQL = `UPDATE sessions SET last_seen_at = now()
  WHERE id = $1 AND last_seen_at < now() - make_interval(secs => $2) RETURNING last_seen_at`;

export const USER_COLUMNS = `u.id, u.uuid, u.username, u.name, u.email, u.is_superuser, u.is_operator, u.is_active, u.pfid, u.created_at`;

/** An API token and its owner, by the key's SHA-256. */
export const TOKEN_BY_HASH_SQL = `SELECT t.identifier, t.key_hash, t.description, t.expires_at, t.last_used_at,
    t.created_at AS token_created_at, ${USER_COLUMNS}
  FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.key_hash = $1`;

/** A live session's id and its user, by the token's SHA-256. */
export const USER_BY_SESSION_TOKEN_SQL = `SELECT s.id AS session_id, ${USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.token_hash = $1 AND ${LIVE_SQL}`;

/** One statement writes a session ($1..$26) and its `created` event and reads the row back. */
export const INSERT_SESSION_SQL = `WITH s AS (
    INSERT INTO sessions (uuid, pfid, token_hash, user_id, username, status, session_type, account_id, domain_id,
      pool_id, identity_id, device_id, title, first_seen_at, first_ip, first_user_agent, last_seen_at, last_ip,
      last_user_agent, expires_at, device_brand, device_model, device_os_name, device_os_version, device_app_name,
      device_app_version, device_class, user_agent_parsed, geo, asn)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), $14, $15, now(), $14, $15, $16, $17, $18,
      $19, $20, $21, $22, $23, $24, $25, $26)
    RETURNING *
  ), created AS (
    INSERT INTO session_events (session_id, kind, actor_user_id, face, ip, user_agent)
    SELECT id, 'created', NULL, 'hub', first_ip, first_user_agent FROM s
  )
  SELECT ${SESSION_SELECT} FROM s JOIN users u ON u.id = s.user_id`;

/** The device id for (user $2, fingerprint $3), inserting $1 if there was none; no row if a concurrent insert won. */
export const UPSERT_DEVICE_SQL = `WITH inserted AS (
    INSERT INTO devices (pfid, user_id, fingerprint) VALUES ($1, $2, $3) ON CONFLICT (user_id, fingerprint) DO NOTHING
    RETURNING pfid
  )
  SELECT pfid FROM inserted UNION ALL SELECT pfid FROM devices WHERE user_id = $2 AND fingerprint = $3`;
