import { Queryable, Row } from '../../database/database';
import { LoginWrite, loginsStatement } from './session.sql';

/**
 * How many login statements run at once. While they run, the logins that arrive wait and then go together in one
 * statement: under load a statement carries many logins (one round trip, one commit, the counter triggers once;
 * in a pgbench A/B of the session insert alone at 1M sessions, statements of 16 rows wrote 3.4× the rows per second
 * of statements of one), and an idle service writes each login at once. One, two and four measured alike
 * (889–919 logins/s at 1M sessions); two keep a statement ready while the other commits.
 */
const STATEMENTS_AT_ONCE = 2;
/** Most logins in one statement: bounds the JSON parameter and how long one statement holds its locks. */
const MOST_PER_STATEMENT = 64;

interface Waiting {
  login: LoginWrite;
  resolve(row: Row | null): void;
  reject(error: unknown): void;
}

/**
 * Group commit for logins (without a session limit; a limited login runs in its own transaction). A hand-written
 * queue: the batching libraries on npm (dataloader and its kin) batch per tick, which under load makes batches
 * of one; this one batches for as long as a statement is running, which is what amortises the commit.
 *
 * A statement holds at most one login per user (insight's memory of a user is one row an upsert may write once),
 * so a user's second login waits for the next statement. When a statement with several logins fails, it wrote
 * nothing, and each of its logins runs again alone, so each gets its own answer (one user deleted meanwhile fails
 * only that user's login).
 */
export class LoginBatches {
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(private readonly db: Queryable) {}

  /** Writes the login; answers its session's row, or null when a concurrent login added its device first. */
  write(login: LoginWrite): Promise<Row | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ login, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < STATEMENTS_AT_ONCE && this.waiting.length > 0) {
      const batch = this.take();
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  /** The next statement's logins: the longest waiting first, one per user, the others keeping their turn. */
  private take(): Waiting[] {
    const batch: Waiting[] = [];
    const users = new Set<number>();
    let kept = 0;
    for (const waiting of this.waiting) {
      const user = waiting.login.row.user_id;
      if (batch.length < MOST_PER_STATEMENT && !users.has(user)) {
        users.add(user);
        batch.push(waiting);
      } else this.waiting[kept++] = waiting;
    }
    this.waiting.length = kept;
    return batch;
  }

  private async run(batch: Waiting[]): Promise<void> {
    try {
      const rows = await this.statement(batch.map((w) => w.login));
      batch.forEach((waiting, i) => waiting.resolve(rows[i]));
    } catch (error) {
      if (batch.length === 1) batch[0].reject(error);
      else await Promise.all(batch.map((waiting) => this.run([waiting])));
    }
  }

  /** Each login's row (null where its device was added concurrently), in the order given. */
  private async statement(logins: LoginWrite[]): Promise<(Row | null)[]> {
    const { text, params } = loginsStatement(logins);
    const rows = await this.db.rows(text, params, { prepare: true });
    const written: (Row | null)[] = logins.map(() => null);
    for (const row of rows) written[Number(row.login)] = row;
    return written;
  }
}

/** Writes one login on `tx` (a transaction that holds the user's logins): the same statement, with one login. */
export async function writeLogin(login: LoginWrite, tx: Queryable): Promise<Row | null> {
  const { text, params } = loginsStatement([login]);
  const [row] = await tx.rows(text, params, { prepare: true });
  return row ?? null;
}
