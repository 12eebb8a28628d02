import { ExceptionFilter, HttpException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { FastifyInstance } from 'fastify';
import { SSF_PATHS } from '../ssf-discovery.controller';
import { OAuthExceptionFilter } from './oauth-exception.filter';
import { SsfExceptionFilter } from './ssf-exception.filter';

/** Fastify's own refusals (FastifyError with a status) as Nest maps them for its app-wide handler; the rest as is. */
function asHttpException(error: unknown): unknown {
  const status = (error as { statusCode?: unknown }).statusCode;
  return error instanceof Error && error.name === 'FastifyError' && typeof status === 'number'
    ? new HttpException(error.message, status)
    : error;
}

/** The filter whose shape a route answers in: the token endpoint RFC 6749's, the other SSF routes SSF's. */
function filterFor(url: string): ExceptionFilter | null {
  if (url === SSF_PATHS.token) return new OAuthExceptionFilter();
  if (url.startsWith('/ssf/') || url.startsWith('/.well-known/')) return new SsfExceptionFilter();
  return null;
}

/**
 * Failures Fastify finds before a route's handler runs (a body over the size limit, an unsupported content type)
 * never reach the route's Nest filter: Nest's app-wide handler would answer them `{statusCode, message}`. Each SSF
 * route gets its own Fastify error handler that passes them to the route's filter instead, so they are answered in
 * the route's shape. Errors inside a handler never get here: Nest's filters answer those first.
 */
export function installRouteErrorAnswers(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    const filter = filterFor(route.url);
    if (!filter) return;
    route.errorHandler = (error, request, reply) => {
      filter.catch(asHttpException(error), new ExecutionContextHost([request, reply]));
    };
  });
}
