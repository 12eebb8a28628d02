import { Queryable, Row } from '../../database/database';
import { Gathered } from './gathered';
import { LoginWrite, loginsStatement } from './session.sql';

/**
 * Login statements at once: one. Under load a statement then carries every login that arrived while the previous
 * one ran. Two at once (the earlier choice, when one, two and four measured alike) now split the logins into
 * statements of about ten, and the two met on the same counter rows and index pages: in an A/B through the service
 * at 1M sessions (five alternating 10 s rounds, 64 connections) one statement served 797–1,069 logins/s (median 899)
 * against 610–844 (median 706), at 0.95 ms of PostgreSQL CPU per login against 1.58 (medians). In a statement of
 * the SQL alone, 32 logins cost 570 µs of PostgreSQL CPU each, 12 logins 700 µs and 4 logins 905 µs
 * (docs/performance.md, seventeenth stop).
 */
const STATEMENTS_AT_ONCE = 1;
/** Most logins in one statement: bounds the JSON parameter and how long one statement holds its locks. */
const MOST_PER_STATEMENT = 64;
/** How logins gather; the user lookups before them gather alike (SessionStore.userWithInsight). */
export const LOGIN_GROUPS = { atOnce: STATEMENTS_AT_ONCE, most: MOST_PER_STATEMENT };

/**
 * Group commit for logins without a session limit (a limited login runs in its own transaction: writeLogin). A
 * statement holds at most one login per user: insight's memory of a user is one row an upsert may write once per
 * statement, so a user's second login waits for the next statement. Each login's answer is its session's row, or
 * null when a concurrent login added its device first (the caller runs it again).
 */
export function loginBatches(db: Queryable): Gathered<LoginWrite, Row | null> {
  return new Gathered((logins) => writeLogins(logins, db), {
    ...LOGIN_GROUPS,
    apart: (login) => login.row.user_id,
  });
}

/** Each login's row (null where its device was added concurrently), in the order given. */
async function writeLogins(logins: LoginWrite[], db: Queryable): Promise<(Row | null)[]> {
  const { text, params } = loginsStatement(logins);
  const rows = await db.rows(text, params, { prepare: true });
  const written: (Row | null)[] = logins.map(() => null);
  for (const row of rows) written[Number(row.login)] = row;
  return written;
}

/** Writes one login on `tx` (a transaction that holds the user's logins): the same statement, with one login. */
export async function writeLogin(login: LoginWrite, tx: Queryable): Promise<Row | null> {
  const [row] = await writeLogins([login], tx);
  return row;
}
