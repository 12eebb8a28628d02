import { AppConfig } from '../../config/app-config';
import { Session, SessionType } from '../session.model';

type TimeoutSettings = Pick<
  AppConfig,
  'SESSION_TTL_SECONDS' | 'API_SESSION_TTL_SECONDS' | 'SESSION_IDLE_SECONDS' | 'API_SESSION_IDLE_SECONDS'
>;

/** A session type's default absolute lifetime and idle timeout (0: none), as the deployment set them. */
export function timeoutDefaults(
  config: TimeoutSettings,
  type: SessionType,
): { ttlSeconds: number; idleSeconds: number } {
  return type === 'api'
    ? {
        ttlSeconds: config.API_SESSION_TTL_SECONDS || config.SESSION_TTL_SECONDS,
        idleSeconds: config.API_SESSION_IDLE_SECONDS,
      }
    : { ttlSeconds: config.SESSION_TTL_SECONDS, idleSeconds: config.SESSION_IDLE_SECONDS };
}

/**
 * How stale a session's recorded last-seen may be before a validate writes it again. Activity is what slides an
 * idle expiry, so a session with an idle timeout is written at least every tenth of it: it then ends between 90%
 * and 100% of its idle timeout after its last validate, and never while it is in use.
 */
export function touchThrottleSeconds(session: Pick<Session, 'idleSeconds'>, configured: number): number {
  return session.idleSeconds === null ? configured : Math.min(configured, Math.floor(session.idleSeconds / 10));
}
