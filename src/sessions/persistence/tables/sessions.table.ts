import { Row } from '../../../database/database';
import { ParsedUserAgent } from '../../insight/user-agent/uap-parser';
import {
  AsnInfo,
  DeviceClass,
  DeviceInfo,
  GeoInfo,
  Session,
  SessionStatus,
  SessionType,
  SessionFields,
  User,
} from '../../session.model';
import { date, nullableDate, nullableJson, nullableNumber, nullableString, json } from './decode';
import { defineTable, selectColumn } from './table';

export interface SessionRow {
  id: number;
  uuid: string;
  pfid: string;
  /** SHA-256 of the session token, hex; never read back. */
  token_hash: string;
  user_id: number;
  username: string;
  status: SessionStatus;
  session_type: SessionType;
  account_id: string;
  domain_id: string;
  pool_id: string;
  identity_id: string;
  device_id: string;
  title: string;
  created_at: Date;
  first_seen_at: Date;
  first_ip: string;
  first_user_agent: string;
  last_seen_at: Date;
  last_ip: string;
  last_user_agent: string;
  expires_at: Date;
  /** With an idle timeout: the bound expires_at slides up to. Null without one (expires_at is then absolute). */
  absolute_expires_at: Date | null;
  idle_seconds: number | null;
  ended_at: Date | null;
  ended_by: number | null;
  device_brand: string | null;
  device_model: string | null;
  device_os_name: string | null;
  device_os_version: string | null;
  device_app_name: string | null;
  device_app_version: string | null;
  device_class: DeviceClass;
  user_agent_parsed: ParsedUserAgent;
  geo: GeoInfo | null;
  asn: AsnInfo | null;
}

export const SESSIONS = defineTable<SessionRow>('sessions', 's', {
  id: 'bigint',
  uuid: 'uuid',
  pfid: 'char(32)',
  token_hash: 'char(64)',
  user_id: 'int',
  username: 'varchar',
  status: 'varchar',
  session_type: 'varchar',
  account_id: 'char(32)',
  domain_id: 'char(32)',
  pool_id: 'char(32)',
  identity_id: 'char(32)',
  device_id: 'char(32)',
  title: 'text',
  created_at: 'timestamptz',
  first_seen_at: 'timestamptz',
  first_ip: 'inet',
  first_user_agent: 'text',
  last_seen_at: 'timestamptz',
  last_ip: 'inet',
  last_user_agent: 'text',
  expires_at: 'timestamptz',
  absolute_expires_at: 'timestamptz',
  idle_seconds: 'int',
  ended_at: 'timestamptz',
  ended_by: 'int',
  device_brand: 'text',
  device_model: 'text',
  device_os_name: 'text',
  device_os_version: 'text',
  device_app_name: 'text',
  device_app_version: 'text',
  device_class: 'varchar',
  user_agent_parsed: 'jsonb',
  geo: 'jsonb',
  asn: 'jsonb',
});

/** What a session read selects beyond `sessions s`: the two user facts MOVENS shows, from `users u`. */
type UserColumn = 'user_uuid' | 'user_is_operator';
const USER_SOURCES: Record<UserColumn, string> = { user_uuid: 'uuid', user_is_operator: 'is_operator' };
const USER_COLUMNS = Object.fromEntries(
  Object.entries(USER_SOURCES).map(([name, column]) => [name, `u.${column} AS ${name}`]),
) as Record<UserColumn, string>;
const USERS_JOIN = 'JOIN users u ON u.id = s.user_id';
/**
 * The join a read of `select` needs: `users u` only where the select reads it. Every `users` column a read selects is
 * written `u.<column>` (USER_COLUMNS, USER_ROW_READ, rowVersionOf), and `sessions.user_id` is a foreign key to it, so
 * without `u.` the join changes no row. Left out, a 20-row list page skips 20 probes of users' primary key: half the
 * unfiltered authentik list's buffer reads, about 20 of its statement's 180 µs (docs/performance.md, twenty-eighth
 * stop).
 */
export function usersJoinFor(select: string): string {
  return /\bu\./.test(select) ? USERS_JOIN : '';
}

