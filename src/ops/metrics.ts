import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyRequest } from 'fastify';
import cluster from 'node:cluster';
import { Server } from 'node:http';
import { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG, DATABASE } from '../config/tokens';
import { Database } from '../database/database';
import { DatabaseUnavailableError, UnstorableValueError } from '../database/errors';
import { PgliteDatabase } from '../database/pglite-database';
import { PostgresDatabase } from '../database/postgres-database';
import { SessionEndInitiator, SessionEndReason, SessionObserver } from '../sessions/lifecycle/session-observer';
import { counterFor } from '../sessions/persistence/session-list.sql';
import { USERS_WITH_LIVE_COUNT_SQL } from '../sessions/persistence/users-with-live.sql';
import { Face } from '../sessions/session.model';
import { CLIENT_CLOSED_REQUEST, whenClientClosed } from './client-closed';
import { faceOfPath } from './http-face';
import { metricsFromPrimary, shareWithPrimary } from './metrics-cluster';
import {
  listenForScrapes,
  METRICS_PATH,
  PROMETHEUS_CONTENT_TYPE,
  SCRAPE_REFUSED,
  scrapeAllowed,
} from './metrics-endpoint';
import { derivedCounter, RequestDurationHistogram } from './request-durations';

declare module 'fastify' {
  interface FastifyRequest {
    /** process.hrtime.bigint() when the request arrived (metrics). */
    metricsStartedAt: bigint | null;
  }
}

const VALIDATE_ROUTE = '/api/hub/v1/sessions/validate';
const VALIDATE_OUTCOMES = ['valid', 'invalid', 'rate_limited', 'error', 'client_closed'] as const;
type ValidateOutcome = (typeof VALIDATE_OUTCOMES)[number];

/**
 * A validate's outcome from its answer: 2xx valid, 429 rate limited, 5xx error, 499 client closed (hung up before
 * the answer), any other refusal invalid.
 */
function validateOutcome(status: number): ValidateOutcome {
  if (status < 300) return 'valid';
  if (status === CLIENT_CLOSED_REQUEST) return 'client_closed';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'error';
  return 'invalid';
}

function queryErrorKind(error: unknown): 'unavailable' | 'unstorable' | 'other' {
  if (error instanceof DatabaseUnavailableError) return 'unavailable';
  if (error instanceof UnstorableValueError) return 'unstorable';
  return 'other';
}

/**
 * `<prefix>_connections{state}` (idle, in_use) and `<prefix>_waiting` of a `pg` pool, read when scraped; a pool not
 * opened yet reads as empty.
 */
function poolGauges(
  registers: Registry[],
  prefix: string,
  pool: () => Pool | undefined,
  help: { connections: string; waiting: string },
): void {
  new Gauge({
    name: `${prefix}_connections`,
    help: help.connections,
    labelNames: ['state'],
    registers,
    collect() {
      const current = pool();
      this.set({ state: 'idle' }, current?.idleCount ?? 0);
      this.set({ state: 'in_use' }, current ? current.totalCount - current.idleCount : 0);
    },
  });
  new Gauge({
    name: `${prefix}_waiting`,
    help: help.waiting,
    registers,
    collect() {
      this.set(pool()?.waitingCount ?? 0);
    },
  });
}

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics (prom-client), one registry per application (tests run several in one process). Labels come
 * from small fixed sets and route templates only: never a URL, token, key, hash or user.
 */
