import { Finding } from '../insight/login-insight';
import { InsightArrival, insightRecordedCte } from './insight.sql';
import { NewSessionRow, SESSION_FROM, SESSION_SELECT, SESSIONS, sessionsFrom } from './tables/sessions.table';
import { insertRow, NOW } from './tables/table';
import { OWNER_SELECT } from './tables/users.table';

/**
 * The SQL of one session's reads and writes, as constants and pure functions: the store runs it, and the bench
 * floor (bench/floor-server.ts) runs exactly the same text.
 */

/** The one definition of a live session in SQL (session.model's isLive in TypeScript): live status, not expired. */
const LIVE_STATUSES = `('new', 'unauthenticated', 'authenticated')`;
export const LIVE_STATUS_SQL = `s.status IN ${LIVE_STATUSES}`;
export const LIVE_SQL = `${LIVE_STATUS_SQL} AND s.expires_at > now()`;

/**
 * The earliest expiry among live-status sessions (null when there are none): the first entry of
 * sessions_live_expires. Ordered and limited, so reading the index is the only cheap plan whatever the estimates.
 */
export const EARLIEST_LIVE_EXPIRY_SQL = `SELECT e.expires_at FROM sessions e WHERE e.status IN ${LIVE_STATUSES}
  ORDER BY e.expires_at LIMIT 1`;

/**
 * Live status but past expiry: what the sweeper has yet to mark (a short range of sessions_live_expires).
 *
 * The lower bound excludes nothing (no live-status session expires before the earliest one); it is there for the
 * planner. Alone, `expires_at <= now()` is estimated from every session's expiry, ended sessions' included, which
 * are all past. Where ended sessions outnumber live ones, as in any deployment that keeps them for their retention,
 * the planner then expects a large share of the table to match and reads all of it: with half of 1M sessions ended,
 * every count of these sessions (each superuser list's total, the MOVENS list, the sweep's probe) became a
 * sequential scan of the table, about a second each (docs/performance.md, twenty-second stop). Against a bound it
 * cannot know before the statement runs, it takes its default estimate for a range (0.5 % of the rows) and reads
 * the index.
 */
export const EXPIRED_UNSWEPT_SQL = `${LIVE_STATUS_SQL} AND s.expires_at <= now()
  AND s.expires_at >= (${EARLIEST_LIVE_EXPIRY_SQL})`;

/** `select`'s columns of the session whose `key` is $1, meeting `users` only where the columns need it. */
export const sessionByKeySql = (select: string, key: 'id' | 'uuid' | 'pfid') =>
  `SELECT ${select} FROM ${sessionsFrom(select)} WHERE s.${key} = $1`;
export const SESSION_BY_ID_SQL = sessionByKeySql(SESSION_SELECT, 'id');
export const SESSION_BY_UUID_SQL = sessionByKeySql(SESSION_SELECT, 'uuid');
export const SESSION_BY_PFID_SQL = sessionByKeySql(SESSION_SELECT, 'pfid');
/** A live session by its token's hash: the naive validate, as the bench's floor reads it. */
export const LIVE_SESSION_BY_TOKEN_SQL = `SELECT ${SESSION_SELECT} FROM ${SESSION_FROM}
  WHERE s.token_hash = $1 AND ${LIVE_SQL}`;
