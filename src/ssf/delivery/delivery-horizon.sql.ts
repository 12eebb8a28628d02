/**
 * The transaction id below which every transaction has ended, as far as this database's outbox is concerned: the
 * smallest id the statement's snapshot sees running, leaving out transactions that run in another database of the
 * server. Transaction ids are the server's, so without that a write running for minutes in another database held
 * every SET back until it ended (a 40M-row `CREATE TABLE AS` elsewhere held pushes for 45 s).
 * - Where each transaction runs comes from `pg_stat_get_activity`, the function behind `pg_stat_activity`: every
 *   role may see `datid` and `backend_xid`, and the view's joins would cost each statement 0.5 ms of planning.
 * - A transaction that ended between the snapshot and that read, or a prepared one, has no row there and still
 *   counts: it is waited for until the next look.
 * - Ids are compared by their low 32 bits, since `backend_xid` has no epoch; running ids are never 2^31 apart.
 */
export const DELIVERY_HORIZON_SQL = `(SELECT least(txid_snapshot_xmax(s.snapshot), (
    SELECT min(x.id) FROM txid_snapshot_xip(s.snapshot) AS x(id)
    WHERE x.id % 4294967296 NOT IN (
      SELECT a.backend_xid::text::bigint FROM pg_stat_get_activity(NULL) a
      WHERE a.backend_xid IS NOT NULL
        AND a.datid IS DISTINCT FROM (SELECT own.datid FROM pg_stat_get_activity(pg_backend_pid()) own))))
  FROM txid_current_snapshot() AS s(snapshot))`;
