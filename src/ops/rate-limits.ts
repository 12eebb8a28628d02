import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { BlockList, isIP } from 'node:net';
import Redis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/tokens';
import { DomainError, DomainErrorCode } from '../sessions/domain-error';

/**
 * Rate limits, counted per window in Redis when REDIS_URL is set (shared by every worker and instance), in process
 * memory otherwise. rate-limiter-flexible rather than @fastify/rate-limit: the latter counts requests at the
 * router, while failed authentications must be counted only once a key has been refused, and a login's limit is
 * per user named in its body.
 *
 * - failed authentications: per client address and per key prefix (a key guessed from many addresses);
 * - validate: per client address;
 * - login: per user.
 * Addresses in RATE_LIMIT_TRUSTED_CIDRS (the application servers' network) are never limited; RATE_LIMITS=off
 * turns every limit off.
 */
@Injectable()
export class RateLimits implements OnApplicationShutdown {
  private readonly logger = new Logger('rate-limits');
  private readonly redis: Redis | null;
  private readonly trusted = new BlockList();
  private readonly trustedCount: number;
  private readonly trustedAddresses = new Map<string, boolean>();
  /** Addresses (`a:`) and key prefixes (`k:`) this process saw fail, until when their failures count. */
  private readonly failedRecently = new Map<string, number>();
  private readonly windowMs: number;
  private readonly failuresByAddress: RateLimiterAbstract;
  private readonly failuresByKey: RateLimiterAbstract;
  private readonly validates: RateLimiterAbstract;
  private readonly logins: RateLimiterAbstract;
  private readonly enabled: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.enabled = config.RATE_LIMITS === 'on';
    for (const cidr of config.RATE_LIMIT_TRUSTED_CIDRS) {
      const [address, prefix] = cidr.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      this.trusted.addSubnet(address, Number(prefix ?? (family === 'ipv6' ? 128 : 32)), family);
    }
    this.trustedCount = config.RATE_LIMIT_TRUSTED_CIDRS.length;
    this.redis = config.REDIS_URL
      ? new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
      : null;
    this.redis?.on('error', (error: Error) => this.logger.warn(`redis: ${error.message}`));
    const limiter = (keyPrefix: string, points: number, duration: number) =>
      this.redis
        ? new RateLimiterRedis({
            storeClient: this.redis,
            keyPrefix: `sessionhub:${keyPrefix}`,
            points,
            duration,
            // Redis unreachable: limits fall back to this process's memory rather than refusing everyone.
            insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
          })
        : new RateLimiterMemory({ keyPrefix, points, duration });
    const window = config.RATE_LIMIT_WINDOW_SECONDS;
    this.windowMs = window * 1000;
    this.failuresByAddress = limiter('auth-fail-ip', config.RATE_LIMIT_AUTH_FAILURES, window);
    this.failuresByKey = limiter('auth-fail-key', config.RATE_LIMIT_AUTH_FAILURES, window);
    this.validates = limiter('validate-ip', config.RATE_LIMIT_VALIDATE, window);
    this.logins = limiter('login-user', config.RATE_LIMIT_LOGIN, window);
  }

  private exempt(address: string): boolean {
    if (!this.enabled) return true;
    // BlockList.check builds a SocketAddress per call (about 1 µs, a few percent of a validate): skipped when no
    // network is trusted, and remembered per address otherwise (the application servers are a few addresses).
    if (this.trustedCount === 0) return false;
    let known = this.trustedAddresses.get(address);
    if (known === undefined) {
      const family = isIP(address);
      known = family !== 0 && this.trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
      if (this.trustedAddresses.size >= 10_000) this.trustedAddresses.clear();
      this.trustedAddresses.set(address, known);
    }
    return known;
  }

  /** Refuses an address or key that failed authentication too often in this window. */
  async beforeAuthentication(address: string, key: string): Promise<void> {
    if (this.exempt(address)) return;
    if (!this.mayHaveFailed(address, key)) return;
    const [byAddress, byKey] = await Promise.all([
      this.failuresByAddress.get(address),
      this.failuresByKey.get(keyPrefix(key)),
    ]);
    for (const [res, limiter] of [
      [byAddress, this.failuresByAddress],
      [byKey, this.failuresByKey],
    ] as const) {
      if (res && res.consumedPoints >= limiter.points) throw rateLimited(res);
    }
  }

  /** Counts a refused key against its address and its prefix. */
  async authenticationFailed(address: string, key: string): Promise<void> {
    if (this.exempt(address)) return;
    this.rememberFailure(address, key);
    await Promise.all([
      this.failuresByAddress.penalty(address).catch(() => undefined),
      this.failuresByKey.penalty(keyPrefix(key)).catch(() => undefined),
    ]);
  }

  /**
   * Whether this address or key prefix may have failures on record. Without Redis every failure is counted by this
   * process, so an address and prefix it has not seen fail in the window have none, and the two counter reads (a
   * few microseconds, on every validate) are skipped. With Redis other instances count too: always read.
   */
  private mayHaveFailed(address: string, key: string): boolean {
    if (this.redis || this.failedRecently.size >= FAILED_RECENTLY_MAX) return true;
    const now = Date.now();
    return [`a:${address}`, `k:${keyPrefix(key)}`].some((k) => (this.failedRecently.get(k) ?? 0) > now);
  }

  private rememberFailure(address: string, key: string): void {
    if (this.redis) return;
    const now = Date.now();
    if (this.failedRecently.size >= FAILED_RECENTLY_MAX) {
      for (const [k, until] of this.failedRecently) if (until <= now) this.failedRecently.delete(k);
    }
    const until = now + this.windowMs;
    this.failedRecently.set(`a:${address}`, until);
    this.failedRecently.set(`k:${keyPrefix(key)}`, until);
  }

  async validate(address: string): Promise<void> {
    if (!this.exempt(address)) await consume(this.validates, address);
  }

  async login(address: string, user: string | number): Promise<void> {
    if (!this.exempt(address)) await consume(this.logins, String(user));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}

/** Past this many remembered failures (an attack from everywhere), every check reads the counters again. */
const FAILED_RECENTLY_MAX = 100_000;

/** The part of a key that stays the same while someone guesses the rest of it. */
function keyPrefix(key: string): string {
  return key.slice(0, 12);
}

function rateLimited(res: RateLimiterRes): DomainError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new DomainError(DomainErrorCode.RateLimited, 'Too many requests; try again later.', undefined, seconds);
}

async function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) throw rateLimited(rejection);
    throw rejection;
  }
}