/** The same, with the session's owner, in one read: a validate, or a session token used as a bearer key (CredentialsService). */
export const LIVE_SESSION_WITH_OWNER_BY_TOKEN_SQL = `SELECT ${SESSION_SELECT}, ${OWNER_SELECT} FROM ${SESSION_FROM}
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
 * (with UPSERT_DEVICE_SQL before it, in a transaction); the service's is loginsStatement.
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
 * The device id for (user $2, fingerprint $3), inserting $1 if there was none; no row if a concurrent insert won
 * after the statement's snapshot. The bench floor's; the service finds its devices inside loginsStatement.
 */
export const UPSERT_DEVICE_SQL = `WITH inserted AS (
    INSERT INTO devices (pfid, user_id, fingerprint) VALUES ($1, $2, $3)
    ON CONFLICT (user_id, fingerprint) DO NOTHING RETURNING pfid
  )
  SELECT pfid FROM inserted UNION ALL SELECT pfid FROM devices WHERE user_id = $2 AND fingerprint = $3`;

/** Where a login's device comes from: the id the caller gives, or the user's device by fingerprint (added when new). */
export type LoginDevice = { id: string } | { fingerprint: string; newPfid: string };

/** What login insight adds to a login: the arrival it remembers and what it found, judged before the statement. */
export interface LoginInsight {
  arrival: InsightArrival;
  findings: Finding[];
}

/** One login as loginsStatement writes it. */
export interface LoginWrite {
  row: Omit<NewSessionRow, 'device_id'>;
  device: LoginDevice;
  insight?: LoginInsight;
}

/** A column a login writes from its row. */
type LoginColumn = Extract<keyof LoginWrite['row'], string>;

/** A login's values beside its session's columns, as loginsStatement's JSON input names them. */
const LOGIN_EXTRAS = {
  login: 'int',
  given_device: 'char(32)',
  new_device: 'char(32)',
  fingerprint: 'char(64)',
  findings: 'jsonb',
  insight: 'boolean',
  insight_device: 'text',
  insight_country: 'text',
  insight_geo: 'jsonb',
  insight_ip: 'text',
} as const;

/** The statement's text per set of session columns (toNewSessionRow always sets the same ones: one text). */
const loginsTexts = new Map<string, string>();

/**
 * Logins, at most one per user, as one statement (its own transaction, one round trip, the counter triggers run
 * once): each one's device (found, or added), session, its `created` event and insight's findings after it (in that
 * order, sessions in the order given), and insight's memory of each user. The logins travel as one JSON parameter,
 * so the text is the same for one login or fifty and is prepared once. Answers each written session's row with
 * `login`, its index in `logins`; a login has no row when a concurrent one added its device after this statement's
 * snapshot (then nothing of it was written, and it is run again).
 */
export function loginsStatement(logins: readonly LoginWrite[]): { text: string; params: unknown[] } {
  const columns = Object.keys(logins[0].row) as LoginColumn[];
  const key = columns.join();
  let text = loginsTexts.get(key);
  if (!text) loginsTexts.set(key, (text = loginsText(columns)));
  const input = logins.map(({ row, device, insight }, login) => {
    const extras: Record<keyof typeof LOGIN_EXTRAS, unknown> = {
      login,
      given_device: 'id' in device ? device.id : null,
      new_device: 'id' in device ? null : device.newPfid,
      fingerprint: 'id' in device ? null : device.fingerprint,
      findings: insight?.findings ?? [],
      insight: insight !== undefined,
      insight_device: insight?.arrival.deviceLabel ?? null,
      insight_country: insight?.arrival.geo?.country ?? null,
      insight_geo: insight?.arrival.geo ?? null,
      insight_ip: insight?.arrival.ip ?? null,
    };
    // The row's JSON and the extras' joined, rather than the row's ~30 columns spread into a new object per login:
    // building and writing the parameter was about 5 % of a login's Node CPU, and this took about a fifth of that
    // off (docs/performance.md, nineteenth stop). Both are non-empty objects with distinct keys, so the joined text
    // is the JSON of the spread.
    return `${JSON.stringify(row).slice(0, -1)},${JSON.stringify(extras).slice(1)}`;
  });
  return { text, params: [`[${input.join(',')}]`] };
}

function loginsText(columns: readonly LoginColumn[]): string {
  const types = [
    ...columns.map((column) => `${column} ${SESSIONS.columns[column]}`),
    ...Object.entries(LOGIN_EXTRAS).map(([name, type]) => `${name} ${type}`),
  ];
  return `WITH input AS MATERIALIZED (SELECT * FROM json_to_recordset($1::json) AS l(${types.join(', ')})),
    device_added AS (
      INSERT INTO devices (pfid, user_id, fingerprint)
      SELECT l.new_device, l.user_id, l.fingerprint FROM input l WHERE l.given_device IS NULL
      ORDER BY l.user_id, l.fingerprint
      ON CONFLICT (user_id, fingerprint) DO NOTHING RETURNING pfid, user_id, fingerprint
    ),
    device AS (
      SELECT l.login, coalesce(l.given_device, a.pfid, d.pfid) AS pfid FROM input l
      LEFT JOIN device_added a ON l.given_device IS NULL AND a.user_id = l.user_id AND a.fingerprint = l.fingerprint
      LEFT JOIN devices d ON l.given_device IS NULL AND d.user_id = l.user_id AND d.fingerprint = l.fingerprint
    ),
    s AS (
      INSERT INTO sessions (${columns.join(', ')}, device_id, first_seen_at, last_seen_at)
      SELECT ${columns.map((column) => `l.${column}`).join(', ')}, device.pfid, now(), now()
      FROM input l JOIN device ON device.login = l.login WHERE device.pfid IS NOT NULL ORDER BY l.login
      RETURNING *
    ),
    events AS (
      INSERT INTO session_events (session_id, user_id, kind, actor_user_id, face, ip, user_agent, detail)
      SELECT s.id, s.user_id, e.kind, NULL, e.face, s.first_ip, s.first_user_agent, e.detail
      FROM s JOIN input l ON l.uuid = s.uuid CROSS JOIN LATERAL (
        SELECT 0::bigint AS n, 'created' AS kind, 'hub' AS face, NULL::jsonb AS detail
        UNION ALL SELECT f.n, f.finding ->> 'kind', 'system', f.finding -> 'detail'
          FROM jsonb_array_elements(l.findings) WITH ORDINALITY AS f(finding, n)
      ) e
      ORDER BY s.id, e.n
    ),
    ${insightRecordedCte(
      `SELECT l.user_id, 1 AS sessions, l.insight_device AS device, l.insight_country AS country,
        l.insight_geo AS geo, l.insight_ip AS ip
      FROM input l WHERE l.insight AND EXISTS (SELECT 1 FROM s WHERE s.user_id = l.user_id)`,
    )}
    SELECT l.login, ${SESSION_SELECT} FROM s JOIN input l ON l.uuid = s.uuid
      -- Each session's user by its key: joined plainly, the planner (guessing 100 sessions) reads every user.
      CROSS JOIN LATERAL (SELECT * FROM users WHERE users.id = s.user_id OFFSET 0) u`;
}