@Injectable()
export class Metrics implements SessionObserver {
  readonly enabled: boolean;
  readonly registry = new Registry();
  private readonly requestDuration: RequestDurationHistogram;
  private readonly created: Counter<'face'>;
  private readonly ended: Counter<'face' | 'reason' | 'initiator'>;
  private readonly queryErrors: Counter<'kind'>;
  private readonly housekeepingRuns: Counter;
  private readonly housekeepingSessions: Counter<'action'>;
  private readonly housekeepingEvents: Counter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE) private readonly db: Database,
  ) {
    this.enabled = config.METRICS === 'on';
    const registers = [this.registry];
    const counter = (name: string, help: string, labelNames: string[] = []) =>
      new Counter({ name, help, labelNames, registers });
    this.requestDuration = new RequestDurationHistogram(
      'http_request_duration_seconds',
      'HTTP requests by face, route template, method and status: time from arrival to the last byte sent.',
      DURATION_BUCKETS,
      this.registry,
    );
    derivedCounter(
      this.registry,
      'sessionhub_validations_total',
      'Session token validations (POST /api/hub/v1/sessions/validate) by outcome.',
      'outcome',
      VALIDATE_OUTCOMES,
      () =>
        this.requestDuration.countsBy(({ route, method, status }) =>
          route === VALIDATE_ROUTE && method === 'POST' ? validateOutcome(Number(status)) : null,
        ),
    );
    this.created = counter('sessionhub_sessions_created_total', 'Sessions created (logins), by face.', ['face']);
    this.ended = counter(
      'sessionhub_sessions_ended_total',
      'Sessions ended, by face, reason (logout, revoked, expired) and initiator (self, admin, system).',
      ['face', 'reason', 'initiator'],
    );
    this.queryErrors = counter(
      'sessionhub_db_query_errors_total',
      'Failed database queries: unavailable (connection, timeout, overload), unstorable (bad value), other.',
      ['kind'],
    );
    this.housekeepingRuns = counter(
      'sessionhub_housekeeping_runs_total',
      'Housekeeping passes (expiry sweep and purge) this process ran.',
    );
    this.housekeepingSessions = counter(
      'sessionhub_housekeeping_sessions_total',
      'Sessions housekeeping marked expired (its passes and the expiry sweep between them) or purged.',
      ['action'],
    );
    this.housekeepingEvents = counter(
      'sessionhub_housekeeping_events_purged_total',
      'Session events housekeeping purged past EVENT_RETENTION_DAYS.',
    );
    if (!this.enabled) return;
    for (const kind of ['unavailable', 'unstorable', 'other'] as const) this.queryErrors.inc({ kind }, 0);
    for (const action of ['expired', 'purged'] as const) this.housekeepingSessions.inc({ action }, 0);
    this.databaseGauges(registers);
    if (db instanceof PostgresDatabase || db instanceof PgliteDatabase)
      db.onQueryError = (error) => this.queryErrors.inc({ kind: queryErrorKind(error) });
    if (db instanceof PostgresDatabase && db.replicaStatuses().length > 0) {
      const fallbacks = counter(
        'sessionhub_db_replica_fallbacks_total',
        'Reads a replica failed (gone, or a conflict with replay) that the primary then answered.',
      );
      db.onReplicaFallback = () => fallbacks.inc();
    }
    // Default process metrics: CPU, memory, handles, GC, event-loop lag (nodejs_eventloop_lag_*).
    collectDefaultMetrics({ register: this.registry });
    if (cluster.isWorker) shareWithPrimary(this.registry);
  }

  /**
   * Live sessions and users with live sessions, read from the counter tables when scraped (two index reads, not a
   * scan), and the PostgreSQL pool. Every worker reads the same database: aggregated by 'max', not summed.
   */
  private databaseGauges(registers: Registry[]): void {
    const db = this.db;
    // The pool first: a scrape's collectors run in registration order, so the pool is sampled before the count
    // queries below borrow its connections.
    if (db instanceof PostgresDatabase) {
      const pool = db.pool;
      poolGauges(registers, 'sessionhub_db_pool', () => pool, {
        connections: 'PostgreSQL connections of the pool: idle, or in use by a query or transaction.',
        waiting: 'Queries waiting for a free PostgreSQL connection of the pool.',
      });
      poolGauges(registers, 'sessionhub_db_generic_plan_pool', () => db.genericPlanPool, {
        connections:
          'PostgreSQL connections of the pool for searches planned generically (opened by the first, at most DATABASE_POOL_SIZE): idle, or in use.',
        waiting: 'Searches waiting for a free PostgreSQL connection of their pool.',
      });
      new Gauge({
        name: 'sessionhub_db_pool_max',
        help: 'The PostgreSQL pool size (DATABASE_POOL_SIZE).',
        registers,
        collect() {
          this.set(pool.options.max ?? 0);
        },
      });
      // Each process judges the replicas itself: across workers a replica counts as in rotation only if in all.
      const statuses = () => db.replicaStatuses().map((status, index) => ({ ...status, index: String(index) }));
      if (statuses().length > 0) {
        new Gauge({
          name: 'sessionhub_db_replica_in_rotation',
          help: 'Whether reads go to this replica (DATABASE_REPLICA_URLS, by position): 1, or 0 while down or lagging.',
          labelNames: ['replica'],
          aggregator: 'min',
          registers,
          collect() {
            for (const status of statuses()) this.set({ replica: status.index }, status.inRotation ? 1 : 0);
          },
        });
        new Gauge({
          name: 'sessionhub_db_replica_lag_seconds',
          help: "How far the replica's replay is behind the primary, to about a second (NaN while it does not answer).",
          labelNames: ['replica'],
          aggregator: 'max',
          registers,
          collect() {
            for (const status of statuses()) this.set({ replica: status.index }, status.lagSeconds ?? NaN);
          },
        });
      }
    }
    const live = counterFor({ liveOnly: true }, {})!;
    const readCount = async (text: string, params: unknown[]) => {
      try {
        return Number((await db.rows(text, params, { prepare: true }))[0].n);
      } catch {
        return NaN; // counted in sessionhub_db_query_errors_total
      }
    };
    new Gauge({
      name: 'sessionhub_live_sessions',
      help: 'Live sessions (not ended, not expired), from the counter tables.',
      aggregator: 'max',
      registers,
      async collect() {
        this.set(await readCount(live.text, live.params));
      },
    });
    new Gauge({
      name: 'sessionhub_users_with_live_sessions',
      help: 'Users with at least one live session, from the counter tables.',
      aggregator: 'max',
      registers,
      async collect() {
        this.set(await readCount(USERS_WITH_LIVE_COUNT_SQL, []));
      },
    });
  }

  /** The scrape's text: this process's registry, or with WORKERS > 1 every worker's, aggregated by the primary. */
  text(): Promise<string> {
    return cluster.isWorker ? metricsFromPrimary() : this.registry.metrics();
  }

  /** Whether /metrics is served on the service port (else on METRICS_PORT). */
  get onServicePort(): boolean {
    return this.config.METRICS_PORT === 0;
  }

  scrapeAllowed(authorization: string | undefined): boolean {
    return scrapeAllowed(authorization, this.config.METRICS_TOKEN);
  }

  observeRequest(routeUrl: string | undefined, url: string, method: string, status: number, seconds: number): void {
    const route = routeUrl ?? 'unmatched';
    // A route's face is its template's; an unmatched request's is its URL's, so that face is part of its key.
    const urlFace = routeUrl === undefined ? faceOfPath(url) : '';
    this.requestDuration.observe(
      `${method} ${status} ${route} ${urlFace}`,
      () => ({ face: urlFace || faceOfPath(route), route, method, status: String(status) }),
      seconds,
    );
  }

  sessionCreated(face: Face): void {
    this.created.inc({ face });
  }

  sessionsEnded(face: Face, reason: SessionEndReason, initiator: SessionEndInitiator, count: number): void {
    if (count > 0) this.ended.inc({ face, reason, initiator }, count);
  }

  housekeepingRan(expired: number, purged: number, eventsPurged: number): void {
    this.housekeepingRuns.inc();
    this.housekeepingSessions.inc({ action: 'expired' }, expired);
    this.housekeepingSessions.inc({ action: 'purged' }, purged);
    this.housekeepingEvents.inc(eventsPurged);
  }

  expirySwept(expired: number): void {
    this.housekeepingSessions.inc({ action: 'expired' }, expired);
  }
}

