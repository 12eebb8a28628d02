import { Client } from 'pg';

/**
 * A table held locked by a connection of the test's own, and the service's statements waiting on it counted, so a
 * test can see what the service sends to the database while it waits. PostgreSQL only: PGlite runs statements
 * in-process, one at a time.
 */
export class TableLock {
  private readonly locker: Client;
  // A connection of its own: pg_stat_activity is read once per transaction, and the locker's stays open.
  private readonly observer: Client;

  private constructor(url: string) {
    this.locker = new Client({ connectionString: url });
    this.observer = new Client({ connectionString: url });
  }

  static async open(url: string): Promise<TableLock> {
    const lock = new TableLock(url);
    await Promise.all([lock.locker.connect(), lock.observer.connect()]);
    return lock;
  }

  /** Runs `during` while `table` is locked ACCESS EXCLUSIVE, then releases it (whatever `during` did). */
  async holding<T>(table: string, during: () => Promise<T>): Promise<T> {
    await this.locker.query('BEGIN');
    await this.locker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    try {
      return await during();
    } finally {
      await this.locker.query('ROLLBACK');
    }
  }

  /** Statements of other connections to this database waiting on a lock now. */
  async waiting(): Promise<number> {
    const rows = await this.observer.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
    );
    return Number(rows.rows[0].n);
  }

  /** The count of statements waiting on a lock once it has stopped changing for 300 ms (at most 12 s). */
  async settledWaiting(): Promise<number> {
    let last = -1;
    let now = await this.waiting();
    for (let i = 0; i < 40 && now !== last; i++) {
      await new Promise((r) => setTimeout(r, 300));
      [last, now] = [now, await this.waiting()];
    }
    return now;
  }

  /** A statement on the observing connection (outside the lock's transaction), e.g. a NOTIFY. */
  async query(text: string): Promise<void> {
    await this.observer.query(text);
  }

  async close(): Promise<void> {
    await Promise.all([this.locker.end(), this.observer.end()]);
  }
}
