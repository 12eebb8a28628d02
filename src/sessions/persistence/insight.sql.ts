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

/** The user whose `column` is $1, with what login insight knew of them as JSON (`insight`, null if nothing). */
export function userWithInsightSql(column: UserMatch['column']): string {
  return `SELECT ${USER_SELECT},
      (SELECT to_jsonb(b) FROM (${insightOfUserSql('u.id')}) b) AS insight
    FROM users u WHERE u.${column} = $1`;
}

/**
 * Two CTEs, `insight_before` (the user's row as it was) and `insight_recorded` (the upsert), over six parameters
 * starting at $`first` (insightParams): what was known of the user, and that knowledge after this arrival: one
 * more session at a login, the device and country added when new (keeping the latest INSIGHT_MEMORY), the position
 * when it has coordinates. Both see the row as the statement found it.
 */
export function insightCtes(first: number): string {
  return `insight_before AS (${insightOfUserSql(`$${first}`)}), ${insightRecordedCte(first)}`;
}

/**
 * The `insight_recorded` CTE of insightCtes alone; with `onlyWith` (a CTE's name), written only when that CTE has
 * a row (a login's session: a login statement that inserted none records nothing).
 */
export function insightRecordedCte(first: number, onlyWith?: string): string {
  const [user, count, device, country, geo, ip] = [0, 1, 2, 3, 4, 5].map((i) => `$${first + i}`);
  const located = `${geo}::jsonb ->> 'lat' IS NOT NULL`;
  const values = `${user}::int, ${count}::int, coalesce(array_remove(ARRAY[${device}::text], NULL), '{}'),
        coalesce(array_remove(ARRAY[${country}::text], NULL), '{}'),
        CASE WHEN ${located} THEN ${geo}::jsonb END, CASE WHEN ${located} THEN ${ip}::text END,
        CASE WHEN ${located} THEN now() END`;
  return `insight_recorded AS (
      INSERT INTO login_insight AS i (user_id, sessions, devices, countries, last_geo, last_ip, last_at)
      ${onlyWith ? `SELECT ${values} WHERE EXISTS (SELECT 1 FROM ${onlyWith})` : `VALUES (${values})`}
      ON CONFLICT (user_id) DO UPDATE SET
        sessions = i.sessions + ${count},
        devices = CASE WHEN ${device}::text IS NULL OR ${device}::text = ANY (i.devices) THEN i.devices
          ELSE (i.devices || ${device}::text)[greatest(1, cardinality(i.devices) + 2 - ${INSIGHT_MEMORY}):] END,
        countries = CASE WHEN ${country}::text IS NULL OR ${country}::text = ANY (i.countries) THEN i.countries
          ELSE (i.countries || ${country}::text)[greatest(1, cardinality(i.countries) + 2 - ${INSIGHT_MEMORY}):] END,
        last_geo = CASE WHEN ${located} THEN ${geo}::jsonb ELSE i.last_geo END,
        last_ip = CASE WHEN ${located} THEN ${ip}::text ELSE i.last_ip END,
        last_at = CASE WHEN ${located} THEN now() ELSE i.last_at END
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
