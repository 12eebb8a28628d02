import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room on live_agent_counts' pages for its rows' next versions (fillfactor 25), so a counter's update stays on its
 * page and adds no entry to the trigram index (a heap-only update). At 100 % every login's update moved the row and
 * indexed it anew: after a few thousand logins the index of 1,508 rows held 665 pages, and asking it whether any
 * agent contains a search term cost more than a scan of the table. A search asks that at every call now
 * (session-list.sql.ts). CLUSTER rewrites the table at the new fillfactor and rebuilds its indexes.
 *
 * The index also writes its entries straight into its tree (fastupdate off). The few updates that still move a row,
 * and new agents, otherwise collect in GIN's pending list, which every search scans whole: 166 pending pages after
 * the login bench made the gate 1 ms instead of 0.03 ms, and made the planner prefer reading the whole table.
 */
export class AgentCountsRoom1765500000000 implements MigrationInterface {
  name = 'AgentCountsRoom1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE live_agent_counts SET (fillfactor = 25)`);
    await q.query(`ALTER INDEX live_agent_counts_search SET (fastupdate = off)`);
    await q.query(`CLUSTER live_agent_counts USING live_agent_counts_pkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX live_agent_counts_search RESET (fastupdate)`);
    await q.query(`ALTER TABLE live_agent_counts RESET (fillfactor)`);
  }
}