/** `sessions s`, joined to `users u` where `select` reads it (usersJoinFor): the FROM of a read of some fields. */
export function sessionsFrom(select: string): string {
  return `sessions s ${usersJoinFor(select)}`;
}
/** The `users` columns those read, and the row version's `xmin`: what stands in for `users u` on a one-user page. */
export const USER_ROW_READ = [
  'u.id',
  ...Object.values(USER_SOURCES).map((column) => `u.${column}`),
  'u.xmin AS xmin',
].join(', ');

/** What the app reported about its device at login (Session's `device`), as columns. */
export const DEVICE_COLUMNS = [
  'device_brand',
  'device_model',
  'device_os_name',
  'device_os_version',
  'device_app_name',
  'device_app_version',
] as const satisfies readonly (keyof SessionRow)[];

interface FieldSource<T> {
  /** The columns the field is read from. */
  columns: readonly (Exclude<keyof SessionRow, 'token_hash'> | UserColumn)[];
  read: (row: Row) => T;
}

/**
 * Each field of the domain's Session, the columns it comes from and how it is read: the one definition of a session's
 * fields. The domain's `Session` type is inferred from it (as Drizzle infers a row's type from its table), so a new
 * field is written here once, with its columns; a read of some fields (a face's list) selects only their columns.
 */
const SESSION_FIELDS = {
  id: { columns: ['id'], read: (row) => Number(row.id) },
  uuid: { columns: ['uuid'], read: (row) => String(row.uuid) },
  pfid: { columns: ['pfid'], read: (row) => String(row.pfid) },
  userId: { columns: ['user_id'], read: (row) => Number(row.user_id) },
  userUuid: { columns: ['user_uuid'], read: (row) => String(row.user_uuid) },
  username: { columns: ['username'], read: (row) => String(row.username) },
  userIsOperator: { columns: ['user_is_operator'], read: (row) => Boolean(row.user_is_operator) },
  /** The stored status; a live status past its expiry reads as `complete` (see effectiveStatus). */
  status: { columns: ['status'], read: (row): SessionStatus => row.status as SessionStatus },
  sessionType: { columns: ['session_type'], read: (row): SessionType => row.session_type as SessionType },
  accountId: { columns: ['account_id'], read: (row) => String(row.account_id) },
  domainId: { columns: ['domain_id'], read: (row) => String(row.domain_id) },
  poolId: { columns: ['pool_id'], read: (row) => String(row.pool_id) },
  identityId: { columns: ['identity_id'], read: (row) => String(row.identity_id) },
  deviceId: { columns: ['device_id'], read: (row) => String(row.device_id) },
  title: { columns: ['title'], read: (row) => String(row.title) },
  createdAt: { columns: ['created_at'], read: (row) => date(row.created_at) },
  firstSeen: {
    columns: ['first_seen_at', 'first_ip', 'first_user_agent'],
    read: (row) => ({ at: date(row.first_seen_at), ip: String(row.first_ip), userAgent: String(row.first_user_agent) }),
  },
  lastSeen: {
    columns: ['last_seen_at', 'last_ip', 'last_user_agent'],
    read: (row) => ({ at: date(row.last_seen_at), ip: String(row.last_ip), userAgent: String(row.last_user_agent) }),
  },
  /** The effective expiry: the absolute one, or earlier where an idle timeout ends the session first. */
  expiresAt: { columns: ['expires_at'], read: (row) => date(row.expires_at) },
  /** The latest the session can live, however active: idle timeouts slide expiresAt up to here, never past it. */
  absoluteExpiresAt: {
    columns: ['absolute_expires_at', 'expires_at'],
    read: (row) => date(row.absolute_expires_at ?? row.expires_at),
  },
  /** No recorded activity for this long ends the session (reason `idle`); null: no idle timeout. */
  idleSeconds: { columns: ['idle_seconds'], read: (row) => nullableNumber(row.idle_seconds) },
  endedAt: { columns: ['ended_at'], read: (row) => nullableDate(row.ended_at) },
  endedBy: { columns: ['ended_by'], read: (row) => nullableNumber(row.ended_by) },
  device: {
    columns: DEVICE_COLUMNS,
    read: (row) => ({
      brand: nullableString(row.device_brand),
      model: nullableString(row.device_model),
      osName: nullableString(row.device_os_name),
      osVersion: nullableString(row.device_os_version),
      appName: nullableString(row.device_app_name),
      appVersion: nullableString(row.device_app_version),
    }),
  },
  deviceClass: { columns: ['device_class'], read: (row): DeviceClass => row.device_class as DeviceClass },
  userAgent: { columns: ['user_agent_parsed'], read: (row) => json<ParsedUserAgent>(row.user_agent_parsed) },
  geo: { columns: ['geo'], read: (row) => nullableJson<GeoInfo>(row.geo) },
  asn: { columns: ['asn'], read: (row) => nullableJson<AsnInfo>(row.asn) },
} satisfies Record<string, FieldSource<unknown>>;

