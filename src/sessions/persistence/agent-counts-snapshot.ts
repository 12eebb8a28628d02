import { Database } from '../../database/database';

/** How old the copy may be before a search refreshes it (in the background; the old copy serves meanwhile). */
const MAX_AGE_MS = 5_000;
/** Staleness allowance: a term is judged narrow only when its agents fall this far short of broad. */
const MARGIN = 4;

/**
 * A copy of the live-agent counters (live_agent_counts, a few thousand rows at most) and of the live total, a few
 * seconds old, so a search can tell a narrow term from a broad one without a round trip first. It only chooses
 * the strategy: a term the copy calls narrow is gathered and counted exactly as always; anything else (no copy yet,
 * or a term near the line) asks the database as before (broadSearchCount).
 */
export class AgentCountsSnapshot {
  private agents: [string, number][] | null = null;
  private live = 0;
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(private readonly db: Database) {}

  /** True when the term's agents are far too few for the ordered walk to find the page (see orderedWalkIsShort). */
  clearlyNarrow(term: string, rowsBeforePageEnd: number, maxRowsWalked: number): boolean {
    if (Date.now() - this.loadedAt > MAX_AGE_MS) this.refresh();
    if (!this.agents) return false;
    let matching = 0;
    for (const [agent, n] of this.agents) if (agent.includes(term)) matching += n;
    return matching * maxRowsWalked * MARGIN < rowsBeforePageEnd * this.live;
  }

  /**
   * True when the copy holds no live agent containing the term: a name search may then take the statement that
   * leaves the agents' gathering out (ownersSearchStatement), which still checks the agents itself.
   */
  noneHold(term: string): boolean {
    if (Date.now() - this.loadedAt > MAX_AGE_MS) this.refresh();
    return this.agents !== null && !this.agents.some(([agent]) => agent.includes(term));
  }

  private refresh(): void {
    this.loading ??= (async () => {
      try {
        const [agents, live] = await Promise.all([
          this.db.rows(`SELECT lower(agent) AS agent, sum(n) AS n FROM live_agent_counts GROUP BY 1 HAVING sum(n) > 0`),
          this.db.rows(`SELECT coalesce(sum(n), 0) AS n FROM session_counts WHERE scope = 'live'`),
        ]);
        this.agents = agents.map((r) => [String(r.agent), Number(r.n)]);
        this.live = Number(live[0].n);
        this.loadedAt = Date.now();
      } catch {
        // The copy only saves a round trip: without it searches ask the database, and the next one tries again.
      } finally {
        this.loading = null;
      }
    })();
  }
}
