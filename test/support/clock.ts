import { TestApp } from './test-app';

/**
 * The service's clock, moved forward by `seconds` without waiting. Every time decision the service makes compares a
 * stored time with the database's now() (liveness, idle and absolute expiry, the touch throttle, the sweep), so
 * moving every stored time back by `seconds` is, to the service, the clock moving forward by `seconds`. Every
 * timestamptz column of every table moves, so relations between stored times stay as they were. Suites that use it
 * turn the validate cache off (VALIDATE_CACHE_SECONDS=0): its copies are kept by the process's own clock.
 */
export async function advanceClock(t: TestApp, seconds: number): Promise<void> {
  const columns = await t.sql<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type = 'timestamp with time zone' ORDER BY table_name, column_name`,
  );
  const byTable = new Map<string, string[]>();
  for (const c of columns) byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), c.column_name]);
  for (const [table, names] of byTable) {
    const sets = names.map((n) => `"${n}" = "${n}" - make_interval(secs => $1)`).join(', ');
    await t.sql(`UPDATE "${table}" SET ${sets}`, [seconds]);
  }
}