/** A session as the domain sees it: each field of SESSION_FIELDS with the type its reader returns (session.model.ts). */
export type SessionFieldValues = {
  -readonly [K in keyof typeof SESSION_FIELDS]: ReturnType<(typeof SESSION_FIELDS)[K]['read']>;
};

/** A read of some of a session's fields: the SELECT list of their columns and the reader of its rows. */
export interface SessionProjection<K extends keyof Session> {
  /** Columns over `sessions s JOIN users u` (SESSION_FROM); `s.id` always among them. */
  select: string;
  read: (row: Row) => Pick<Session, K>;
  /** `select` and the fields' row version as `row_version` (rowVersionOf). */
  selectVersioned: string;
  /** `s.id` and the fields' row version as `row_version`: what a face keeps rendered rows by. */
  selectVersionOnly: string;
}

/**
 * The row version of what some fields are read from: PostgreSQL's `xmin` of the session's row (the transaction that
 * wrote this version of it, so it changes whenever the row is written; freezing leaves it as it was), and of the
 * user's row as well when a field comes from `users`. Two versions of one row share an xmin only if written 2^32
 * transactions apart, while a process still kept the first one's rendering.
 */
function rowVersionOf(readsUsers: boolean): string {
  return readsUsers ? `s.xmin::text || '/' || u.xmin::text AS row_version` : `s.xmin::text AS row_version`;
}

const projections = new WeakMap<readonly (keyof Session)[], unknown>();

/** The projection of `fields`, built once per (module-level, constant) field list. */
export function sessionProjection<K extends keyof Session>(fields: SessionFields<K>): SessionProjection<K> {
  const known = projections.get(fields) as SessionProjection<K> | undefined;
  if (known) return known;
  const projection = buildProjection(fields);
  projections.set(fields, projection);
  return projection;
}

function buildProjection<K extends keyof Session>(fields: SessionFields<K>): SessionProjection<K> {
  const columns = new Set<FieldSource<unknown>['columns'][number]>(['id']);
  for (const field of fields) for (const column of SESSION_FIELDS[field].columns) columns.add(column);
  const select = [...columns]
    .map((column) =>
      column in USER_COLUMNS
        ? USER_COLUMNS[column as UserColumn]
        : selectColumn(SESSIONS, column as Exclude<typeof column, UserColumn>),
    )
    .join(', ');
  const version = rowVersionOf([...columns].some((column) => column in USER_COLUMNS));
  return {
    select,
    read: compileReader(fields),
    selectVersioned: `${select}, ${version}`,
    selectVersionOnly: `s.id, ${version}`,
  };
}

/**
 * The reader as one object literal over the fields' readers: built key by key in a loop, a 28-field object costs
 * V8 about 20 times the literal's time (measured 2.5 µs against 0.13 µs a row), as it leaves the fast object shape.
 * The source holds only Session's own field names, checked to be identifiers, never input.
 */
function compileReader<K extends keyof Session>(fields: SessionFields<K>): (row: Row) => Pick<Session, K> {
  for (const field of fields) if (!/^[A-Za-z]+$/.test(field)) throw new Error(`not a field name: ${field}`);
  const body = `return (row) => ({ ${fields.map((field) => `${field}: fields.${field}.read(row)`).join(', ')} });`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see above: constant field names only
  const build = new Function('fields', body) as (sources: typeof SESSION_FIELDS) => (row: Row) => Pick<Session, K>;
  return build(SESSION_FIELDS);
}

