import { limitOffset } from './session-list.sql';
import { EXPIRED_UNSWEPT_SQL } from './session.sql';

/** MOVENS' list of users with live sessions: users and counters, not sessions. */

/** Expired-but-unswept sessions per user (usually none: the sweeper marks them; index-only on sessions_live_expires). */
const EXPIRED_BY_USER = `SELECT s.user_id, count(*) AS e FROM sessions s WHERE ${EXPIRED_UNSWEPT_SQL} GROUP BY s.user_id`;

/**
 * The owners of expired-but-unswept sessions, a row per session (usually none), for the service's statement to
 * group. Grouped where the planner sees the sessions' statistics (EXPIRED_BY_USER), it expects thousands of users
 * (every past `expires_at` in the table, ended sessions' too) and sizes its hash table for them: in a CPU profile of
 * the MOVENS list, clearing and walking that empty table on every call was a tenth of PostgreSQL's time. Grouped
 * from a materialized CTE, whose rows it cannot see into, it expects a few hundred groups at most.
 */
const EXPIRED_OWNERS = `SELECT s.user_id FROM sessions s WHERE ${EXPIRED_UNSWEPT_SQL}`;

/** Users whose every live-status session is past expiry but not yet marked by the sweeper (usually none). */
const usersAllExpired = (expired: string) =>
  `SELECT x.user_id FROM ${expired} x WHERE x.e = (SELECT c.n FROM live_session_counts c WHERE c.user_id = x.user_id)`;

const USERS_ALL_EXPIRED = usersAllExpired(`(${EXPIRED_BY_USER})`);

/** How many users have live sessions: the counter minus the users in `gone` (all their live sessions expired). */
const countSql = (gone: string) =>
  `SELECT (SELECT coalesce(sum(n), 0) FROM session_counts WHERE scope = 'users') - (SELECT count(*) FROM ${gone}) AS n`;

/** One user's sessions past expiry that the sweeper has not marked yet (index-only on sessions_live_user_id). */
const EXPIRED_OF_USER = (user: string) =>
  `SELECT count(*) FROM sessions s WHERE s.user_id = ${user} AND ${EXPIRED_UNSWEPT_SQL}`;

/**
 * A page of users with live sessions by username, leaving out the users in `gone`: users walked in username order
 * and kept when their counter is positive (a cheap filter, so the planner walks the username index and stops after
 * a page).
 */
const usersPageSql = (columns: string, limit: number, offset: number, gone: string) =>
  `SELECT ${columns}
    FROM users u JOIN live_session_counts c ON c.user_id = u.id
    WHERE c.n > 0 AND u.id NOT IN (SELECT user_id FROM ${gone})
    ORDER BY u.username, u.id ${limitOffset(limit, offset)}`;

/** How many users have live sessions (the floor's count, and the metric). */
export const USERS_WITH_LIVE_COUNT_SQL = countSql(`(${USERS_ALL_EXPIRED}) gone`);

/**
 * A page of users with live sessions (the floor's page): each shown count subtracts that user's expired-but-unswept
 * sessions, computed for the page's rows only.
 */
export function usersWithLivePageSql(limit: number, offset: number): string {
  const columns = `u.uuid, u.username, u.is_operator, c.n - (${EXPIRED_OF_USER('u.id')}) AS n`;
  return usersPageSql(columns, limit, offset, `(${USERS_ALL_EXPIRED}) gone`);
}

/**
 * The page and its total in one statement (the floor sends the two above), doing less work than they do: the
 * expired-but-unswept sessions are counted per user once, for `gone`, for the total and for the page's counts (the
 * floor's page walks every live session of each of its users again: half of its time in PostgreSQL). They join the
 * page after its limit, so the planner still walks the username index and stops after a page. `total` rides on
 * every row (a row of nulls when the page is empty), and the page keeps its order by position.
 */
/** The page's users with their counters as they stand (the expired are subtracted after the limit). */
const PAGE_COLUMNS = 'u.id, u.uuid, u.username, u.is_operator, c.n';

export function usersWithLiveWithTotalSql(limit: number, offset: number): string {
  return `WITH expired_owners AS MATERIALIZED (${EXPIRED_OWNERS}),
    expired AS (SELECT user_id, count(*) AS e FROM expired_owners GROUP BY user_id),
    gone AS (${usersAllExpired('expired')}),
    total AS (${countSql('gone')}),
    page AS (SELECT p.*, row_number() OVER () AS pos FROM (${usersPageSql(PAGE_COLUMNS, limit, offset, 'gone')}) p)
    SELECT total.n AS total, page.uuid, page.username, page.is_operator, page.n - coalesce(x.e, 0) AS n
      FROM total LEFT JOIN (page LEFT JOIN expired x ON x.user_id = page.id) ON true ORDER BY page.pos`;
}
