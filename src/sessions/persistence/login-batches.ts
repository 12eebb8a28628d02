import { Queryable, Row } from '../../database/database';
import { Gathered } from './gathered';
import { LoginWrite, loginsStatement } from './session.sql';

/**
 * Login statements at once. One, two and four measured alike (889–919 logins/s at 1M sessions); two keep a
 * statement ready while the other commits. Under load a statement carries about a dozen logins: one round trip, one
 * commit, the counter triggers once (in a pgbench A/B of the session insert alone at 1M sessions, statements of 16
 * rows wrote 3.4× the rows per second of statements of one).
 */
const STATEMENTS_AT_ONCE = 2;
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
