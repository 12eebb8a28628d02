import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room on live_agent_counts' pages for its rows' next versions (fillfactor 25), so a counter's update stays on its
 * page and adds no entry to the trigram index (a heap-only update). At 100 % every login's update moved the row and
 * indexed it anew: after a few thousand logins the index of 1,508 rows held 665 pages, and asking it whether any
 * agent contains a search term cost more than a scan of the table. A search asks that at every call now
 * (session-list.sql.ts). CLUSTER rewrites the table at the new fillfactor and rebuilds its indexes.
 */
export class AgentCountsRoom1765500000000 implements MigrationInterface {
  name = 'AgentCountsRoom1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE live_agent_counts SET (fillfactor = 25)`);
    await q.query(`CLUSTER live_agent_counts USING live_agent_counts_pkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE live_agent_counts RESET (fillfactor)`);
  }
}
