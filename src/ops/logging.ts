import { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pino, { DestinationStream, Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { CLIENT_CLOSED_REQUEST, whenClientClosed } from './client-closed';
import { faceOfPath } from './http-face';

/**
 * Structured logs with pino: JSON lines by default, `LOG_FORMAT=pretty` for a readable, colourless format in a
 * terminal. One line per request (never a token, key or hash: only the route template is logged, never headers,
 * query strings or bodies), Nest's own messages through the same logger, its route listing at debug level.
 */
export function createLogger(config: AppConfig, destination?: DestinationStream): Logger {
  const options = { level: config.LOG_LEVEL, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (destination) return pino(options, destination);
  if (config.LOG_FORMAT === 'pretty') {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: false, sync: true } } });
  }
  return pino(options, bufferedStdout());
}

/** How long a log line may wait in the buffer before it is written. */
const LOG_FLUSH_MS = 200;

/**
 * Standard output through a buffer written at 8 KB or every LOG_FLUSH_MS, whichever comes first: one write per
 * request line was most of what logging cost a validate (a system call each). pino flushes it synchronously when
 * the process exits, whatever the reason.
 */
function bufferedStdout(): DestinationStream {
  const stream = pino.destination({ dest: 1, minLength: 8 * 1024, sync: false });
  setInterval(() => stream.flush(), LOG_FLUSH_MS).unref();
  return stream;
}

/** Nest's start-up chatter: one line per module and route, logged at debug so start-up says what matters. */
const CHATTY_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** Nest's LoggerService over pino, so Nest's messages are JSON lines like the rest. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]) {
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const effective = level === 'info' && context && CHATTY_CONTEXTS.has(context) ? 'debug' : level;
    const stack = level === 'error' && typeof rest[0] === 'string' && rest.length > 1 ? rest[0] : undefined;
    this.logger[effective]({ context, ...(stack ? { stack } : {}) }, String(message));
  }

  /** Nest's levels onto pino's. */
  private at(level: 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'fatal') {
    return (message: unknown, ...rest: unknown[]) => this.write(level, message, rest);
  }

  log = this.at('info');
  error = this.at('error');
  warn = this.at('warn');
  debug = this.at('debug');
  verbose = this.at('trace');
  fatal = this.at('fatal');
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The request id: the client's X-Request-Id when it is a sane token, else a new UUID. */
export function requestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

/** Which face a route belongs to, for a request's log line: `unmatched` when no route took the request. */
export function faceOf(route: string | undefined): string {
  return route ? faceOfPath(route) : 'unmatched';
}

/** What a request line says about authentication, set by the guard or the validate route. */
export interface RequestLogFacts {
  userId?: number;
  authFailure?: string;
  /** Why the database could not answer (a 503), in the driver's words: set by the faces' exception filter. */
  cause?: string;
}

export function logFacts(request: FastifyRequest): RequestLogFacts {
  const carrier = request as unknown as { logFacts?: RequestLogFacts };
  carrier.logFacts ??= {};
  return carrier.logFacts;
}

/**
 * One line per request when it is answered: request id (echoed as X-Request-Id, and as X-authentik-id on the
 * authentik face, as authentik does), method, route template, face, status, duration, user id; failed
 * authentications at warn with their reason, server errors at error, with the database's cause for a 503. A request
 * whose client hung up first gets its line too, with status 499 as nginx logs it: at info, since it is the client's
 * choice, and its statements were cancelled rather than failed.
 */
export function installRequestLogging(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    if (request.url.startsWith('/api/v3/')) reply.header('X-authentik-id', request.id);
    done();
  });
  const lineOf = (request: FastifyRequest, reply: FastifyReply, status: number) => {
    const route = request.routeOptions.url;
    const facts = logFacts(request);
    return {
      reqId: request.id,
      method: request.method,
      route: route ?? 'unmatched',
      face: faceOf(route),
      status,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
      userId: facts.userId,
      authFailure: facts.authFailure,
      cause: facts.cause,
    };
  };
  fastify.addHook('onResponse', (request, reply, done) => {
    const line = lineOf(request, reply, reply.statusCode);
    if (reply.statusCode >= 500) logger.error(line, 'request failed');
    else if (line.authFailure) logger.warn(line, 'authentication refused');
    else logger.info(line, 'request');
    done();
  });
  whenClientClosed(fastify, (request, reply) =>
    logger.info(lineOf(request, reply, CLIENT_CLOSED_REQUEST), 'client closed request'),
  );
}
