import { Body, Controller, Header, Headers, HttpCode, Ip, Post, UseFilters } from '@nestjs/common';
import { RateLimits } from '../ops/rate-limits';
import { FormBody, ReadsForm } from './http/form-body';
import { OAuthError, OAuthExceptionFilter } from './http/oauth-exception.filter';
import { IssuedToken, ReceiversService } from './receivers/receivers.service';
import { SSF_PATHS } from './ssf-discovery.controller';

interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  basic: boolean;
}

/** One form parameter, given at most once (RFC 6749 §3.2). */
function param(form: FormBody, name: string): string | undefined {
  const value = form.single(name);
  if (value === 'repeated') throw new OAuthError('invalid_request', `${name} is given more than once.`);
  return value.value;
}

/** HTTP Basic client authentication: id and secret, each form-urlencoded (RFC 6749 §2.3.1). */
function basicCredentials(header: string): ClientCredentials {
  const match = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'Malformed Basic credentials.', true);
  try {
    const clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const clientSecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    return { clientId, clientSecret, basic: true };
  } catch {
    throw new OAuthError('invalid_client', 'Malformed Basic credentials.', true);
  }
}

function clientCredentials(form: FormBody, authorization: string | undefined): ClientCredentials {
  const clientId = param(form, 'client_id');
  const clientSecret = param(form, 'client_secret');
  if (authorization) {
    if (clientSecret !== undefined)
      throw new OAuthError('invalid_request', 'Authenticate the client by one method only: Basic or the body.');
    return basicCredentials(authorization);
  }
  if (clientId === undefined || clientSecret === undefined)
    throw new OAuthError(
      'invalid_client',
      'Client authentication is needed (HTTP Basic, or client_id and client_secret).',
    );
  return { clientId, clientSecret, basic: false };
}

/** The token endpoint: client_credentials only (RFC 6749 §4.4), form-encoded, answered with no-store. */
@Controller()
@UseFilters(OAuthExceptionFilter)
export class SsfTokenController {
  constructor(
    private readonly receivers: ReceiversService,
    private readonly limits: RateLimits,
  ) {}

  @Post(SSF_PATHS.token)
  @ReadsForm()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async token(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Ip() address: string,
  ): Promise<IssuedToken> {
    if (!(body instanceof FormBody))
      throw new OAuthError('invalid_request', 'The token request must be application/x-www-form-urlencoded.');
    const grantType = param(body, 'grant_type');
    if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required.');
    if (grantType !== 'client_credentials')
      throw new OAuthError('unsupported_grant_type', 'Only the client_credentials grant is supported.');
    const client = clientCredentials(body, authorization);
    await this.limits.beforeAuthentication(address, client.clientId);
    try {
      return await this.receivers.issueToken(client.clientId, client.clientSecret, param(body, 'scope'), client.basic);
    } catch (error) {
      if (error instanceof OAuthError && error.error === 'invalid_client')
        await this.limits.authenticationFailed(address, client.clientId);
      throw error;
    }
  }
}
