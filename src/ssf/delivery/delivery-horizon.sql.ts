/**
 * The transaction id below which every transaction has ended, as far as this database's outbox is concerned: the
 * smallest id the statement's snapshot sees running, leaving out transactions that run in another database of the
 * server. Transaction ids are the server's, so without that a write running for minutes in another database held
 * every SET back until it ended (a 40M-row `CREATE TABLE AS` elsewhere held pushes for 45 s).
 * - Where each transaction runs comes from `pg_stat_get_activity`, the function behind `pg_stat_activity` (every
 *   role may see `datid` and `backend_xid`; the view's joins would cost each statement 0.5 ms of planning), and,
 *   for prepared (two-phase) transactions, which no backend runs, from `pg_prepared_xact`'s `dbid`.
 * - A transaction that ended between the snapshot and that read is not shown running elsewhere, so it still counts
 *   until the next look.
 * - Ids are compared by their low 32 bits, since `backend_xid` has no epoch; running ids are never 2^31 apart.
 * - Only in a statement of its own (autocommit): backend status is read once per transaction, and an earlier read
 *   in the same transaction could show a slot's new transaction under its previous database.
 */
const OWN_DATABASE = 'SELECT own.datid FROM pg_stat_get_activity(pg_backend_pid()) own';

export const DELIVERY_HORIZON_SQL = `(SELECT least(txid_snapshot_xmax(s.snapshot), (
    SELECT min(x.id) FROM txid_snapshot_xip(s.snapshot) AS x(id)
    WHERE x.id % 4294967296 NOT IN (
      SELECT a.backend_xid::text::bigint FROM pg_stat_get_activity(NULL) a
      WHERE a.backend_xid IS NOT NULL AND a.datid IS DISTINCT FROM (${OWN_DATABASE})
      UNION ALL
      SELECT p.transaction::text::bigint FROM pg_prepared_xact() p WHERE p.dbid <> (${OWN_DATABASE}))))
  FROM txid_current_snapshot() AS s(snapshot))`;
