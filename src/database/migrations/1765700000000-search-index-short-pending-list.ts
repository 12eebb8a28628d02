import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sessions' trigram index (every search's) keeps its pending list short: 512 kB instead of the server's
 * `gin_pending_list_limit` (4 MB by default). New entries collect there until the list is full, and the statement
 * that fills it then merges the whole list into the index. Logins run one statement at a time (login-batches.ts),
 * so that merge stalled every login in the process: at 1M sessions, 3–4 merges per 10 s of logins, of 150–280 ms
 * each. At 512 kB there are about ten times as many merges of a tenth the size. A/B through the service, five
 * alternating 10 s rounds of logins at 64 connections: p99 200–243 ms (median 213) against 166–548 (median 372),
 * 754–1,033 logins/s (median 994) against 857–1,137 (median 990). Searches gain too: each one reads the whole pending
 * list, up to 65 pages now instead of 515. Writing entries straight into the tree (fastupdate off) served fewer
 * logins (554–760/s against 750–902).
 */
export class SearchIndexShortPendingList1765700000000 implements MigrationInterface {
  name = 'SearchIndexShortPendingList1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX sessions_live_search_agent_ip SET (gin_pending_list_limit = 512)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX sessions_live_search_agent_ip RESET (gin_pending_list_limit)`);
  }
}
