import { Logger } from '@nestjs/common';
import { Row } from './database';
import { DatabaseUnavailableError } from './errors';

/** Why a replica is out of rotation, or `ok`. */
export type ReplicaState = 'starting' | 'ok' | 'lagging' | 'down' | 'not_standby';

export interface ReplicaStatus {
  /** host:port/database of its URL: never the user or password. */
  replica: string;
  state: ReplicaState;
  inRotation: boolean;
  /** How far it was behind the primary at the last probe, to about a second; null while unknown. */
  lagSeconds: number | null;
  /** Why it is down: the last failed probe or read. */
  error?: string;
}

/** What the set needs of a server: its probe query. The pools themselves belong to PostgresDatabase. */
export interface ProbedServer {
  query(text: string): Promise<Row[]>;
}

export const PROBE_INTERVAL_MS = 1000;
/** A probe unanswered this long takes the replica out: reads on it would hang as long. */
const PROBE_TIMEOUT_MS = 2000;

// Positions as numbers of bytes (numeric, read as text): exact beyond 2^53, compared as bigint.
const PRIMARY_POSITION_SQL = `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS position`;
const REPLICA_POSITION_SQL = `SELECT pg_is_in_recovery() AS standby,
  (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::text AS replayed`;

/**
 * The primary's WAL position over the last seconds, each position with the time the primary was first seen at it,
 * so a replica's replay position converts into time: how long ago the primary first had WAL the replica has not
 * replayed. That is a lower bound of its lag, short by at most one sample interval; an idle primary adds no lag.
 */
export class WalHistory {
  private readonly samples: { at: number; position: bigint }[] = [];

  constructor(private readonly keepMs: number) {}

  record(position: bigint, at = Date.now()): void {
    const last = this.samples[this.samples.length - 1];
    if (!last || position > last.position) this.samples.push({ at, position });
    // One sample older than the window stays: a replica stuck before it still reads as far behind.
    while (this.samples.length > 1 && this.samples[1].at < at - this.keepMs) this.samples.shift();
  }

  /** Milliseconds behind, for a replica that replayed up to `replayed`; null before the primary was sampled. */
  lagMs(replayed: bigint, now = Date.now()): number | null {
    if (this.samples.length === 0) return null;
    const first = this.samples.find((sample) => sample.position > replayed);
    return first ? Math.max(0, now - first.at) : 0;
  }
}

interface Member<S> {
  server: S;
  label: string;
  state: ReplicaState;
  lagMs: number | null;
  error?: string;
  /** When a read last found it gone: a probe that began before then does not bring it back. */
  failedAt: number;
}

/** A connection URL without credentials, for logs, readiness and metrics. */
export function replicaLabel(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'replica';
  }
}

/**
 * Which replicas reads may use. Every PROBE_INTERVAL_MS, off the request path (an unref'd timer), it samples the
 * primary's WAL position and each replica's replay position: a replica that does not answer, is not a standby, or is
 * more than `maxLagMs` behind leaves the rotation, and is back at the first probe that finds it fit. A read that
 * finds a replica gone takes it out at once (`readFailed`).
 */
export class ReplicaSet<S extends ProbedServer> {
  private readonly logger = new Logger('replicas');
  private readonly members: Member<S>[];
  private readonly history: WalHistory;
  private next = 0;
  private timer?: NodeJS.Timeout;
  private sampling = false;

  constructor(
    servers: { server: S; url: string }[],
    private readonly primary: ProbedServer,
    private readonly maxLagMs: number,
  ) {
    this.members = servers.map(({ server, url }) => ({
      server,
      label: replicaLabel(url),
      state: 'starting',
      lagMs: null,
      failedAt: 0,
    }));
    this.history = new WalHistory(maxLagMs + 5000);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.probeAll(), PROBE_INTERVAL_MS);
    this.timer.unref();
    void this.probeAll();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get servers(): S[] {
    return this.members.map((member) => member.server);
  }

  /** The next replica in rotation (round robin), or null: every read goes to the primary. */
  pick(): S | null {
    const count = this.members.length;
    for (let i = 0; i < count; i++) {
      const member = this.members[(this.next + i) % count];
      if (member.state === 'ok') {
        this.next = (this.next + i + 1) % count;
        return member.server;
      }
    }
    return null;
  }

  /**
   * A read on `server` failed: whether to run it again on the primary. Connection trouble, a standby shutting down
   * or a recovery conflict: yes, and a lost connection also takes the replica out until a probe finds it back. A
   * statement timeout or cancel (the client went away): no, the primary would be asked the same in vain.
   */
  readFailed(server: S, error: unknown): boolean {
    if (!(error instanceof DatabaseUnavailableError)) return false;
    const state = sqlState(error.cause);
    if (state === '57014') return false;
    const member = this.members.find((m) => m.server === server);
    if (member && (state === '' || state.startsWith('08') || state.startsWith('57P'))) {
      member.failedAt = Date.now();
      this.set(member, 'down', member.lagMs, messageOf(error.cause ?? error));
    }
    return true;
  }

  statuses(): ReplicaStatus[] {
    return this.members.map((member) => ({
      replica: member.label,
      state: member.state,
      inRotation: member.state === 'ok',
      lagSeconds: member.lagMs === null ? null : Math.round(member.lagMs / 100) / 10,
      ...(member.error === undefined ? {} : { error: member.error }),
    }));
  }

  private async probeAll(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      // The primary first: a replica's position is then compared with what the primary had before it was asked.
      try {
        const [row] = await withTimeout(this.primary.query(PRIMARY_POSITION_SQL), PROBE_TIMEOUT_MS);
        this.history.record(BigInt(row.position as string));
      } catch {
        // The primary is unreachable: replicas are judged on the positions known so far (their lag only grows).
      }
      await Promise.all(this.members.map((member) => this.probe(member)));
    } finally {
      this.sampling = false;
    }
  }

  private async probe(member: Member<S>): Promise<void> {
    const started = Date.now();
    let state: ReplicaState;
    let lagMs: number | null = null;
    let error: string | undefined;
    try {
      const [row] = await withTimeout(member.server.query(REPLICA_POSITION_SQL), PROBE_TIMEOUT_MS);
      if (row.standby !== true) {
        // A promoted or misconfigured server: its data is not the primary's.
        state = 'not_standby';
      } else if (row.replayed == null) {
        state = 'starting';
      } else {
        lagMs = this.history.lagMs(BigInt(row.replayed as string));
        state = lagMs === null ? 'starting' : lagMs > this.maxLagMs ? 'lagging' : 'ok';
      }
    } catch (failure) {
      // Refused, reset, or no answer in PROBE_TIMEOUT_MS: reads there would fail or hang as long.
      state = 'down';
      error = messageOf(failure);
    }
    // A read found it gone after this probe began: only a later probe may bring it back.
    if (state === 'ok' && member.failedAt >= started) return;
    this.set(member, state, lagMs, error);
  }

  private set(member: Member<S>, state: ReplicaState, lagMs: number | null, error?: string): void {
    const was = member.state;
    member.state = state;
    member.lagMs = lagMs;
    member.error = error;
    if (was === state) return;
    const lag = lagMs === null ? '' : ` (${(lagMs / 1000).toFixed(1)} s behind)`;
    if (state === 'ok') this.logger.log(`replica ${member.label} is in rotation${lag}`);
    else if (was === 'ok' || was === 'starting')
      this.logger.warn(`replica ${member.label} is out of rotation: ${state}${error ? ` (${error})` : lag}`);
  }
}

function sqlState(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
