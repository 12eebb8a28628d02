import { Row } from '../../database/database';
import { UserHistory } from '../insight/login-insight';
import { GeoInfo } from '../session.model';
import { date, nullableJson } from './tables/decode';
import { USER_SELECT } from './tables/users.table';
import { UserMatch } from './user-match';

/** How many devices and countries login insight remembers per user (the latest ones). */
const INSIGHT_MEMORY = 50;

/** An arrival as login insight stores it. */
export interface InsightArrival {
  deviceLabel: string | null;
  geo: GeoInfo | null;
  ip: string;
}

/** The parameters of insightCtes, in order. */
export function insightParams(userId: number, arrival: InsightArrival, newSession: boolean): unknown[] {
  return [
    userId,
    newSession ? 1 : 0,
    arrival.deviceLabel,
    arrival.geo?.country ?? null,
    arrival.geo ? JSON.stringify(arrival.geo) : null,
    arrival.ip,
  ];
}

/** What login insight knew of the user `userId` (an SQL expression): the row `toUserHistory` reads. */
function insightOfUserSql(userId: string): string {
  return `SELECT sessions, devices, countries, last_geo, last_ip, last_at FROM login_insight WHERE user_id = ${userId}`;
}

/** The SQL type of each column a user is looked up by. */
const MATCH_TYPES: Record<UserMatch['column'], string> = { id: 'int', uuid: 'uuid', username: 'text' };

/**
 * The users whose `column` is one of the array $1, each with what login insight knew of them as JSON (`insight`,
 * null if nothing). The logins gathered while a lookup runs ask together (SessionStore.userWithInsight).
 */
export function usersWithInsightSql(column: UserMatch['column']): string {
  return `SELECT ${USER_SELECT},
      (SELECT to_jsonb(b) FROM (${insightOfUserSql('u.id')}) b) AS insight
    FROM users u WHERE u.${column} = ANY ($1::${MATCH_TYPES[column]}[])`;
}

/**
 * Two CTEs, `insight_before` (the user's row as it was) and `insight_recorded` (the upsert), over six parameters
 * starting at $`first` (insightParams): what was known of the user, and that knowledge after this arrival. Both see
 * the row as the statement found it.
 */
export function insightCtes(first: number): string {
  const [user, count, device, country, geo, ip] = [0, 1, 2, 3, 4, 5].map((i) => `$${first + i}`);
  return `insight_before AS (${insightOfUserSql(user)}), ${insightRecordedCte(
    `SELECT ${user}::int AS user_id, ${count}::int AS sessions, ${device}::text AS device,
      ${country}::text AS country, ${geo}::jsonb AS geo, ${ip}::text AS ip`,
  )}`;
}

/**
 * The CTE `insight_recorded`: login insight's memory after the arrivals `arrivals` selects, one per user (columns
 * user_id, sessions (how many new sessions: 1 at a login, 0 at a validate), device (label), country, geo, ip): the
 * sessions counted, the device and country added when new (keeping the latest INSIGHT_MEMORY), the position
 * when it has coordinates. Users' rows are written in id order, so two statements lock them in the same order.
 */
export function insightRecordedCte(arrivals: string): string {
  const keepLatest = (
    column: string,
  ) => `CASE WHEN excluded.${column} = '{}' OR excluded.${column}[1] = ANY (i.${column})
          THEN i.${column}
          ELSE (i.${column} || excluded.${column})[greatest(1, cardinality(i.${column}) + 2 - ${INSIGHT_MEMORY}):] END`;
  const located = `a.geo ->> 'lat' IS NOT NULL`;
  return `insight_recorded AS (
      INSERT INTO login_insight AS i (user_id, sessions, devices, countries, last_geo, last_ip, last_at)
      SELECT a.user_id, a.sessions, coalesce(array_remove(ARRAY[a.device], NULL), '{}'),
        coalesce(array_remove(ARRAY[a.country], NULL), '{}'),
        CASE WHEN ${located} THEN a.geo END, CASE WHEN ${located} THEN a.ip END, CASE WHEN ${located} THEN now() END
      FROM (${arrivals}) a ORDER BY a.user_id
      ON CONFLICT (user_id) DO UPDATE SET
        sessions = i.sessions + excluded.sessions,
        devices = ${keepLatest('devices')},
        countries = ${keepLatest('countries')},
        last_geo = coalesce(excluded.last_geo, i.last_geo),
        last_ip = CASE WHEN excluded.last_geo IS NULL THEN i.last_ip ELSE excluded.last_ip END,
        last_at = CASE WHEN excluded.last_geo IS NULL THEN i.last_at ELSE excluded.last_at END
    )`;
}

/** The row of `insight_before` (selected as JSON by the statement), as what was known; nothing when absent. */
export function toUserHistory(before: Row | null): UserHistory {
  if (!before) return { sessions: 0, deviceLabels: [], countries: [], lastPlace: null };
  const geo = nullableJson<GeoInfo>(before.last_geo);
  return {
    sessions: Number(before.sessions),
    deviceLabels: before.devices as string[],
    countries: before.countries as string[],
    lastPlace: geo && before.last_at ? { geo, ip: String(before.last_ip), at: date(before.last_at) } : null,
  };
}
