import { plainToInstance, Transform } from 'class-transformer';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { IsIn, IsOptional, IsString, MinLength, ValidateBy, validateSync } from 'class-validator';
import { commaList, emptyToUndefined, IntSetting, OnOffSetting, Setting, SETTING_DOCS } from './setting-decorators';
import { ServiceSettings } from './service-settings';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * DATABASE_POOL_SIZE when unset: twice the machine's cores plus one (Prisma's default; PostgreSQL's wiki sizes a pool
 * at about twice the database's cores), at most 10. One Node process keeps a few statements in flight; more
 * connections than the cores can run only contend. On the bench's 2 cores, shared with PostgreSQL, 5 connections
 * against 10 served the search and user-sessions 7-30 % faster, the other lists and logins alike or faster, with
 * a lower p99 in 11 of 12 alternating rounds (docs/scaling.md).
 */
export function defaultPoolSize(cores = availableParallelism()): number {
  return Math.min(10, 2 * cores + 1);
}

/** Every setting SessionHub reads from its environment; each has a default that works on a laptop. */
export class AppConfig extends ServiceSettings {
  @IntSetting(
    60,
    366 * 24 * 3600,
    "Absolute lifetime of a login's session, unless the call asks for another.",
    '1209600',
  )
  SESSION_TTL_SECONDS = 14 * 24 * 3600;

  @IntSetting(
    0,
    366 * 24 * 3600,
    'Absolute lifetime of an api session (sessionType api), unless the call asks for another (0: SESSION_TTL_SECONDS).',
    '2592000',
  )
  API_SESSION_TTL_SECONDS = 0;

  @IntSetting(
    0,
    366 * 24 * 3600,
    'A browser session with no validate for this long ends (reason idle), unless the call asks for another (0: no idle timeout).',
    '1800',
  )
  SESSION_IDLE_SECONDS = 0;

  @IntSetting(
    0,
    366 * 24 * 3600,
    'An api session with no validate for this long ends (reason idle), unless the call asks for another (0: no idle timeout).',
    '86400',
  )
  API_SESSION_IDLE_SECONDS = 0;

  @IntSetting(
    0,
    1_000_000,
    "Most live sessions a user may have at once (0: no limit); a user's own limit (hub users' maxSessions) wins.",
    '5',
  )
  SESSION_LIMIT = 0;

  @IsIn(['evict-oldest', 'refuse'], { message: 'must be evict-oldest or refuse' })
  @Setting(
    'At the limit, a login revokes the sessions seen longest ago (evict-oldest) or is refused with 409 (refuse).',
    'refuse',
  )
  SESSION_LIMIT_POLICY: 'evict-oldest' | 'refuse' = 'evict-oldest';

  @OnOffSetting(
    "At login and at a validate from a new address, record new_device, new_country and impossible_travel events against the user's history.",
    'off',
  )
  LOGIN_INSIGHT: 'on' | 'off' = 'on';

  @IntSetting(100, 100_000, 'A journey between two positions faster than this (km/h) is impossible travel.', '1000')
  TRAVEL_MAX_SPEED_KMH = 1000;

  @IntSetting(
    0,
    20_000,
    'Positions closer than this (km) are never a journey: VPN exits and geo data move one person between nearby cities.',
    '500',
  )
  TRAVEL_MIN_DISTANCE_KM = 500;

  @IsIn(['record', 'refuse'], { message: 'must be record or refuse' })
  @Setting('On impossible travel at login: record the event (record), or refuse the login with 403 (refuse).', 'refuse')
  TRAVEL_POLICY: 'record' | 'refuse' = 'record';

  @IntSetting(0, 3600, 'A validate writes last-seen only when the stored value is older than this.', '60')
  TOUCH_INTERVAL_SECONDS = 60;

  @IntSetting(
    0,
    60,
    'validate, and a session token used as a bearer key, answer from an in-process copy of a live session read at most this long ago; every process drops it at once when the session ends (0: no copy, every validate reads the database).',
    '1',
  )
  VALIDATE_CACHE_SECONDS = 1;

  @IntSetting(
    0,
    60,
    'An API token, and the owner of a session token, are checked against an in-process copy read at most this long ago; every process drops its copies at once when any token or user changes (0: no copy, every request reads the database).',
    '1',
  )
  API_TOKEN_CACHE_SECONDS = 1;

  @IntSetting(
    1000,
    10_000_000,
    'At most this many live sessions (and as many API tokens, and users) are kept per process.',
    '100000',
  )
  VALIDATE_CACHE_ENTRIES = 100_000;

  @IntSetting(1, 3650, 'Ended sessions are purged this many days after they stopped being live.', '30')
  RETENTION_DAYS = 30;

  @IntSetting(
    1,
    36500,
    "Session events (the event history) are purged this many days after they happened, whether or not their session is still kept: a purged session's history stays until then.",
    '365',
  )
  EVENT_RETENTION_DAYS = 365;

