import { Queryable, Row } from '../../database/database';
import { loginBatches } from './login-batches';
import { LoginWrite } from './session.sql';

/**
 * The queue's rules, over a database stand-in that answers each login of a statement as PostgreSQL would (its
 * `login` index) and refuses a statement holding a doomed user, as a foreign key refuses a deleted one. What the
 * statement writes is tested end to end (test/hub.e2e-spec.ts, many users logging in at once).
 */
class Statements implements Queryable {
  readonly batches: number[][] = [];
  private release: (() => void)[] = [];

  constructor(private readonly doomed = new Set<number>()) {}

  async rows(_text: string, params: unknown[] = []): Promise<Row[]> {
    const logins = JSON.parse(params[0] as string) as { login: number; user_id: number }[];
    this.batches.push(logins.map((l) => l.user_id));
    await new Promise<void>((resolve) => this.release.push(resolve));
    if (logins.some((l) => this.doomed.has(l.user_id))) throw new Error('violates foreign key constraint');
    return logins.map((l) => ({ login: l.login, user_id: l.user_id }));
  }

  /** Lets every running statement finish, and waits until the queue has sent what follows. */
  async finish(): Promise<void> {
    const running = this.release;
    this.release = [];
    running.forEach((resolve) => resolve());
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const login = (user: number): LoginWrite =>
  ({ row: { user_id: user }, device: { id: 'd'.repeat(32) } }) as unknown as LoginWrite;

describe('loginBatches (group commit, gathered.ts)', () => {
  it('writes a login at once when idle, and gathers those arriving meanwhile into one statement', async () => {
    const db = new Statements();
    const batches = loginBatches(db);
    const answers = [1, 2, 3, 4, 5].map((user) => batches.add(login(user)));
    // One statement at a time: the first login went alone, the others wait together for it to end.
    expect(db.batches).toEqual([[1]]);
    await db.finish();
    expect(db.batches).toEqual([[1], [2, 3, 4, 5]]);
    await db.finish();
    expect((await Promise.all(answers)).map((row: Row | null) => row?.user_id)).toEqual([1, 2, 3, 4, 5]);
  });

  it("keeps a user's second login for the next statement", async () => {
    const db = new Statements();
    const batches = loginBatches(db);
    const answers = [1, 2, 7, 8, 7, 9, 7].map((user) => batches.add(login(user)));
    await db.finish();
    // The next statement takes user 7's first login; the second and third wait a statement each, in turn.
    expect(db.batches).toEqual([[1], [2, 7, 8, 9]]);
    await db.finish();
    expect(db.batches.slice(2)).toEqual([[7]]);
    await db.finish();
    expect(db.batches.slice(3)).toEqual([[7]]);
    await db.finish();
    expect((await Promise.all(answers)).map((row: Row | null) => row?.user_id)).toEqual([1, 2, 7, 8, 7, 9, 7]);
  });

  it('runs each login of a failed statement alone, so only the bad one fails', async () => {
    const db = new Statements(new Set([4]));
    const batches = loginBatches(db);
    const answers = [1, 2, 3, 4, 5].map((user) => batches.add(login(user)).catch((error: Error) => error.message));
    await db.finish();
    await db.finish();
    expect(db.batches.slice(1)).toEqual([[2, 3, 4, 5], [2], [3], [4], [5]]);
    await db.finish();
    expect(
      (await Promise.all(answers)).map((a: Row | string | null) => (typeof a === 'string' ? a : a?.user_id)),
    ).toEqual([1, 2, 3, 'violates foreign key constraint', 5]);
  });
});
