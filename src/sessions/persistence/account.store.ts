import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { Page } from '../session-query';
import { User } from '../session.model';
import { ApiTokenEntity } from './api-token.entity';
import { toUser } from './session-row.mapper';
import { UserEntity } from './user.entity';

export interface NewUser {
  username: string;
  name: string;
  email: string;
  isSuperuser: boolean;
  isOperator: boolean;
  pfid: string;
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

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.users = db.getRepository(UserEntity);
    this.tokens = db.getRepository(ApiTokenEntity);
  }

  /** Inserts the user unless the username is taken; returns null when it was. */
  async insertUser(user: NewUser): Promise<User | null> {
    const result = await this.users
      .createQueryBuilder()
      .insert()
      .values(user)
      .orIgnore()
      .returning('id')
      .execute();
    const id = result.raw?.[0]?.id as number | undefined;
    return id === undefined ? null : this.userById(id);
  }

  async userById(id: number): Promise<User | null> {
    const entity = await this.users.findOneBy({ id });
    return entity ? toUser(entity) : null;
  }

  async userByUsername(username: string): Promise<User | null> {
    const entity = await this.users.findOneBy({ username });
    return entity ? toUser(entity) : null;
  }

  async userByUuid(uuid: string): Promise<User | null> {
    const entity = await this.users.findOneBy({ uuid });
    return entity ? toUser(entity) : null;
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

  async tokenByHash(keyHash: string): Promise<(StoredToken & { user: User }) | null> {
    const token = await this.tokens.findOneBy({ keyHash });
    if (!token) return null;
    const user = await this.userById(token.userId);
    if (!user) return null;
    return { ...this.toStored(token, user.username), user };
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
    await this.db.query(
      `UPDATE api_tokens SET last_used_at = now()
       WHERE key_hash = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [keyHash, throttleSeconds],
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