  @IntSetting(10, 7 * 24 * 3600, 'How often housekeeping (expiry sweep, purge) runs, once per deployment.', '300')
  HOUSEKEEPING_INTERVAL_SECONDS = 300;

  @IntSetting(
    0,
    3600,
    "How often each process marks sessions past their expiry as ended, between housekeeping's passes; 0: only housekeeping does. Every list's exact total and MOVENS' users subtract the expired sessions not marked yet, at a cost that grows with their number.",
    '5',
  )
  EXPIRY_SWEEP_SECONDS = 1;

  @IntSetting(1, 64, 'Processes serving one port (PostgreSQL only).', '2')
  WORKERS = 1;

  @IntSetting(
    1,
    3600,
    "A request's headers and body must arrive within this many seconds, or it is answered 408 and its connection closed. The time taken to answer is not bounded by it (long polls).",
    '60',
  )
  REQUEST_TIMEOUT_SECONDS = 30;

  @IntSetting(
    1,
    200,
    'PostgreSQL connections per process, and as many again at most for searches (planned generically).',
    '10',
    'twice the CPU cores plus one, at most 10',
  )
  DATABASE_POOL_SIZE = defaultPoolSize();

  @IntSetting(
    0,
    300,
    "Each process's JavaScript heap grows to at most its live data plus this percentage before a full collection (0: V8's own rule, up to 4× on a large machine).",
    '100',
  )
  HEAP_GROWTH_PERCENT = 100;

  @IntSetting(
    0,
    65536,
    "While a process's live JavaScript data plus HEAP_GROWTH_PERCENT would pass this many MB, the growth shrinks to fit it (to 25 % at least; 0: never).",
    '100',
  )
  HEAP_TARGET_MB = 100;

  @IntSetting(0, 600_000, 'PostgreSQL cancels any statement of a request past this (0: no limit).', '5000')
  STATEMENT_TIMEOUT_MS = 5000;

  @IntSetting(0, 600, 'On SIGTERM, readiness answers 503 this long before the listener closes (load balancers).', '5')
  SHUTDOWN_DRAIN_SECONDS = 0;

  @IntSetting(1, 3600, 'On SIGTERM, in-flight requests get this long to finish before the process exits.', '25')
  SHUTDOWN_GRACE_SECONDS = 25;

  @OnOffSetting('Rate limits on failed authentication, validate and login.', 'on')
  RATE_LIMITS: 'on' | 'off' = 'on';

  @IntSetting(1, 3600, 'The window every rate limit counts in.', '60')
  RATE_LIMIT_WINDOW_SECONDS = 60;

  @IntSetting(1, 1_000_000, 'Failed authentications per client address, and per key prefix, per window.', '20')
  RATE_LIMIT_AUTH_FAILURES = 20;

  @IntSetting(1, 100_000_000, 'Validate calls per client address per window.', '60000')
  RATE_LIMIT_VALIDATE = 60_000;

  @IntSetting(1, 1_000_000, 'Logins (session creations) per user per window.', '60')
  RATE_LIMIT_LOGIN = 60;

  @OnOffSetting('Prometheus metrics at /metrics (request durations, sessions, database, process).', 'on')
  METRICS: 'on' | 'off' = 'on';

  @IntSetting(
    0,
    65535,
    'Port of a listener serving only /metrics (with WORKERS > 1: the primary, for all workers); 0: the service port.',
    '9464',
  )
  METRICS_PORT = 0;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  @Setting(
    'When set, /metrics needs `Authorization: Bearer <this>`; unset: open (protect it by network).',
    'a-long-random-secret',
  )
  METRICS_TOKEN?: string;

