import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AccountCache } from '../credentials/account-cache';
import { API_TOKEN_PREFIX, hashKey, newKey } from '../credentials/keys';
import { DomainError, DomainErrorCode } from '../domain-error';
import { AccountStore } from '../persistence/account.store';
import { ReadRouting } from '../persistence/read-routing';
import { generateRelatedPfid } from '../pfid';
import { canSeeUser, requireSuperuser } from '../policy/access-policy';
import { Page } from '../session-query';
import { ApiToken, Caller, User } from '../session.model';
import { UserMatch, userMatches } from '../persistence/user-match';
import { DefaultScopes } from './default-scopes';

export interface NewUserInput {
  username: string;
  name?: string;
  email?: string;
  isSuperuser?: boolean;
  isOperator?: boolean;
  /** This user's limit of live sessions (null or absent: the deployment's SESSION_LIMIT). */
  maxSessions?: number | null;
}

export interface NewTokenInput {
  user: number | string;
  description?: string;
  expiresAt?: Date;
  identifier?: string;
}

export interface IssuedToken {
  key: string;
  token: ApiToken;
}

const USERNAME_PATTERN = /^[\w.@+-]{1,150}$/;

/** Users and their API tokens. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountStore,
    private readonly scopes: DefaultScopes,
    private readonly routing: ReadRouting,
    private readonly accountCache: AccountCache,
  ) {}

  async createUser(caller: Caller, input: NewUserInput): Promise<User> {
    requireSuperuser(caller);
    const user = await this.insertUser(input);
    await this.routing.wrote(caller);
    return user;
  }

  /** Creates a user without a caller: first-start bootstrap and the seed command. */
  async insertUser(input: NewUserInput): Promise<User> {
    if (!USERNAME_PATTERN.test(input.username)) {
      throw DomainError.invalid('username', 'Enter a valid username: 1-150 letters, digits and @/./+/-/_ only.');
    }
    const user = await this.accounts.insertUser({
      username: input.username,
      name: input.name ?? '',
      email: input.email ?? '',
      isSuperuser: input.isSuperuser ?? false,
      isOperator: input.isOperator ?? false,
      maxSessions: input.maxSessions ?? null,
      pfid: generateRelatedPfid(await this.scopes.get('account')),
    });
    if (!user)
      throw new DomainError(DomainErrorCode.Conflict, `A user named ${input.username} already exists.`, 'username');
    return user;
  }

  /** A user's own limit of live sessions (superusers only); null returns the user to the deployment's limit. */
  async setMaxSessions(caller: Caller, id: number, maxSessions: number | null): Promise<User> {
    requireSuperuser(caller);
    const user = await this.accounts.setMaxSessions(id, maxSessions);
    if (!user) throw DomainError.notFound('User');
    await this.routing.wrote(caller);
    return user;
  }

  async listUsers(caller: Caller, search: string | undefined, offset: number, limit: number): Promise<Page<User>> {
    requireSuperuser(caller);
    return this.accounts.listUsers(search, offset, limit, this.routing.readsOf(caller));
  }

  async getUser(caller: Caller, id: number): Promise<User> {
    const user = await this.accounts.userById(id, this.routing.readsOf(caller));
    if (!user) throw DomainError.notFound('User');
    if (!canSeeUser(caller, id)) throw DomainError.notVisible('User');
    return user;
  }

  /** Resolves a user given as id, uuid or username. */
  findUser(ref: number | string): Promise<User | null> {
    return this.findUserWith(ref, (match) => this.accounts.userBy(match));
  }

  /** Resolves a user given as id, uuid or username with `read`, which may read more of the user in the same query. */
  async findUserWith<T>(ref: number | string, read: (match: UserMatch) => Promise<T | null>): Promise<T | null> {
    for (const match of userMatches(ref)) {
      const found = await read(match);
      if (found) return found;
    }
    return null;
  }

  requireUser(ref: number | string, field = 'user'): Promise<User> {
    return this.requireUserWith(ref, (match) => this.accounts.userBy(match), field);
  }

  /** findUserWith, or 404 naming the reference. */
  async requireUserWith<T>(
    ref: number | string,
    read: (match: UserMatch) => Promise<T | null>,
    field = 'user',
  ): Promise<T> {
    const found = await this.findUserWith(ref, read);
    if (!found) throw new DomainError(DomainErrorCode.NotFound, `User ${JSON.stringify(ref)} does not exist.`, field);
    return found;
  }

  async createToken(caller: Caller, input: NewTokenInput): Promise<IssuedToken> {
    requireSuperuser(caller);
    const user = await this.requireUser(input.user);
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw DomainError.invalid('expiresAt', 'expiresAt must be in the future.');
    }
    const issued = await this.issueToken(user, {
      description: input.description ?? '',
      expiresAt: input.expiresAt ?? null,
      identifier: input.identifier,
      key: newKey(API_TOKEN_PREFIX),
    });
    await this.routing.wrote(caller);
    return issued;
  }

  /** Stores a token with a given key: BOOTSTRAP_TOKEN and the token command. Idempotent for the same key. */
  async issueToken(
    user: User,
    options: { description: string; expiresAt: Date | null; identifier?: string; key: string },
  ): Promise<IssuedToken> {
    const keyHash = hashKey(options.key);
    const existing = await this.accounts.tokenByHash(keyHash);
    if (existing) return { key: options.key, token: existing.token };
    const identifier = options.identifier ?? `${user.username}-${randomBytes(6).toString('hex')}`;
    const inserted = await this.accounts.insertToken({
      identifier,
      keyHash,
      userId: user.id,
      description: options.description,
      expiresAt: options.expiresAt,
    });
    if (!inserted)
      throw new DomainError(DomainErrorCode.Conflict, `A token named ${identifier} already exists.`, 'identifier');
    return { key: options.key, token: (await this.accounts.tokenByIdentifier(identifier))! };
  }

  listTokens(caller: Caller): Promise<ApiToken[]> {
    return this.accounts.listTokens(caller.isSuperuser ? null : caller.userId, this.routing.readsOf(caller));
  }

  async deleteToken(caller: Caller, identifier: string): Promise<void> {
    const token = await this.accounts.tokenByIdentifier(identifier);
    if (!token) throw DomainError.notFound('Token');
    if (!canSeeUser(caller, token.userId)) throw DomainError.notVisible('Token');
    await this.accounts.deleteToken(identifier);
    // This process's copies go before the answer; the trigger's NOTIFY tells every other process.
    this.accountCache.dropAll();
    await this.routing.wrote(caller);
  }
}
