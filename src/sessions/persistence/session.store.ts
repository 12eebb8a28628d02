import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AsnInfo, DeviceClass, DeviceInfo, Face, GeoInfo, Session, SessionEvent, SessionStatus, SessionType } from '../session.model';
import { Page, SessionQuery, SessionSortField } from '../session-query';
import { ParsedUserAgent } from '../user-agent/uap-parser';
import { Row, SESSION_FROM, SESSION_SELECT, toSession, toSessionEvent } from './session-row.mapper';

const LIVE_SQL = `s.status IN ('new', 'unauthenticated', 'authenticated') AND s.expires_at > now()`;

const SORT_COLUMNS: Record<SessionSortField, string> = {
  id: 's.id',
  uuid: 's.uuid',
  user: 's.user_id',
  username: 's.username',
  status: 's.status',
  title: 's.title',
  last_ip: 's.last_ip',
  last_user_agent: 's.last_user_agent',
  last_seen: 's.last_seen_at',
  expires: 's.expires_at',
  created: 's.created_at',
  pfid: 's.pfid',
};

export interface NewSessionRow {
  uuid: string;
  pfid: string;
  tokenHash: string;
  userId: number;
  username: string;
  status: SessionStatus;
  sessionType: SessionType;
  accountId: string;
  domainId: string;
  poolId: string;
  identityId: string;
  deviceId: string;
  title: string;
  ip: string;
  userAgent: string;
  expiresAt: Date;
  device: DeviceInfo;
  deviceClass: DeviceClass;
  parsedUserAgent: ParsedUserAgent;
  geo: GeoInfo | null;
  asn: AsnInfo | null;
}

export interface SeenChange {
  ip: string;
  userAgent: string;
  deviceClass: DeviceClass;
  parsedUserAgent: ParsedUserAgent;
  geo: GeoInfo | null;
  asn: AsnInfo | null;
}

const SEARCH_FIELD_SEPARATOR = '\x1f';

