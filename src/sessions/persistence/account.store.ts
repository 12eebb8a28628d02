import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { Page } from '../session-query';
import { User } from '../session.model';
import { ApiTokenEntity } from './api-token.entity';
import { Row, toUser } from './session-row.mapper';
import { TOKEN_BY_HASH_SQL, USER_BY_SESSION_TOKEN_SQL, USER_COLUMNS } from './session.sql';
import { SqlRunner } from './sql-runner';
import { UserEntity } from './user.entity';

export interface NewUser {
  username: string;
  name: string;
  email: string;
  isSuperuser: boolean;
  isOperator: boolean;
  pfid: string;
}

function userOf(row: Row): User {
  return {
    id: Number(row.id),
    uuid: String(row.uuid),
    username: String(row.username),
    name: String(row.name),
    email: String(row.email),
    isSuperuser: Boolean(row.is_superuser),
    isOperator: Boolean(row.is_operator),
    isActive: Boolean(row.is_active),
    pfid: String(row.pfid),
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(String(row.created_at)),
  };
}

export interface StoredToken {
  identifier: string;
  keyHash: string;
  userId: number;
  username: string;
  description: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

/** Users and API tokens. */
@Injectable()
export class AccountStore {
  private readonly users: Repository<UserEntity>;
  private readonly tokens: Repository<ApiTokenEntity>;
  private readonly sql: SqlRunner;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.users = db.getRepository(UserEntity);
    this.tokens = db.getRepository(ApiTokenEntity);
    this.sql = new SqlRunner(db);
  }

  /** Users are read on hot paths (every request's credentials, logins): plain prepared queries, no hydration. */
  private async oneUser(where: string, value: unknown): Promise<User | null> {
    const rows = await this.sql.rows(`SELECT ${USER_COLUMNS} FROM users u WHERE ${where}`, [value], { prepare: true });
    return rows.length ? userOf(rows[0]) : null;
  }

  /** Inserts the user unless the username is taken; returns null when it was. */
  async insertUser(user: NewUser): Promise<User | null> {
    const result = await this.users.createQueryBuilder().insert().values(user).orIgnore().returning('id').execute();
    const id = result.raw?.[0]?.id as number | undefined;
    return id === undefined ? null : this.userById(id);
  }

  async userById(id: number): Promise<User | null> {
    return this.oneUser('u.id = $1', id);
  }

  async userByUsername(username: string): Promise<User | null> {
    return this.oneUser('u.username = $1', username);
  }

  async userByUuid(uuid: string): Promise<User | null> {
    return this.oneUser('u.uuid = $1', uuid);
  }

  /** The user behind a live session's token, with the session id: one query on every session-token request. */
  async userBySessionTokenHash(tokenHash: string): Promise<{ sessionId: number; user: User } | null> {
    const rows = await this.sql.rows(USER_BY_SESSION_TOKEN_SQL, [tokenHash], { prepare: true });
    return rows.length ? { sessionId: Number(rows[0].session_id), user: userOf(rows[0]) } : null;
  }

  async listUsers(search: string | undefined, offset: number, limit: number): Promise<Page<User>> {
    const query = this.users.createQueryBuilder('u').orderBy('u.username', 'ASC').addOrderBy('u.id', 'ASC');
    if (search) {
      const pattern = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      query.where('(lower(u.username) LIKE :p OR lower(u.name) LIKE :p OR lower(u.email) LIKE :p)', { p: pattern });
    }
    const [entities, total] = await query.skip(offset).take(limit).getManyAndCount();
    return { items: entities.map(toUser), total };
  }

  async insertToken(token: Omit<StoredToken, 'username' | 'lastUsedAt' | 'createdAt'>): Promise<boolean> {
    const result = await this.tokens
      .createQueryBuilder()
      .insert()
      .values({ ...token })
      .orIgnore()
      .returning('id')
      .execute();
    return (result.raw?.length ?? 0) > 0;
  }

  /** A token and its owner in one query: this runs on every API-token request. */
  async tokenByHash(keyHash: string): Promise<(StoredToken & { user: User }) | null> {
    const rows = await this.sql.rows(TOKEN_BY_HASH_SQL, [keyHash], { prepare: true });
    if (!rows.length) return null;
    const r = rows[0];
    const user = userOf(r);
    return {
      identifier: String(r.identifier),
      keyHash: String(r.key_hash),
      userId: user.id,
      username: user.username,
      description: String(r.description),
      expiresAt: (r.expires_at as Date | null) ?? null,
      lastUsedAt: (r.last_used_at as Date | null) ?? null,
      createdAt: r.token_created_at as Date,
      user,
    };
  }

  async tokenByIdentifier(identifier: string): Promise<StoredToken | null> {
    const token = await this.tokens.findOneBy({ identifier });
    if (!token) return null;
    const user = await this.userById(token.userId);
    return this.toStored(token, user?.username ?? '');
  }

  async listTokens(userId: number | null): Promise<StoredToken[]> {
    const rows = await this.db.query(
      `SELECT t.*, u.username FROM api_tokens t JOIN users u ON u.id = t.user_id
       ${userId === null ? '' : 'WHERE t.user_id = $1'} ORDER BY t.id`,
      userId === null ? [] : [userId],
    );
    return (rows as Record<string, unknown>[]).map((r) => ({
      identifier: String(r.identifier),
      keyHash: String(r.key_hash),
      userId: Number(r.user_id),
      username: String(r.username),
      description: String(r.description),
      expiresAt: (r.expires_at as Date | null) ?? null,
      lastUsedAt: (r.last_used_at as Date | null) ?? null,
      createdAt: r.created_at as Date,
    }));
  }

  async deleteToken(identifier: string): Promise<void> {
    await this.tokens.delete({ identifier });
  }

  /** Throttled like session touches: one write per interval at most. */
  async touchToken(keyHash: string, throttleSeconds: number): Promise<void> {
    await this.sql.rows(
      `UPDATE api_tokens SET last_used_at = now()
       WHERE key_hash = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [keyHash, throttleSeconds],
      { prepare: true },
    );
  }

  private toStored(token: ApiTokenEntity, username: string): StoredToken {
    return {
      identifier: token.identifier,
      keyHash: token.keyHash,
      userId: token.userId,
      username,
      description: token.description,
      expiresAt: token.expiresAt,
      lastUsedAt: token.lastUsedAt,
      createdAt: token.createdAt,
    };
  }
}
