import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../../config/tokens';
import { Database, Queryable, Row } from '../../database/database';
import { Page, RowVersion, SessionFilters, SessionQuery, Versioned } from '../session-query';
import {
  EndReason,
  Face,
  isLive,
  Session,
  SessionEvent,
  SessionFields,
  SessionStatus,
  User,
  UserWithLiveSessions,
} from '../session.model';
import { Finding, UserHistory } from '../insight/login-insight';
import { AgentCountsSnapshot } from './agent-counts-snapshot';
import { HeldOrRead, RowsHeld } from '../rows-held';
import { json } from './tables/decode';
import { InsightArrival, insightCtes, insightParams, toUserHistory, usersWithInsightSql } from './insight.sql';
import { toOwner, toUser } from './tables/users.table';
import { UserMatch } from './user-match';
import {
  hasFilters,
  broadSearchCount,
  decidableTerm,
  rowsToPageEnd,
  listStatement,
  ownersSearchStatement,
  liveSessionsOfUserSql,
  MAX_ROWS_WALKED,
  orderedWalkIsShort,
  walkPageStatement,
  whereOf,
} from './session-list.sql';
import { usersWithLiveWithTotalSql } from './users-with-live.sql';
import {
  LIVE_SESSION_WITH_OWNER_BY_TOKEN_SQL,
  LIVE_SQL,
  sessionByKeySql,
  SLIDE_EXPIRY_SQL,
  TOUCH_SQL,
  LoginWrite,
} from './session.sql';
import { Gathered } from './gathered';
import { LOGIN_GROUPS, loginBatches, writeLogin } from './login-batches';
import { SESSION_EVENT_SELECT, toSessionEvent } from './tables/session-events.table';
import {
  SESSION_FROM,
  SESSION_SELECT,
  ALL_SESSION_FIELDS,
  sessionsFrom,
  sessionProjection,
  SESSIONS,
  SessionRow,
  toSession,
} from './tables/sessions.table';
import { encode } from './tables/table';

/** The first key of the advisory lock that serialises one user's logins (the second is the user id). */
const LOGIN_LOCK_SPACE = 7301;

/** Where a page of sessions comes from: a list's query, or one user's live sessions by the user's uuid (MOVENS). */
export type PageSource = { query: SessionQuery } | { userUuid: string; offset: number; limit: number };

const versionOf = (row: Row): RowVersion => ({ id: Number(row.id), version: String(row.row_version) });

/** A list's page from a statement that answers `total` on every row, and on one row of nulls when the page is empty. */
function pageOfRows<T>(rows: Row[], query: SessionQuery, read: (row: Row) => T): Page<T> {
  const total = Number(rows[0].total);
  if (total === 0 || query.offset >= total) return { items: [], total };
  return { items: rows.filter((r) => r.id != null).map(read), total };
}

/** How a caller names a session: authentik's uuid, Prefactor's id or the integer id MOVENS shows. */
export type SessionRef = { uuid: string } | { pfid: string } | { id: number };

/** The facts a validate from a new address or user agent changes. */
type SeenColumn = 'last_ip' | 'last_user_agent' | 'device_class' | 'user_agent_parsed' | 'geo' | 'asn';
export type SeenChange = Pick<SessionRow, SeenColumn>;

/** Where sessions, their events, devices and installation settings live: plain SQL over `Database`. */
@Injectable()
export class SessionStore {
  private readonly agentCounts: AgentCountsSnapshot;
  private readonly logins: Gathered<LoginWrite, Row | null>;
  private readonly userLookups: Record<UserMatch['column'], Gathered<number | string, Row | null>>;