/** Every field: what reads of one session (retrieve, validate, writes) select and return. */
export const ALL_SESSION_FIELDS = Object.keys(SESSION_FIELDS) as (keyof Session)[];
const FULL = sessionProjection(ALL_SESSION_FIELDS);
/** Every session column but the token hash, and the user's two facts. */
export const SESSION_SELECT = FULL.select;
/** Sessions with their user, as SESSION_SELECT expects them. */
export const SESSION_FROM = sessionsFrom(SESSION_SELECT);

export function toSession(row: Row): Session {
  return FULL.read(row);
}

/** The columns a new session's row sets from what the domain decided (the database fills id and created_at). */
export type NewSessionRow = Omit<
  SessionRow,
  'id' | 'created_at' | 'first_seen_at' | 'last_seen_at' | 'ended_at' | 'ended_by'
>;

/** What a login decided about a new session, in the domain's words. */
export interface NewSessionFacts {
  uuid: string;
  pfid: string;
  tokenHash: string;
  user: Pick<User, 'id' | 'username' | 'pfid'>;
  status: SessionStatus;
  sessionType: SessionType;
  accountId: string;
  domainId: string;
  poolId: string;
  title: string;
  ip: string;
  userAgent: string;
  /** When the login happened: the idle expiry counts from it (one clock reading, so both expiries agree). */
  loggedInAt: Date;
  /** The absolute expiry; with an idle timeout the session's first effective expiry is the earlier idle one. */
  absoluteExpiresAt: Date;
  idleSeconds: number | null;
  device: DeviceInfo;
  deviceClass: DeviceClass;
  parsedUserAgent: ParsedUserAgent;
  geo: GeoInfo | null;
  asn: AsnInfo | null;
}

/** A new session's row but its device, which the login statement finds or adds: the inverse of toSession. */
export function toNewSessionRow(facts: NewSessionFacts): Omit<NewSessionRow, 'device_id'> {
  return {
    uuid: facts.uuid,
    pfid: facts.pfid,
    token_hash: facts.tokenHash,
    user_id: facts.user.id,
    username: facts.user.username,
    status: facts.status,
    session_type: facts.sessionType,
    account_id: facts.accountId,
    domain_id: facts.domainId,
    pool_id: facts.poolId,
    identity_id: facts.user.pfid,
    title: facts.title,
    first_ip: facts.ip,
    first_user_agent: facts.userAgent,
    last_ip: facts.ip,
    last_user_agent: facts.userAgent,
    ...expiryColumns(facts.absoluteExpiresAt, facts.idleSeconds, facts.loggedInAt.getTime()),
    ...deviceColumns(facts.device),
    device_class: facts.deviceClass,
    user_agent_parsed: facts.parsedUserAgent,
    geo: facts.geo,
    asn: facts.asn,
  };
}

/**
 * A new session's expiry columns: without an idle timeout expires_at is the absolute expiry; with one, the session
 * first expires after one idle period (each recorded activity slides it, never past the absolute bound).
 */
export function expiryColumns(
  absoluteExpiresAt: Date,
  idleSeconds: number | null,
  now = Date.now(),
): Pick<SessionRow, 'expires_at' | 'absolute_expires_at' | 'idle_seconds'> {
  if (idleSeconds === null) return { expires_at: absoluteExpiresAt, absolute_expires_at: null, idle_seconds: null };
  const idleExpiry = new Date(Math.min(absoluteExpiresAt.getTime(), now + idleSeconds * 1000));
  return { expires_at: idleExpiry, absolute_expires_at: absoluteExpiresAt, idle_seconds: idleSeconds };
}

/** The session's domain facts as the columns of its row (device metadata flattened). */
export function deviceColumns(device: Session['device']): Pick<SessionRow, (typeof DEVICE_COLUMNS)[number]> {
  return {
    device_brand: device.brand,
    device_model: device.model,
    device_os_name: device.osName,
    device_os_version: device.osVersion,
    device_app_name: device.appName,
    device_app_version: device.appVersion,
  };
}
