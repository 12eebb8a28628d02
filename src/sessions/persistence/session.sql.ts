import { Finding } from '../insight/login-insight';
import { InsightArrival, insightParams, insightRecordedCte } from './insight.sql';
import { NewSessionRow, SESSION_FROM, SESSION_SELECT, SESSIONS } from './tables/sessions.table';
import { insertRow, NOW, SqlValue } from './tables/table';

/**
 * The SQL of one session's reads and writes, as constants and pure functions: the store runs it, and the bench
 * floor (bench/floor-server.ts) runs exactly the same text.
 */

/** The one definition of a live session in SQL (session.model's isLive in TypeScript): live status, not expired. */
export const LIVE_STATUS_SQL = `s.status IN ('new', 'unauthenticated', 'authenticated')`;
export const LIVE_SQL = `${LIVE_STATUS_SQL} AND s.expires_at > now()`;
/** Live status but past expiry: what the sweeper has yet to mark (a short range of sessions_live_expires). */
export const EXPIRED_UNSWEPT_SQL = `${LIVE_STATUS_SQL} AND s.expires_at <= now()`;

export const SESSION_BY_ID_SQL = `SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} WHERE s.id = $1`;
export const SESSION_BY_UUID_SQL = `SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} WHERE s.uuid = $1`;
export const SESSION_BY_PFID_SQL = `SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} WHERE s.pfid = $1`;
export const LIVE_SESSION_BY_TOKEN_SQL = `SELECT ${SESSION_SELECT} FROM ${SESSION_FROM}
  WHERE s.token_hash = $1 AND ${LIVE_SQL}`;

/**
 * Recorded activity slides an idle timeout's expiry (never past the absolute one); without an idle timeout the
 * value is unchanged, so the row's indexes are not touched (PostgreSQL keeps the update heap-only).
 */
export const SLIDE_EXPIRY_SQL = `expires_at = CASE WHEN idle_seconds IS NULL THEN expires_at
  ELSE least(absolute_expires_at, now() + make_interval(secs => idle_seconds)) END`;

/**
 * Writes last-seen (and slides an idle expiry) only when the stored value is older than the throttle ($2 seconds),
 * and never on a session that expired meanwhile: activity cannot bring an idle-ended session back.
 */
export const TOUCH_SQL = `UPDATE sessions SET last_seen_at = now(), ${SLIDE_EXPIRY_SQL}
  WHERE id = $1 AND last_seen_at < now() - make_interval(secs => $2) AND expires_at > now()
  RETURNING last_seen_at, expires_at`;

/**
 * One statement writes a session and its `created` event and reads the row back. The column list comes from the
 * table's definition; first and last seen are the database's `now()`, as created_at is. The bench floor's login
 * (with UPSERT_DEVICE_SQL before it, in a transaction); the service's is loginStatement.
 */
export function insertSessionStatement(row: NewSessionRow): { text: string; params: unknown[] } {
  const insert = insertRow(SESSIONS, {
    ...row,
    first_seen_at: NOW,
    last_seen_at: NOW,
  });
  return {
    text: `WITH s AS (${insert.text} RETURNING *), created AS (
        INSERT INTO session_events (session_id, user_id, kind, actor_user_id, face, ip, user_agent)
        SELECT id, user_id, 'created', NULL, 'hub', first_ip, first_user_agent FROM s
      )
      SELECT ${SESSION_SELECT} FROM s JOIN users u ON u.id = s.user_id`,
    params: insert.params,
  };
}

/**
 * A user's device found, or added when new: a CTE `added` (the INSERT, with the new device's id when it added one)
 * and the SELECT of the device's id either way. No id when a concurrent insert won after the statement's snapshot.
 */
function findOrAddDevice(added: string, pfid: string, user: string, fingerprint: string) {
  return {
    insert: `${added} AS (
    INSERT INTO devices (pfid, user_id, fingerprint) VALUES (${pfid}, ${user}, ${fingerprint})
    ON CONFLICT (user_id, fingerprint) DO NOTHING RETURNING pfid
  )`,
    select: `SELECT pfid FROM ${added} UNION ALL SELECT pfid FROM devices WHERE user_id = ${user} AND fingerprint = ${fingerprint}`,
  };
}

/**
 * The device id for (user $2, fingerprint $3), inserting $1 if there was none; no row if a concurrent insert won.
 * The bench floor's; the service's login finds its device inside loginStatement.
 */
const floorDevice = findOrAddDevice('inserted', '$1', '$2', '$3');
export const UPSERT_DEVICE_SQL = `WITH ${floorDevice.insert}
  ${floorDevice.select}`;

/** Where a login's device comes from: the id the caller gives, or the user's device by fingerprint (added when new). */
export type LoginDevice = { id: string } | { fingerprint: string; newPfid: string };

/** What login insight adds to a login: the arrival it remembers and what it found, judged before the statement. */
export interface LoginInsight {
  arrival: InsightArrival;
  findings: Finding[];
}

/**
 * A whole login as one statement, so its own transaction with one round trip: the device (found, or added), the
 * session, its `created` event and insight's findings after it (one INSERT, in that order), and insight's memory of
 * the user. Answers the session's row; no row when a concurrent login added the same device after this
 * statement's snapshot (then nothing was written, and the statement is run again).
 */
export function loginStatement(
  row: Omit<NewSessionRow, 'device_id'>,
  device: LoginDevice,
  insight?: LoginInsight,
): { text: string; params: unknown[] } {
  const insert = insertRow(
    SESSIONS,
    { ...row, device_id: new SqlValue('device.pfid'), first_seen_at: NOW, last_seen_at: NOW },
    'device',
  );
  const params = [...insert.params];
  const $ = (value: unknown) => `$${params.push(value)}`;
  let deviceCtes: string;
  if ('id' in device) deviceCtes = `device AS (SELECT ${$(device.id)}::char(32) AS pfid)`;
  else {
    const found = findOrAddDevice('device_added', $(device.newPfid), $(row.user_id), $(device.fingerprint));
    deviceCtes = `${found.insert}, device AS (${found.select})`;
  }
  // The findings as a JSON array, numbered so that their events follow `created` in id order.
  const found = insight?.findings.length
    ? `UNION ALL SELECT f.n + 1, f.finding ->> 'kind', 'system', f.finding -> 'detail'
          FROM jsonb_array_elements(${$(JSON.stringify(insight.findings))}::jsonb) WITH ORDINALITY AS f(finding, n)`
    : '';
  const recorded = insight ? `, ${insightRecordedCte(params.length + 1, 's')}` : '';
  if (insight) params.push(...insightParams(row.user_id, insight.arrival, true));
  return {
    text: `WITH ${deviceCtes}, s AS (${insert.text} RETURNING *), events AS (
        INSERT INTO session_events (session_id, user_id, kind, actor_user_id, face, ip, user_agent, detail)
        SELECT s.id, s.user_id, e.kind, NULL, e.face, s.first_ip, s.first_user_agent, e.detail
        FROM s, (SELECT 0::bigint AS n, 'created' AS kind, 'hub' AS face, NULL::jsonb AS detail ${found}) e
        ORDER BY e.n
      )${recorded}
      SELECT ${SESSION_SELECT} FROM s JOIN users u ON u.id = s.user_id`,
    params,
  };
}