  constructor(@Inject(DATABASE) private readonly db: Database) {
    this.agentCounts = new AgentCountsSnapshot(db);
    this.logins = loginBatches(db);
    const lookups = (column: UserMatch['column']) =>
      new Gathered((values: (number | string)[]) => this.usersWithInsight(column, values), LOGIN_GROUPS);
    this.userLookups = { id: lookups('id'), uuid: lookups('uuid'), username: lookups('username') };
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** The primary itself, for a read a write decides on (the default of every `from` below). */
  get primary(): Queryable {
    return this.db;
  }

  /** `tx`, and `from` below: where a read runs (a transaction, or ReadRouting's choice); the primary unless told. */
  private async one(sql: string, params: unknown[], tx: Queryable = this.db): Promise<Session | null> {
    const rows = await tx.rows(sql, params, { prepare: true });
    return rows.length ? toSession(rows[0]) : null;
  }

  /**
   * A login: its device, session, events and insight's memory in one statement (loginsStatement), grouped with the
   * logins that arrive meanwhile unless it runs in `tx`; run again when a concurrent login added the same device
   * after the statement's snapshot (a new statement sees that device).
   */
  async insertLogin(login: LoginWrite, tx?: Queryable): Promise<Session> {
    for (let attempt = 1; ; attempt++) {
      const inserted = tx ? await writeLogin(login, tx) : await this.logins.add(login);
      if (inserted) return toSession(inserted);
      if (attempt === 3) throw new Error(`login of user ${login.row.user_id}: its device was neither found nor added`);
    }
  }

  /**
   * The user a login names, with what login insight knew of them before it (nothing at their first): both in the
   * login's one read before its statement, shared with the lookups of the logins arriving meanwhile.
   */
  async userWithInsight(match: UserMatch): Promise<{ user: User; history: UserHistory } | null> {
    const row = await this.userLookups[match.column].add(match.value);
    if (!row) return null;
    return { user: toUser(row), history: toUserHistory(row.insight == null ? null : json<Row>(row.insight)) };
  }

  /** Each user looked up by `column` (null where none has the value), in the order asked. */
  private async usersWithInsight(column: UserMatch['column'], values: (number | string)[]): Promise<(Row | null)[]> {
    const rows = await this.db.rows(usersWithInsightSql(column), [values], { prepare: true });
    const byValue = new Map(rows.map((row) => [String(row[column]), row]));
    return values.map((value) => byValue.get(String(value)) ?? null);
  }

  find(ref: SessionRef, tx?: Queryable): Promise<Session | null> {
    return this.findFields(ref, ALL_SESSION_FIELDS, tx);
  }

  /** find, reading only `fields`' columns (and `users` only where they come from it). */
  async findFields<K extends keyof Session>(
    ref: SessionRef,
    fields: SessionFields<K>,
    from: Queryable = this.db,
  ): Promise<Pick<Session, K> | null> {
    const [key, value] =
      'uuid' in ref
        ? (['uuid', ref.uuid] as const)
        : 'pfid' in ref
          ? (['pfid', ref.pfid] as const)
          : (['id', ref.id] as const);
    if (key === 'id' && !(Number.isSafeInteger(value) && Number(value) > 0)) return null;
    const { select, read } = sessionProjection(fields);
    const rows = await from.rows(sessionByKeySql(select, key), [value], { prepare: true });
    return rows.length ? read(rows[0]) : null;
  }

  /** A live session and its owner by token hash, in one read. */
  async findLiveWithOwnerByTokenHash(tokenHash: string): Promise<{ session: Session; owner: User } | null> {
    const rows = await this.db.rows(LIVE_SESSION_WITH_OWNER_BY_TOKEN_SQL, [tokenHash], { prepare: true });
    return rows.length ? { session: toSession(rows[0]), owner: toOwner(rows[0]) } : null;
  }

  /** Status and expiry of the session a token belongs to, live or not (to tell why a token was refused). */
  async stateByTokenHash(tokenHash: string): Promise<{ status: SessionStatus; expiresAt: Date } | null> {
    const rows = await this.db.rows(`SELECT status, expires_at FROM sessions WHERE token_hash = $1`, [tokenHash]);
    return rows.length ? { status: rows[0].status as SessionStatus, expiresAt: rows[0].expires_at as Date } : null;
  }

  /** A live session by uuid, if it also passes `filters` (authentik narrows detail lookups by its list filters). */
  async findLiveMatching(uuid: string, filters: SessionFilters, from: Queryable = this.db): Promise<Session | null> {
    if (!hasFilters(filters)) {
      // The common retrieve: the plain lookup by uuid, liveness as the model defines it.
      const session = await this.find({ uuid }, from);
      return session && isLive(session) ? session : null;
    }
    const { text: where, params } = whereOf({ liveOnly: true }, filters, [uuid]);
    // The text depends only on which filters are set and how many search terms (at most 10): a bounded set, so
    // it is prepared like the plain lookup.
    const rows = await from.rows(`SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} ${where} AND s.uuid = $1`, params, {
      prepare: true,
    });
    return rows.length ? toSession(rows[0]) : null;
  }

  /**
   * findLiveMatching for a face that keeps rendered rows (`held`): the row comes back kept or read, with its owner.
   * While most rows are kept, the session's id, owner and row version are read first and its `fields` only if
   * `held` lacks that version; otherwise the fields with the version in one statement.
   */
  async findLiveMatchingHeld<K extends keyof Session, T>(
    uuid: string,
    filters: SessionFilters,
    fields: SessionFields<K>,
    held: RowsHeld<T>,
    from: Queryable = this.db,
  ): Promise<(HeldOrRead<T, Pick<Session, K>> & { ownerId: number }) | null> {
    const { selectVersioned, selectVersionOnly, read } = sessionProjection(fields);
    const { text: where, params } = whereOf({ liveOnly: true }, filters, [uuid]);
    // Prepared: the text depends only on which filters are set (see findLiveMatching).
    const lookup = (select: string) =>
      from.rows(
        `SELECT ${select}, s.user_id AS owner_id FROM ${sessionsFrom(select)} ${where} AND s.uuid = $1`,
        params,
        {
          prepare: true,
        },
      );
    if (!held.worthAskingFirst()) {
      const [row] = await lookup(selectVersioned);
      if (!row) return null;
      const kept = held.get(Number(row.id), String(row.row_version));
      const version = { ...versionOf(row), ownerId: Number(row.owner_id) };
      return kept === undefined ? { ...version, session: read(row) } : { ...version, held: kept };
    }
    const [row] = await lookup(selectVersionOnly);
    if (!row) return null;
    const { id, version } = versionOf(row);
    const ownerId = Number(row.owner_id);
    const kept = held.get(id, version);
    if (kept !== undefined) return { id, version, ownerId, held: kept };
    // Written since the first statement, or removed: what is stored now, as the plain lookup would answer.
    const [fresh] = await this.versionedByIds([id], fields, undefined, from);
    return fresh ? { ...fresh, ownerId } : null;
  }

  /** Writes last-seen (sliding an idle expiry) only when the stored value is older than the throttle interval. */
  async touch(id: number, throttleSeconds: number): Promise<{ lastSeenAt: Date; expiresAt: Date } | null> {
    const rows = await this.db.rows(TOUCH_SQL, [id, throttleSeconds], { prepare: true });
    return rows.length ? { lastSeenAt: rows[0].last_seen_at as Date, expiresAt: rows[0].expires_at as Date } : null;
  }

  async recordSeen(id: number, change: SeenChange, tx: Queryable): Promise<void> {
    await tx.rows(
      `UPDATE sessions SET last_seen_at = now(), ${SLIDE_EXPIRY_SQL}, last_ip = $2, last_user_agent = $3, device_class = $4,
         user_agent_parsed = $5, geo = $6, asn = $7 WHERE id = $1 AND expires_at > now()`,
      [
        id,
        change.last_ip,
        change.last_user_agent,
        change.device_class,
        encode(SESSIONS.columns.user_agent_parsed, change.user_agent_parsed),
        encode(SESSIONS.columns.geo, change.geo),
        encode(SESSIONS.columns.asn, change.asn),
      ],
    );
  }

  /** Ends live sessions matching `where` (status complete or revoked) with one event each; returns their ids. */
  async end(
    where: { ids?: number[]; userIds?: number[]; exceptId?: number | null },
    status: 'complete' | 'revoked',
    reason: EndReason,
    actorUserId: number | null,
    face: Face,
    tx: Queryable,
  ): Promise<number[]> {
    const clauses = [LIVE_SQL];
    const params: unknown[] = [status, actorUserId];
    if (where.ids) clauses.push(`s.id = ANY($${params.push(where.ids)}::bigint[])`);
    if (where.userIds) clauses.push(`s.user_id = ANY($${params.push(where.userIds)}::int[])`);
    if (where.exceptId != null) clauses.push(`s.id <> $${params.push(where.exceptId)}`);
    // The rows are locked in id order before any is changed, so two revocations over overlapping sessions (two
    // revoke-alls of one user) queue behind each other instead of deadlocking; the second then finds none live.
    const rows = await tx.rows(
      `WITH target AS (SELECT s.id FROM sessions s WHERE ${clauses.join(' AND ')} ORDER BY s.id FOR UPDATE)
       UPDATE sessions s SET status = $1, ended_at = now(), ended_by = $2 FROM target
       WHERE s.id = target.id AND ${LIVE_SQL} RETURNING s.id`,
      params,
    );
    const ids = rows.map((r) => Number(r.id));
    if (ids.length > 0)
      await this.addEvents(ids, status === 'revoked' ? 'revoked' : 'ended', actorUserId, face, tx, reason);
    return ids;
  }

  async addEvents(
    sessionIds: number[],
    kind: SessionEvent['kind'],
    actorUserId: number | null,
    face: Face,
    tx: Queryable,
    reason: EndReason | null = null,
  ): Promise<void> {
    await tx.rows(
      `INSERT INTO session_events (session_id, user_id, kind, actor_user_id, face, reason)
       SELECT s.id, s.user_id, $2, $3, $4, $5 FROM sessions s WHERE s.id = ANY($1::bigint[]) ORDER BY s.id`,
      [sessionIds, kind, actorUserId, face, reason],
    );
  }

  /**
   * Holds every other login of this user until the transaction ends (an advisory lock keyed by the user), so a
   * limit check and the insert after it cannot interleave with another login's: 200 logins at once leave exactly
   * the limit.
   */
  async holdLoginsOf(userId: number, tx: Queryable): Promise<void> {
    await tx.rows(`SELECT pg_advisory_xact_lock(${LOGIN_LOCK_SPACE}, $1)`, [userId], { prepare: true });
  }

  /** A user's live sessions, seen longest ago first (the ones a limit evicts). */
  async liveIdsOldestFirst(userId: number, tx: Queryable): Promise<number[]> {
    const rows = await tx.rows(
      `SELECT s.id FROM sessions s WHERE s.user_id = $1 AND ${LIVE_SQL} ORDER BY s.last_seen_at, s.id`,
      [userId],
      { prepare: true },
    );
    return rows.map((r) => Number(r.id));
  }

  async addEvent(
    sessionId: number,
    kind: SessionEvent['kind'],
    actorUserId: number | null,
    face: Face | null,
    ip: string | null,
    userAgent: string | null,
    tx: Queryable,
  ): Promise<void> {
    await tx.rows(
      `INSERT INTO session_events (session_id, user_id, kind, actor_user_id, face, ip, user_agent)
       SELECT s.id, s.user_id, $2, $3, $4, $5, $6 FROM sessions s WHERE s.id = $1`,
      [sessionId, kind, actorUserId, face, ip, userAgent],
    );
  }

  /** Remembers an arrival from a validate and answers what was known before it (insight.sql.ts), in one statement. */
  async recordInsight(userId: number, arrival: InsightArrival, tx: Queryable): Promise<UserHistory> {
    const rows = await tx.rows(
      `WITH ${insightCtes(1)} SELECT to_jsonb(b) AS before FROM insight_before b`,
      insightParams(userId, arrival, false),
      { prepare: true },
    );
    return toUserHistory(rows.length ? json<Row>(rows[0].before) : null);
  }

  async addFindings(sessionId: number, found: Finding[], ip: string, userAgent: string, tx: Queryable): Promise<void> {
    if (found.length === 0) return;
    await tx.rows(
      `INSERT INTO session_events (session_id, user_id, kind, actor_user_id, face, ip, user_agent, detail)
       SELECT s.id, s.user_id, f.kind, NULL, 'system', $3, $4, f.detail
       FROM sessions s, jsonb_to_recordset($2::jsonb) AS f(kind varchar, detail jsonb) WHERE s.id = $1`,
      [sessionId, JSON.stringify(found), ip, userAgent],
    );
  }

  async events(sessionId: number, from: Queryable = this.db): Promise<SessionEvent[]> {
    const rows = await from.rows(
      `SELECT ${SESSION_EVENT_SELECT} FROM session_events e WHERE e.session_id = $1 ORDER BY e.id`,
      [sessionId],
    );
    return rows.map(toSessionEvent);
  }

  /**
   * A page of sessions and its exact total; only `fields` are read. `signal`: the statements are cancelled when it
   * fires (the client went away).
   */
  async list<K extends keyof Session>(
    query: SessionQuery,
    fields: SessionFields<K>,
    signal?: AbortSignal,
    from: Queryable = this.db,
  ): Promise<Page<Pick<Session, K>>> {
    const { select, read } = sessionProjection(fields);
    return this.listPage(query, select, read, signal, from);
  }

  /** Sessions by id with their row versions, whatever their state; ids no longer stored are left out. */
  async versionedByIds<K extends keyof Session>(
    ids: number[],
    fields: SessionFields<K>,
    signal?: AbortSignal,
    from: Queryable = this.db,
  ): Promise<Versioned<Pick<Session, K>>[]> {
    const { selectVersioned, read } = sessionProjection(fields);
    const rows = await from.rows(
      `SELECT ${selectVersioned} FROM ${sessionsFrom(selectVersioned)} WHERE s.id = ANY($1::bigint[])`,
      [ids],
      { prepare: true, signal },
    );
    return rows.map((row) => ({ ...versionOf(row), session: read(row) }));
  }

  /**
   * A page for a face that keeps rendered rows (`held`): each row comes back kept or read. While most rows are kept,
   * the page's ids and row versions are read first and then only the rows `held` lacks (two short statements, most
   * of the page never parsed nor rendered); otherwise every row with its version in one statement.
   */
  async heldPage<K extends keyof Session, T>(
    source: PageSource,
    fields: SessionFields<K>,
    held: RowsHeld<T>,
    signal?: AbortSignal,
    from: Queryable = this.db,
  ): Promise<Page<HeldOrRead<T, Pick<Session, K>>>> {
    const { selectVersioned, selectVersionOnly, read } = sessionProjection(fields);
    const keptOrNot = <R extends RowVersion>(row: R): R | (RowVersion & { held: T }) => {
      const kept = held.get(row.id, row.version);
      return kept === undefined ? row : { id: row.id, version: row.version, held: kept };
    };
    if (!held.worthAskingFirst()) {
      const readRow = (row: Row) => ({ ...versionOf(row), session: read(row) });
      const page = await this.pageOf(source, selectVersioned, readRow, signal, from);
      return { total: page.total, items: page.items.map(keptOrNot) };
    }
    const page = await this.pageOf(source, selectVersionOnly, versionOf, signal, from);
    const rows = page.items.map(keptOrNot);
    const lacking = rows.filter((row) => !('held' in row)).map((row) => row.id);
    if (lacking.length === 0) return { total: page.total, items: rows as (RowVersion & { held: T })[] };
    const fresh = new Map((await this.versionedByIds(lacking, fields, signal, from)).map((r) => [r.id, r]));
    const items: HeldOrRead<T, Pick<Session, K>>[] = [];
    for (const row of rows) {
      // A row removed between the two statements (the sweeper deletes long-ended sessions) leaves the page.
      const found = 'held' in row ? row : fresh.get(row.id);
      if (found) items.push(found);
    }
    return { total: page.total, items };
  }

  private pageOf<T>(
    source: PageSource,
    select: string,
    read: (row: Row) => T,
    signal: AbortSignal | undefined,
    from: Queryable,
  ): Promise<Page<T>> {
    return 'query' in source
      ? this.listPage(source.query, select, read, signal, from)
      : this.liveOfUserPage(source.userUuid, source.offset, source.limit, select, read, from);
  }

  private async listPage<T>(
    query: SessionQuery,
    select: string,
    read: (row: Row) => T,
    signal: AbortSignal | undefined,
    from: Queryable,
  ): Promise<Page<T>> {
    // One term over every live session, which only names and agents can hold: counters can decide it.
    const term = decidableTerm(query);
    if (term !== null && !this.agentCounts.clearlyNarrow(term, rowsToPageEnd(query), MAX_ROWS_WALKED)) {
      // A term most sessions match: the total from counters, the page from an ordered index walk that finds it fast.
      const broad = broadSearchCount(query, term);
      const [counted] = await from.rows(broad.text, broad.params, { signal });
      if (counted.n != null) {
        const total = Number(counted.n);
        if (total === 0 || query.offset >= total) return { items: [], total };
        if (orderedWalkIsShort(total, Number(counted.live), query))
          return this.walkedPage(query, select, read, total, signal, from);
      }
    }
    // A name no live agent holds, in its owners' order: the users' sessions alone. An agent holding it since the
    // copy was taken leaves the page empty and `agents_hold` set, and the statement below answers instead.
    const owners = term !== null && this.agentCounts.noneHold(term) ? ownersSearchStatement(query, select, term) : null;
    if (owners) {
      const rows = await from.rows(owners.text, owners.params, {
        prepare: owners.prepare,
        genericPlan: owners.genericPlan,
        signal,
      });
      if (rows[0].agents_hold !== true) return pageOfRows(rows, query, read);
    }
    // The page and its exact total in one statement: a search's gathered matches, or any other list's page with
    // its total (prepared where the text comes from a small set).
    const statement = listStatement(query, select, term);
    const { text, params, prepare, genericPlan } = statement;
    const rows = await from.rows(text, params, { prepare, genericPlan, signal });
    const total = Number(rows[0].total);
    // A name many sessions share: the statement counted it from the users' counters and left the page to the walk.
    if (rows[0].walk === true && total > query.offset) return this.walkedPage(query, select, read, total, signal, from);
    return pageOfRows(rows, query, read);
  }

  /** A broad search's page, found by walking the order's index, with the total its counters gave. */
  private async walkedPage<T>(
    query: SessionQuery,
    select: string,
    read: (row: Row) => T,
    total: number,
    signal: AbortSignal | undefined,
    from: Queryable,
  ): Promise<Page<T>> {
    const walk = walkPageStatement(query, select);
    return { items: (await from.rows(walk.text, walk.params, { signal })).map(read), total };
  }

  /**
   * One user's live sessions by the user's uuid, most recently seen first, with their exact total: one statement;
   * only `fields` are read.
   */
  async liveSessionsOfUser<K extends keyof Session>(
    userUuid: string,
    offset: number,
    limit: number,
    fields: SessionFields<K>,
    from: Queryable = this.db,
  ): Promise<Page<Pick<Session, K>>> {
    const { select, read } = sessionProjection(fields);
    return this.liveOfUserPage(userUuid, offset, limit, select, read, from);
  }

  private async liveOfUserPage<T>(
    userUuid: string,
    offset: number,
    limit: number,
    select: string,
    read: (row: Row) => T,
    from: Queryable,
  ): Promise<Page<T>> {
    const rows = await from.rows(liveSessionsOfUserSql(limit, offset, select), [userUuid], { prepare: offset === 0 });
    return { items: rows.filter((r) => r.id != null).map(read), total: Number(rows[0].total) };
  }

  /** Users who have live sessions, with how many, ordered by username (the MOVENS admin list). */
  async usersWithLiveSessions(
    offset: number,
    limit: number,
    signal?: AbortSignal,
    from: Queryable = this.db,
  ): Promise<Page<UserWithLiveSessions>> {
    const rows = await from.rows(usersWithLiveWithTotalSql(limit, offset), [], { prepare: offset === 0, signal });
    const total = Number(rows[0].total);
    if (total === 0) return { items: [], total };
    return {
      items: rows
        .filter((r) => r.uuid !== null)
        .map((r) => ({
          userUuid: String(r.uuid),
          username: String(r.username),
          count: Number(r.n),
          isOperator: Boolean(r.is_operator),
        })),
      total,
    };
  }

  /** An installation setting, written once: the first value stored wins. */
  async settingOnce(key: string, value: string): Promise<string> {
    await this.db.rows(`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, value]);
    return String((await this.db.rows(`SELECT value FROM settings WHERE key = $1`, [key]))[0].value);
  }
}
