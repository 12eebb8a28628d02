import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { DomainError } from '../../sessions/domain-error';

/** A name or an IPv4 address, or an IPv6 literal in brackets; then a port, or none. */
const HOST = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The base URL this request came to (scheme from the proxy only with TRUST_PROXY=on), for the URLs SSF answers and
 * the issuer a stream keeps when SSF_ISSUER is unset. A Host that is not a host (empty, `a b`, a port past 65535)
 * or a scheme other than http and https is refused rather than kept in a stream's issuer for good.
 */
export const BaseUrl = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const { protocol, host } = request;
  // With TRUST_PROXY=on both come from the proxy's X-Forwarded-Proto and X-Forwarded-Host.
  if (protocol !== 'http' && protocol !== 'https')
    throw DomainError.invalid('X-Forwarded-Proto', "The request's scheme must be http or https.");
  const base = `${protocol}://${host}`;
  if (!HOST.test(host) || !URL.canParse(base)) throw DomainError.invalid('Host', 'The Host header must name a host.');
  return base;
});
