import { MigrationInterface, QueryRunner } from 'typeorm';
import { agentCounterFunctions } from './agent-counter-triggers';

const LIVE = `status IN ('new', 'unauthenticated', 'authenticated')`;

/**
 * Live-status sessions per (user, user agent), kept by the agent counter triggers (agent-counter-triggers.ts). A
 * one-term search that both users' names and live agents hold ("el": 1,168 users and 7 agents at 1M sessions)
 * counted the users' sessions whose agent does not match by reading each of them (96,000 sessions over 73,000
 * pages: 2.9 s, and "an" past the 5 s timeout); from here it is a sum over the users' few agents. The key is the
 * agent's md5 as a uuid (16 bytes), as live_agent_counts' agent_hash names it. Room on each page (fillfactor 50)
 * keeps a count's update on its page, so the primary key gets no new entry per login. The backfill groups every
 * live session while writers wait on the lock: 52 s at 10M sessions on the bench machine (717,567 pairs), so logins
 * pause for about 5 s per million sessions during the upgrade.
 */
export class LiveUserAgentCounts1765600000000 implements MigrationInterface {
  name = 'LiveUserAgentCounts1765600000000';

  async up(q: QueryRunner): Promise<void> {
    // Sessions first, as every writer takes them: no session is written between the new functions and the counts.
    await q.query(`LOCK TABLE sessions IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(`
      CREATE TABLE live_user_agent_counts (
        user_id int NOT NULL,
        agent_hash uuid NOT NULL,
        n int NOT NULL,
        PRIMARY KEY (user_id, agent_hash)
      ) WITH (fillfactor = 50)`);
    for (const statement of agentCounterFunctions(true)) await q.query(statement);
    await q.query(`INSERT INTO live_user_agent_counts (user_id, agent_hash, n)
      SELECT user_id, md5(last_user_agent)::uuid, count(*) FROM sessions WHERE ${LIVE}
      GROUP BY user_id, md5(last_user_agent)::uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`LOCK TABLE sessions IN SHARE ROW EXCLUSIVE MODE`);
    for (const statement of agentCounterFunctions(false)) await q.query(statement);
    await q.query(`DROP TABLE live_user_agent_counts`);
  }
}
