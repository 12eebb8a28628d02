import { LIVE_SQL } from './session.sql';
import { API_TOKEN_SELECT } from './tables/api-tokens.table';
import { USER_SELECT } from './tables/users.table';

/**
 * The SQL of the credential checks that run on every request: the store runs it, and the bench floor
 * (bench/floor-server.ts) runs exactly the same text.
 */

/** An API token (with its id: read-your-writes follows the credential) and its owner, by the key's SHA-256. */
export const TOKEN_BY_HASH_SQL = `SELECT t.id AS token_id, ${API_TOKEN_SELECT}, ${USER_SELECT}
  FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.key_hash = $1`;

/**
 * A live session's id and its user, by the token's SHA-256: the floor's check of a session token, as the service
 * ran it on every such request until the twenty-fifth stop. The service now reads it from its copies
 * (CredentialsService.sessionWithOwner), and when they miss, LIVE_SESSION_WITH_OWNER_BY_TOKEN_SQL.
 */
export const USER_BY_SESSION_TOKEN_SQL = `SELECT s.id AS session_id, ${USER_SELECT}
  FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.token_hash = $1 AND ${LIVE_SQL}`;

/** Writes an API token's last use only when the stored value is older than the throttle ($2 seconds). */
export const TOUCH_TOKEN_SQL = `UPDATE api_tokens SET last_used_at = now()
  WHERE key_hash = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`;
