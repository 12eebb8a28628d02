import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/tokens';
import { hashKey } from '../../sessions/credentials/keys';
import { BadCredentialsError, DomainError, DomainErrorCode } from '../../sessions/domain-error';
import { requireSuperuser } from '../../sessions/policy/access-policy';
import { Caller } from '../../sessions/session.model';
import { OAuthError } from '../http/oauth-exception.filter';
import { SCOPES, Scope } from '../ssf-events';
import { Receiver } from '../tables/ssf-receivers.table';
import { ReceiversStore } from './receivers.store';

const CLIENT_ID_PREFIX = 'ssfr_';
const SECRET_PREFIX = 'ssfs_';
const TOKEN_PREFIX = 'ssft_';
/** Compared with when a client id is unknown, so an unknown id costs the time a wrong secret does. */
const NO_SECRET_HASH = hashKey('');

/** A receiver as the token endpoint and the SSF endpoints know it: who, and what its token allows. */
export interface AuthenticatedReceiver {
  receiver: Receiver;
  scopes: Scope[];
}

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

const ALL_SCOPES: Scope[] = [SCOPES.manage, SCOPES.read];

/** Receivers are OAuth clients: registered by a superuser, authenticated by client credentials (RFC 6749 §4.4). */
@Injectable()
export class ReceiversService {
  constructor(
    private readonly store: ReceiversStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A new receiver; its secret is in the answer only (stored as its SHA-256). */
  async register(
    caller: Caller,
    input: { name: string; audience?: string },
  ): Promise<{ receiver: Receiver; clientSecret: string }> {
    requireSuperuser(caller);
    const clientId = CLIENT_ID_PREFIX + randomBytes(12).toString('hex');
    const clientSecret = SECRET_PREFIX + randomBytes(32).toString('base64url');
    const receiver = await this.store.insert({
      client_id: clientId,
      secret_hash: hashKey(clientSecret),
      name: input.name,
      audience: input.audience ?? clientId,
      created_by: caller.userId,
    });
    return { receiver, clientSecret };
  }

  list(caller: Caller): Promise<Receiver[]> {
    requireSuperuser(caller);
    return this.store.list();
  }

  async remove(caller: Caller, clientId: string): Promise<void> {
    requireSuperuser(caller);
    if (!(await this.store.delete(clientId))) throw DomainError.notFound('Receiver');
  }

  /** The client_credentials grant: a bearer token for the scopes asked (all of them when none are). */
  async issueToken(
    clientId: string,
    clientSecret: string,
    scope: string | undefined,
    basic: boolean,
  ): Promise<IssuedToken> {
    const found = await this.store.withSecretHash(clientId);
    const presented = Buffer.from(hashKey(clientSecret), 'hex');
    const expected = Buffer.from(found?.secretHash ?? NO_SECRET_HASH, 'hex');
    if (!timingSafeEqual(presented, expected) || !found)
      throw new OAuthError('invalid_client', 'Client authentication failed.', basic);
    const scopes = scope === undefined ? ALL_SCOPES : this.requestedScopes(scope);
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const ttl = this.config.SSF_TOKEN_TTL_SECONDS;
    await this.store.insertToken({
      token_hash: hashKey(token),
      receiver_id: found.receiver.id,
      scope: scopes.join(' '),
      expires_at: new Date(Date.now() + ttl * 1000),
    });
    return { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: scopes.join(' ') };
  }

  async authenticate(token: string): Promise<AuthenticatedReceiver> {
    const found = await this.store.byTokenHash(hashKey(token));
    if (!found) throw new BadCredentialsError('unknown_key', 'The access token is unknown or expired.');
    return { receiver: found.receiver, scopes: found.scope.split(' ') as Scope[] };
  }

  private requestedScopes(scope: string): Scope[] {
    const asked = scope.split(' ').filter(Boolean);
    const unknown = asked.filter((s) => !ALL_SCOPES.includes(s as Scope));
    if (asked.length === 0 || unknown.length > 0)
      throw new OAuthError('invalid_scope', `Scopes offered: ${ALL_SCOPES.join(' ')}.`);
    return ALL_SCOPES.filter((s) => asked.includes(s));
  }
}

/** Refuses a receiver whose token lacks `scope` (ssf.manage also allows what ssf.read does). */
export function requireScope(authenticated: AuthenticatedReceiver, scope: Scope): void {
  const allowed = authenticated.scopes.includes(scope) || authenticated.scopes.includes(SCOPES.manage);
  if (!allowed) throw new DomainError(DomainErrorCode.NotPermitted, `This needs an access token with ${scope}.`);
}
