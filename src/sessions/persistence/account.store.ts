import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../../config/tokens';
import { Database, Queryable } from '../../database/database';
import { Page } from '../session-query';
import { ApiToken, User } from '../session.model';
import { TOKEN_BY_HASH_SQL, TOUCH_TOKEN_SQL } from './account.sql';
import { API_TOKEN_SELECT, API_TOKENS, toApiToken } from './tables/api-tokens.table';
import { insertRow } from './tables/table';
import { toUser, USER_SELECT, USERS } from './tables/users.table';
import { UserMatch } from './user-match';

export type NewUser = Pick<User, 'username' | 'name' | 'email' | 'isSuperuser' | 'isOperator' | 'pfid' | 'maxSessions'>;

export interface NewToken {
  identifier: string;
  keyHash: string;
  userId: number;
  description: string;
  expiresAt: Date | null;
}

/** An API token found by its key's hash, with its owner: what authentication needs in one query. */
export interface TokenWithOwner {
  tokenId: number;
  token: ApiToken;
  user: User;
}

const TOKEN_FROM = `api_tokens t JOIN users u ON u.id = t.user_id`;

/** Users and API tokens: plain SQL over `Database`; the hot reads are prepared statements. */
@Injectable()
export class AccountStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  private async oneUser(where: string, value: unknown, from: Queryable = this.db): Promise<User | null> {
    const rows = await from.rows(`SELECT ${USER_SELECT} FROM users u WHERE ${where}`, [value], { prepare: true });
    return rows.length ? toUser(rows[0]) : null;
  }

  /** Inserts the user unless the username is taken; returns null when it was. */
  async insertUser(user: NewUser): Promise<User | null> {
    const insert = insertRow(USERS, {
      username: user.username,
      name: user.name,
      email: user.email,
      is_superuser: user.isSuperuser,
      is_operator: user.isOperator,
      pfid: user.pfid,
      max_sessions: user.maxSessions ?? undefined,
    });
    const rows = await this.db.rows(
      `${insert.text} ON CONFLICT (username) DO NOTHING RETURNING ${USER_SELECT}`,
      insert.params,
    );
    return rows.length ? toUser(rows[0]) : null;
  }

  /** Sets (or, with null, clears) a user's own limit of live sessions; null when there is no such user. */
  async setMaxSessions(id: number, maxSessions: number | null): Promise<User | null> {
    const rows = await this.db.rows(`UPDATE users u SET max_sessions = $2 WHERE u.id = $1 RETURNING ${USER_SELECT}`, [
      id,
      maxSessions,
    ]);
    return rows.length ? toUser(rows[0]) : null;
  }

  /** `from`: where the read goes (ReadRouting); the primary unless told. */
  userById(id: number, from?: Queryable): Promise<User | null> {
    return this.oneUser('u.id = $1', id, from);
  }

  /** The user one way of naming users matches (userMatches). */
  userBy(match: UserMatch): Promise<User | null> {
    return this.oneUser(`u.${match.column} = $1`, match.value);
  }

  async listUsers(
    search: string | undefined,
    offset: number,
    limit: number,
    from: Queryable = this.db,
  ): Promise<Page<User>> {
    const params: unknown[] = [];
    let where = '';
    if (search) {
      params.push(`%${search.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`);
      where = `WHERE lower(u.username) LIKE $1 OR lower(u.name) LIKE $1 OR lower(u.email) LIKE $1`;
    }
    const [rows, count] = await Promise.all([
      from.rows(
        `SELECT ${USER_SELECT} FROM users u ${where} ORDER BY u.username, u.id LIMIT ${Math.trunc(limit)} OFFSET ${Math.trunc(offset)}`,
        params,
      ),
      from.rows(`SELECT count(*) AS n FROM users u ${where}`, params),
    ]);
    return { items: rows.map(toUser), total: Number(count[0].n) };
  }

  /** Inserts the token unless its identifier or key is taken; returns whether it was stored. */
  async insertToken(token: NewToken): Promise<boolean> {
    const insert = insertRow(API_TOKENS, {
      identifier: token.identifier,
      key_hash: token.keyHash,
      user_id: token.userId,
      description: token.description,
      expires_at: token.expiresAt,
    });
    const rows = await this.db.rows(`${insert.text} ON CONFLICT DO NOTHING RETURNING id`, insert.params);
    return rows.length > 0;
  }

  /** A token and its owner in one query: this runs on every API-token request. */
  async tokenByHash(keyHash: string): Promise<TokenWithOwner | null> {
    const rows = await this.db.rows(TOKEN_BY_HASH_SQL, [keyHash], { prepare: true });
    return rows.length
      ? { tokenId: Number(rows[0].token_id), token: toApiToken(rows[0]), user: toUser(rows[0]) }
      : null;
  }

  async tokenByIdentifier(identifier: string): Promise<ApiToken | null> {
    const rows = await this.db.rows(`SELECT ${API_TOKEN_SELECT} FROM ${TOKEN_FROM} WHERE t.identifier = $1`, [
      identifier,
    ]);
    return rows.length ? toApiToken(rows[0]) : null;
  }

  async listTokens(userId: number | null, from: Queryable = this.db): Promise<ApiToken[]> {
    const rows = await from.rows(
      `SELECT ${API_TOKEN_SELECT} FROM ${TOKEN_FROM} ${userId === null ? '' : 'WHERE t.user_id = $1'} ORDER BY t.id`,
      userId === null ? [] : [userId],
    );
    return rows.map(toApiToken);
  }

  async deleteToken(identifier: string): Promise<void> {
    await this.db.rows(`DELETE FROM api_tokens WHERE identifier = $1`, [identifier]);
  }

  /** Throttled like session touches: one write per interval at most. */
  async touchToken(keyHash: string, throttleSeconds: number): Promise<void> {
    await this.db.rows(TOUCH_TOKEN_SQL, [keyHash, throttleSeconds], { prepare: true });
  }
}