/**
 * Installs the request-duration hooks and, unless METRICS_PORT is set, GET /metrics on the service port (a plain
 * Fastify route, not a Nest controller: it is in no OpenAPI document). Nothing at all with METRICS=off.
 */
export function installMetrics(app: NestFastifyApplication): void {
  const metrics = app.get(Metrics);
  if (!metrics.enabled) return;
  const fastify = app.getHttpAdapter().getInstance();
  fastify.decorateRequest('metricsStartedAt', null);
  fastify.addHook('onRequest', (request, _reply, done) => {
    request.metricsStartedAt = process.hrtime.bigint();
    done();
  });
  const observe = (request: FastifyRequest, status: number) => {
    const started = request.metricsStartedAt;
    if (started === null) return;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.observeRequest(request.routeOptions.url, request.url, request.method, status, seconds);
  };
  fastify.addHook('onResponse', (request, reply, done) => {
    observe(request, reply.statusCode);
    done();
  });
  // A request whose client hung up has no answer to time: it is counted at 499 until the hang-up.
  whenClientClosed(fastify, (request) => observe(request, CLIENT_CLOSED_REQUEST));
  if (!metrics.onServicePort) return;
  fastify.get(METRICS_PATH, async (request, reply) => {
    if (!metrics.scrapeAllowed(request.headers.authorization))
      return reply.code(SCRAPE_REFUSED.status).headers(SCRAPE_REFUSED.headers).send(SCRAPE_REFUSED.body);
    const text = await metrics.text();
    return reply.header('content-type', PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store').send(text);
  });
}

/**
 * METRICS_PORT > 0 in a single process: a listener of its own serving /metrics, opened with the application and
 * closed with it. With WORKERS > 1 the primary listens there instead (metrics-cluster.ts).
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.metrics.enabled || this.metrics.onServicePort || cluster.isWorker) return;
    const logger = new Logger('metrics');
    this.server = await listenForScrapes(
      this.config.METRICS_PORT,
      this.config.METRICS_TOKEN,
      () => this.metrics.text(),
      (error) => logger.warn(`metrics failed: ${String(error)}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
