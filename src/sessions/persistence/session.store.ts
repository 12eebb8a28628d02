import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  AsnInfo,
  DeviceClass,
  DeviceInfo,
  Face,
  GeoInfo,
  Session,
  SessionEvent,
  SessionStatus,
  SessionType,
} from '../session.model';
import { Page, SessionQuery } from '../session-query';
import { ParsedUserAgent } from '../user-agent/uap-parser';
import { Row, toSession, toSessionEvent } from './session-row.mapper';
import {
  INSERT_SESSION_SQL,
  listStatements,
  LIVE_SESSION_BY_TOKEN_SQL,
  SESSION_BY_ID_SQL,
  SESSION_BY_PFID_SQL,
  SESSION_BY_UUID_SQL,
  TOUCH_SQL,
  UPSERT_DEVICE_SQL,
  USERS_WITH_LIVE_COUNT_SQL,
  usersWithLivePageSql,
} from './session.sql';
import { SqlRunner } from './sql-runner';

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

/** Where sessions and their events live: plain SQL, so hot reads skip entity hydration. */
@Injectable()
export class SessionStore {
  private readonly sql: SqlRunner;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.sql = new SqlRunner(db);
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** `prepare` names the statement on PostgreSQL: only for texts from a bounded set (see SqlRunner). */
  private async run(sql: string, params: unknown[], tx?: EntityManager, prepare = false): Promise<Row[]> {
    return this.sql.rows(sql, params, { tx, prepare });
  }

  /** One statement writes the session and its `created` event and reads the row back. */
  async insert(row: NewSessionRow, tx: EntityManager): Promise<Session> {
    const inserted = await this.run(
      INSERT_SESSION_SQL,
      [
        row.uuid,
        row.pfid,
        row.tokenHash,
        row.userId,
        row.username,
        row.status,
        row.sessionType,
        row.accountId,
        row.domainId,
        row.poolId,
        row.identityId,
        row.deviceId,
        row.title,
        row.ip,
        row.userAgent,
        row.expiresAt,
        row.device.brand,
        row.device.model,
        row.device.osName,
        row.device.osVersion,
        row.device.appName,
        row.device.appVersion,
        row.deviceClass,
        JSON.stringify(row.parsedUserAgent),
        row.geo == null ? null : JSON.stringify(row.geo),
        row.asn == null ? null : JSON.stringify(row.asn),
      ],
      tx,
      true,
    );
    return toSession(inserted[0]);
  }

  async findById(id: number, tx?: EntityManager): Promise<Session | null> {
    const rows = await this.run(SESSION_BY_ID_SQL, [id], tx, true);
    return rows.length ? toSession(rows[0]) : null;
  }

  async findByUuid(uuid: string): Promise<Session | null> {
    const rows = await this.run(SESSION_BY_UUID_SQL, [uuid], undefined, true);
    return rows.length ? toSession(rows[0]) : null;
  }

  async findByPfid(pfid: string): Promise<Session | null> {
    const rows = await this.run(SESSION_BY_PFID_SQL, [pfid], undefined, true);
    return rows.length ? toSession(rows[0]) : null;
  }

  async findLiveByTokenHash(tokenHash: string): Promise<Session | null> {
    const rows = await this.run(LIVE_SESSION_BY_TOKEN_SQL, [tokenHash], undefined, true);
    return rows.length ? toSession(rows[0]) : null;
  }

  /** Writes last-seen only when the stored value is older than the throttle interval. */
  async touch(id: number, throttleSeconds: number): Promise<Date | null> {
    const rows = await this.run(TOUCH_SQL, [id, throttleSeconds], undefined, true);
    return rows.length ? (rows[0].last_seen_at as Date) : null;
  }

  async recordSeen(id: number, change: SeenChange, tx: EntityManager): Promise<void> {
    await this.run(
      `UPDATE sessions SET last_seen_at = now(), last_ip = $2, last_user_agent = $3, device_class = $4,
         user_agent_parsed = $5, geo = $6, asn = $7 WHERE id = $1`,
      [
        id,
        change.ip,
        change.userAgent,
        change.deviceClass,
        JSON.stringify(change.parsedUserAgent),
        change.geo == null ? null : JSON.stringify(change.geo),
        change.asn == null ? null : JSON.stringify(change.asn),
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
    const { count, page, prepare, combined } = listStatements(query);
    if (combined) {
      const rows = await this.run(combined.text, combined.params);
      const total = Number(rows[0].total);
      return { items: rows.filter((r) => r.id != null).map(toSession), total };
    }
    // The count and the page run side by side on two pooled connections.
    const [countRows, rows] = await Promise.all([
      this.run(count.text, count.params, undefined, prepare),
      this.run(page.text, page.params, undefined, prepare),
    ]);
    const total = Number(countRows[0].n);
    if (total === 0 || query.offset >= total) return { items: [], total };
    return { items: rows.map(toSession), total };
  }

  /** Users who have live sessions, with how many, ordered by username (the MOVENS admin list). */
  async usersWithLiveSessions(
    offset: number,
    limit: number,
  ): Promise<Page<{ userUuid: string; username: string; count: number; isOperator: boolean }>> {
    const [countRows, rows] = await Promise.all([
      this.run(USERS_WITH_LIVE_COUNT_SQL, [], undefined, true),
      this.run(usersWithLivePageSql(limit, offset), [], undefined, offset === 0),
    ]);
    const total = Number(countRows[0].n);
    if (total === 0 || offset >= total) return { items: [], total };
    return {
      items: rows.map((r) => ({
        userUuid: String(r.uuid),
        username: String(r.username),
        count: Number(r.n),
        isOperator: Boolean(r.is_operator),
      })),
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
    const rows = await this.run(
      `SELECT pfid FROM devices WHERE user_id = $1 AND fingerprint = $2`,
      [userId, fingerprint],
      tx,
    );
    return rows.length ? String(rows[0].pfid) : null;
  }

  /** Returns the device id for (user, fingerprint), inserting `candidate` if there was none. */
  async upsertDevice(userId: number, fingerprint: string, candidate: string, tx: EntityManager): Promise<string> {
    const rows = await this.run(UPSERT_DEVICE_SQL, [candidate, userId, fingerprint], tx, true);
    return rows.length ? String(rows[0].pfid) : (await this.findDevice(userId, fingerprint, tx))!;
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