  @Transform(commaList)
  @ValidateBy({
    name: 'cidrList',
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) &&
        value.every((cidr) => {
          const [address, prefix, extra] = String(cidr).split('/');
          const family = isIP(address);
          const bits = prefix === undefined ? 0 : Number(prefix);
          return (
            family !== 0 &&
            extra === undefined &&
            Number.isInteger(bits) &&
            bits >= 0 &&
            bits <= (family === 6 ? 128 : 32)
          );
        }),
      defaultMessage: () => 'must be a comma-separated list of addresses or CIDR ranges',
    },
  })
  @Setting('Client addresses never rate limited (the application servers), comma-separated.', '10.0.0.0/8,192.168.1.5')
  RATE_LIMIT_TRUSTED_CIDRS: string[] = [];

  @Transform(emptyToUndefined)
  @IsOptional()
  @ValidateBy({
    name: 'redisUrl',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^rediss?:\/\/[^\s]+$/.test(value),
      defaultMessage: () => 'must be a redis:// or rediss:// URL',
    },
  })
  @Setting(
    'Redis for rate-limit counters shared by every worker and instance; unset: per process.',
    'redis://127.0.0.1:6379',
  )
  REDIS_URL?: string;

  @OnOffSetting('Take the client address from X-Forwarded-For (only behind a proxy that sets it).', 'off')
  TRUST_PROXY: 'on' | 'off' = 'off';

  @IsIn(['json', 'pretty'], { message: 'must be json or pretty' })
  @Setting('Log format: JSON lines, or a readable colourless format for terminals.', 'pretty')
  LOG_FORMAT: 'json' | 'pretty' = 'json';

  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  @Setting('How much the service logs.', 'info')
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @Transform(emptyToUndefined)
  @IsOptional()
  @ValidateBy({
    name: 'issuerUrl',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^https?:\/\/[^\s?#]+$/.test(value),
      defaultMessage: () => 'must be an http:// or https:// URL without query or fragment',
    },
  })
  @Setting(
    "Shared Signals: the transmitter's issuer (`iss` of every SET, and in discovery); unset: the base URL a discovery request came to, and a stream's SETs the base URL it was created at (with TRUST_PROXY=on, as the proxy's X-Forwarded-Proto and X-Forwarded-Host say). Set it in production.",
    'https://sessions.example.com',
  )
  SSF_ISSUER?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @ValidateBy({
    name: 'aes256Key',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === 32,
      defaultMessage: () => 'must be 32 random bytes in base64 (openssl rand -base64 32)',
    },
  })
  @Setting(
    'Shared Signals: encrypts the signing keys stored in the database (AES-256-GCM); unset: stored unencrypted.',
    'tF79wwdpXDImDYZ2R7NkSFRff8y/fBIxG0KEX0XhvWY=',
  )
  SSF_KEY_ENCRYPTION_KEY?: string;

  @IntSetting(
    0,
    90 * 24 * 3600,
    'Shared Signals: after a key rotation the previous signing key stays in the JWKS this long.',
    '604800',
  )
  SSF_KEY_OVERLAP_SECONDS = 7 * 24 * 3600;

  @IntSetting(60, 24 * 3600, "Shared Signals: lifetime of a receiver's access token.", '3600')
  SSF_TOKEN_TTL_SECONDS = 3600;

  @IntSetting(
    1,
    10_000_000,
    'Shared Signals: most SETs a paused stream keeps; beyond it the oldest are dropped.',
    '10000',
  )
  SSF_PAUSED_BACKLOG = 10_000;

  @IntSetting(
    0,
    24 * 3600,
    "Shared Signals: a stream's min_verification_interval (429 when verified more often).",
    '30',
  )
  SSF_MIN_VERIFICATION_INTERVAL_SECONDS = 30;

  @IntSetting(1, 120, 'Shared Signals: a push to a receiver fails after this long without an answer.', '10')
  SSF_PUSH_TIMEOUT_SECONDS = 10;

  @IntSetting(
    1,
    100,
    'Shared Signals: pushes of one SET before it is given up and its stream paused (a stream-updated SET says so).',
    '12',
  )
  SSF_PUSH_MAX_ATTEMPTS = 12;

  @IntSetting(
    10,
    600_000,
    'Shared Signals: the first retry of a failed push waits this long, each next one twice as long.',
    '1000',
  )
  SSF_PUSH_RETRY_BASE_MS = 1000;

  @IntSetting(1, 24 * 3600, 'Shared Signals: the longest wait between two pushes of one SET.', '300')
  SSF_PUSH_RETRY_MAX_SECONDS = 300;

  @OnOffSetting(
    'Shared Signals: allow plain http:// push endpoints on other hosts than loopback (on a private network).',
    'on',
  )
  SSF_PUSH_ALLOW_HTTP: 'on' | 'off' = 'off';

  @IntSetting(1, 300, 'Shared Signals: the longest a poll without returnImmediately waits for a SET.', '30')
  SSF_POLL_WAIT_SECONDS = 30;

  @IntSetting(1, 24 * 3600, 'Shared Signals: a polled SET not acknowledged within this long is handed out again.', '60')
  SSF_POLL_REDELIVERY_SECONDS = 60;
}

/** The names of every setting, optional ones included. */
function settingNames(): string[] {
  return SETTING_DOCS.map((doc) => doc.name);
}

/**
 * Reads and validates the environment; throws one readable error listing every bad setting, each with its
 * variable, what is wrong with the value and an example of a good one.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const picked: Record<string, unknown> = {};
  for (const key of settingNames()) if (env[key] !== undefined) picked[key] = env[key];
  const config = plainToInstance(AppConfig, picked, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const doc = SETTING_DOCS.find((d) => d.name === e.property);
      const example = doc ? ` (for example ${e.property}=${doc.example})` : '';
      return `  ${e.property}=${JSON.stringify(env[e.property] ?? e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}${example}`;
    });
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return config;
}

/** `--help`: every variable with its default and what it does. */
export function configHelp(): string {
  const defaults = new AppConfig() as unknown as Record<string, unknown>;
  const rows = SETTING_DOCS.map((doc) => {
    const value = defaults[doc.name];
    return `  ${doc.name.padEnd(30)} ${value === undefined ? '(unset)' : typeof value === 'string' ? value : JSON.stringify(value)}\n      ${doc.description}`;
  });
  return `SessionHub reads its settings from environment variables:\n\n${rows.join('\n')}\n`;
}
