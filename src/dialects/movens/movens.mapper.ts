import { isoSeconds } from '../../database/timestamp';
import { Session, SessionFields, UserWithLiveSessions } from '../../sessions/session.model';
import { MovensUserSession, MovensUserSessionCount } from './movens.dto';

/** MOVENS's literals for what nobody told us: the join of empty parts in its own templates. */
export const UNKNOWN_SMARTPHONE = '-';
export const UNKNOWN_SOFTWARE = 'Other- v. ';

/** MOVENS dates: ISO 8601 in UTC, whole seconds, `Z` (2020-09-21T10:42:50Z). */
export function movensDate(date: Date): string {
  return `${isoSeconds(date)}Z`;
}

export function toMovensUserSessionCount(row: UserWithLiveSessions): MovensUserSessionCount {
  return {
    UserGuid: row.userUuid.toLowerCase(),
    UserName: row.username,
    SessionCount: row.count,
    IsOperator: row.isOperator,
  };
}

/** The session fields a MOVENS user session shows: its list reads only their columns. */
export const MOVENS_SESSION_FIELDS = [
  'id',
  'userId',
  'userUuid',
  'lastSeen',
  'expiresAt',
  'username',
  'userIsOperator',
  'device',
  'userAgent',
] as const satisfies SessionFields<keyof Session>;
export type MovensSessionFacts = Pick<Session, (typeof MOVENS_SESSION_FIELDS)[number]>;

export function toMovensUserSession(session: MovensSessionFacts): MovensUserSession {
  return {
    ID: session.id,
    UserID: session.userId,
    UserGuid: session.userUuid.toLowerCase(),
    LastUpdated: movensDate(session.lastSeen.at),
    ExpirationDate: movensDate(session.expiresAt),
    UserName: session.username,
    IsOperator: session.userIsOperator,
    Smartphone: smartphoneOf(session),
    OperatingSystem: operatingSystemOf(session),
    Application: applicationOf(session),
  };
}

const known = (value: string | null | undefined): value is string => typeof value === 'string' && value.trim() !== '';

/** `{brand}-{model}`: what the app reported at login, else what the user agent names, else "-". */
export function smartphoneOf(session: Pick<Session, 'device' | 'userAgent'>): string {
  const { brand, model } = session.device;
  if (known(brand) || known(model)) return `${brand ?? ''}-${model ?? ''}`;
  const parsed = session.userAgent?.device;
  if (known(parsed?.brand) || known(parsed?.model)) return `${parsed.brand ?? ''}-${parsed.model ?? ''}`;
  return UNKNOWN_SMARTPHONE;
}

/** `{name}- v. {version}`: the app's OsName / OsVersion at login, else the user agent's OS, else "Other- v. ". */
export function operatingSystemOf(session: Pick<Session, 'device' | 'userAgent'>): string {
  const { osName, osVersion } = session.device;
  if (known(osName) || known(osVersion)) return software(osName, osVersion);
  const os = session.userAgent?.os;
  if (!os) return UNKNOWN_SOFTWARE;
  return software(os.family, dotted(os.major, os.minor, os.patch, os.patch_minor));
}

/** `{name}- v. {version}`: the app's AppName / AppVersion at login, else the user agent's browser, else "Other- v. ". */
export function applicationOf(session: Pick<Session, 'device' | 'userAgent'>): string {
  const { appName, appVersion } = session.device;
  if (known(appName) || known(appVersion)) return software(appName, appVersion);
  const agent = session.userAgent?.user_agent;
  if (!agent) return UNKNOWN_SOFTWARE;
  return software(agent.family, dotted(agent.major, agent.minor, agent.patch));
}

// MOVENS's template is "{Name}-{Sub} v. {Version}"; neither source has a sub-name, so it stays empty, which keeps
// "Other- v. " exact for unknown software and makes known values read "iOS- v. 17.2".
function software(name: string | null, version: string | null): string {
  return `${known(name) ? name : 'Other'}- v. ${known(version) ? version : ''}`;
}

function dotted(...parts: (string | null)[]): string | null {
  const present: string[] = [];
  for (const part of parts) {
    if (!known(part)) break;
    present.push(part);
  }
  return present.length ? present.join('.') : null;
}