function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** Where sessions and their events live: plain SQL, so hot reads skip entity hydration. */
@Injectable()
export class SessionStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  private async run(sql: string, params: unknown[], tx?: EntityManager): Promise<Row[]> {
    const result: unknown = await (tx ?? this.db).query(sql, params);
    // TypeORM answers UPDATE and DELETE with [rows, affected]; everything else with the rows.
    if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
      return result[0] as Row[];
    }
    return result as Row[];
  }

  async insert(row: NewSessionRow, tx: EntityManager): Promise<Session> {
    const inserted = await this.run(
      `INSERT INTO sessions (uuid, pfid, token_hash, user_id, username, status, session_type, account_id, domain_id,
         pool_id, identity_id, device_id, title, first_seen_at, first_ip, first_user_agent, last_seen_at, last_ip,
         last_user_agent, expires_at, device_brand, device_model, device_os_name, device_os_version, device_app_name,
         device_app_version, device_class, user_agent_parsed, geo, asn)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), $14, $15, now(), $14, $15, $16, $17, $18,
         $19, $20, $21, $22, $23, $24, $25, $26)
       RETURNING id`,
      [
        row.uuid, row.pfid, row.tokenHash, row.userId, row.username, row.status, row.sessionType, row.accountId,
        row.domainId, row.poolId, row.identityId, row.deviceId, row.title, row.ip, row.userAgent, row.expiresAt,
        row.device.brand, row.device.model, row.device.osName, row.device.osVersion, row.device.appName,
        row.device.appVersion, row.deviceClass, JSON.stringify(row.parsedUserAgent),
        row.geo == null ? null : JSON.stringify(row.geo), row.asn == null ? null : JSON.stringify(row.asn),
      ],
      tx,
    );
    const id = Number(inserted[0].id);
    await this.addEvent(id, 'created', null, 'hub', row.ip, row.userAgent, tx);
    return (await this.findById(id, tx))!;
  }

  async findById(id: number, tx?: EntityManager): Promise<Session | null> {
    const rows = await this.run(`SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} WHERE s.id = $1`, [id], tx);
    return rows.length ? toSession(rows[0]) : null;
  }

  async findByUuid(uuid: string): Promise<Session | null> {
    const rows = await this.run(`SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} WHERE s.uuid = $1`, [uuid]);
    return rows.length ? toSession(rows[0]) : null;
  }

  async findByPfid(pfid: string): Promise<Session | null> {
    const rows = await this.run(`SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} WHERE s.pfid = $1`, [pfid]);
    return rows.length ? toSession(rows[0]) : null;
  }

  async findLiveByTokenHash(tokenHash: string): Promise<Session | null> {
    const rows = await this.run(
      `SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} WHERE s.token_hash = $1 AND ${LIVE_SQL}`,
      [tokenHash],
    );
    return rows.length ? toSession(rows[0]) : null;
  }

  /** Writes last-seen only when the stored value is older than the throttle interval. */
  async touch(id: number, throttleSeconds: number): Promise<Date | null> {
    const rows = await this.run(
      `UPDATE sessions SET last_seen_at = now()
       WHERE id = $1 AND last_seen_at < now() - make_interval(secs => $2) RETURNING last_seen_at`,
      [id, throttleSeconds],
    );
    return rows.length ? (rows[0].last_seen_at as Date) : null;
  }

  async recordSeen(id: number, change: SeenChange, tx: EntityManager): Promise<void> {
    await this.run(
      `UPDATE sessions SET last_seen_at = now(), last_ip = $2, last_user_agent = $3, device_class = $4,
         user_agent_parsed = $5, geo = $6, asn = $7 WHERE id = $1`,
      [
        id, change.ip, change.userAgent, change.deviceClass, JSON.stringify(change.parsedUserAgent),
        change.geo == null ? null : JSON.stringify(change.geo), change.asn == null ? null : JSON.stringify(change.asn),
      ],
      tx,
    );
  }

  /** Ends live sessions matching `where` (status complete or revoked) with one event each; returns their ids. */
  async end(
    where: { ids?: number[]; userIds?: number[]; exceptId?: number | null },
    status: 'complete' | 'revoked',
    actorUserId: number | null,
    face: Face,
    tx: EntityManager,
  ): Promise<number[]> {
    const clauses = [`status IN ('new', 'unauthenticated', 'authenticated')`, `expires_at > now()`];
    const params: unknown[] = [status, actorUserId];
    if (where.ids) clauses.push(`id = ANY($${params.push(where.ids)}::bigint[])`);
    if (where.userIds) clauses.push(`user_id = ANY($${params.push(where.userIds)}::int[])`);
    if (where.exceptId != null) clauses.push(`id <> $${params.push(where.exceptId)}`);
    const rows = await this.run(
      `UPDATE sessions SET status = $1, ended_at = now(), ended_by = $2 WHERE ${clauses.join(' AND ')} RETURNING id`,
      params,
      tx,
    );
    const ids = rows.map((r) => Number(r.id));
    if (ids.length > 0) {
      await this.run(
        `INSERT INTO session_events (session_id, kind, actor_user_id, face)
         SELECT id, $2, $3, $4 FROM unnest($1::bigint[]) AS id`,
        [ids, status === 'revoked' ? 'revoked' : 'ended', actorUserId, face],
        tx,
      );
    }
    return ids;
  }

  async addEvent(
    sessionId: number,
    kind: SessionEvent['kind'],
    actorUserId: number | null,
    face: Face | null,
    ip: string | null,
    userAgent: string | null,
    tx?: EntityManager,
  ): Promise<void> {
    await this.run(
      `INSERT INTO session_events (session_id, kind, actor_user_id, face, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6)`,
      [sessionId, kind, actorUserId, face, ip, userAgent],
      tx,
    );
  }

  async events(sessionId: number): Promise<SessionEvent[]> {
    const rows = await this.run(
      `SELECT id, kind, actor_user_id, face, at, host(ip) AS ip, user_agent FROM session_events
       WHERE session_id = $1 ORDER BY id`,
      [sessionId],
    );
    return rows.map(toSessionEvent);
  }

  async list(query: SessionQuery): Promise<Page<Session>> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (query.liveOnly) clauses.push(LIVE_SQL);
    if (query.userIds) clauses.push(`s.user_id = ANY($${params.push(query.userIds)}::int[])`);
    if (query.poolId !== undefined) clauses.push(`s.pool_id = $${params.push(query.poolId)}`);
    if (query.accountId !== undefined) clauses.push(`s.account_id = $${params.push(query.accountId)}`);
    if (query.username !== undefined) clauses.push(`s.username = $${params.push(query.username)}`);
    if (query.lastIp !== undefined) clauses.push(`s.last_ip = $${params.push(query.lastIp)}::inet`);
    if (query.lastUserAgent !== undefined) clauses.push(`s.last_user_agent = $${params.push(query.lastUserAgent)}`);
    for (const term of query.searchTerms ?? []) {
      // search_text joins the fields with \x1f: a term holding that separator could only match across two fields.
      if (term.includes(SEARCH_FIELD_SEPARATOR)) clauses.push('false');
      else clauses.push(`s.search_text LIKE $${params.push(`%${escapeLike(term.toLowerCase())}%`)}`);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const order = query.order.map((o) => `${SORT_COLUMNS[o.field]} ${o.descending ? 'DESC' : 'ASC'}`);
    if (!query.order.some((o) => o.field === 'id')) order.push('s.id ASC');
    const countRows = await this.run(`SELECT count(*)::int AS n FROM sessions s ${where}`, params);
    const total = Number(countRows[0].n);
    if (total === 0 || query.offset >= total) return { items: [], total };
    const rows = await this.run(
      `SELECT ${SESSION_SELECT} FROM ${SESSION_FROM} ${where} ORDER BY ${order.join(', ')}
       LIMIT $${params.push(query.limit)} OFFSET $${params.push(query.offset)}`,
      params,
    );
    return { items: rows.map(toSession), total };
  }

  /** Users who have live sessions, with how many, ordered by username (the MOVENS admin list). */
  async usersWithLiveSessions(offset: number, limit: number): Promise<Page<{ userUuid: string; username: string; count: number; isOperator: boolean }>> {
    const countRows = await this.run(`SELECT count(DISTINCT s.user_id)::int AS n FROM sessions s WHERE ${LIVE_SQL}`, []);
    const total = Number(countRows[0].n);
    if (total === 0 || offset >= total) return { items: [], total };
    const rows = await this.run(
      `SELECT u.uuid, u.username, u.is_operator, c.n FROM (
         SELECT s.user_id, count(*)::int AS n FROM sessions s WHERE ${LIVE_SQL} GROUP BY s.user_id
       ) c JOIN users u ON u.id = c.user_id ORDER BY u.username, u.id LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
    return {
      items: rows.map((r) => ({ userUuid: String(r.uuid), username: String(r.username), count: Number(r.n), isOperator: Boolean(r.is_operator) })),
      total,
    };
  }

  /** Marks live-status sessions past their expiry as complete, with an `expired` event each. */
  async sweepExpired(batch: number): Promise<number> {
    return this.transaction(async (tx) => {
      const rows = await this.run(
        `UPDATE sessions SET status = 'complete', ended_at = expires_at WHERE id IN (
           SELECT id FROM sessions WHERE status IN ('new', 'unauthenticated', 'authenticated') AND expires_at <= now()
           ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING id`,
        [batch],
        tx,
      );
      const ids = rows.map((r) => Number(r.id));
      if (ids.length) {
        await this.run(
          `INSERT INTO session_events (session_id, kind, face) SELECT id, 'expired', 'system' FROM unnest($1::bigint[]) AS id`,
          [ids],
          tx,
        );
      }
      return ids.length;
    });
  }

  /** Deletes sessions that stopped being live more than `days` ago. */
  async purgeEnded(days: number, batch: number): Promise<number> {
    const rows = await this.run(
      `DELETE FROM sessions WHERE id IN (
         SELECT id FROM sessions WHERE ended_at IS NOT NULL AND ended_at < now() - make_interval(days => $1) LIMIT $2)
       RETURNING id`,
      [days, batch],
    );
    return rows.length;
  }

  async findDevice(userId: number, fingerprint: string, tx: EntityManager): Promise<string | null> {
    const rows = await this.run(`SELECT pfid FROM devices WHERE user_id = $1 AND fingerprint = $2`, [userId, fingerprint], tx);
    return rows.length ? String(rows[0].pfid) : null;
  }

  /** Returns the device id for (user, fingerprint), inserting `candidate` if there was none. */
  async upsertDevice(userId: number, fingerprint: string, candidate: string, tx: EntityManager): Promise<string> {
    await this.run(
      `INSERT INTO devices (pfid, user_id, fingerprint) VALUES ($1, $2, $3) ON CONFLICT (user_id, fingerprint) DO NOTHING`,
      [candidate, userId, fingerprint],
      tx,
    );
    return (await this.findDevice(userId, fingerprint, tx))!;
  }

  async getSetting(key: string, tx?: EntityManager): Promise<string | null> {
    const rows = await this.run(`SELECT value FROM settings WHERE key = $1`, [key], tx);
    return rows.length ? String(rows[0].value) : null;
  }

  async putSettingIfAbsent(key: string, value: string, tx?: EntityManager): Promise<string> {
    await this.run(`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, value], tx);
    return (await this.getSetting(key, tx))!;
  }
}
