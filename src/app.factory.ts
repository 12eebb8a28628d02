import { NestFactory } from '@nestjs/core';
import { LogController } from 'fastify';
import { IncomingMessage, maxHeaderSize } from 'node:http';
import { DestinationStream } from 'pino';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, AppModuleOptions } from './app.module';
import { setupSwagger } from './docs/swagger';
import { parseJsonBody } from './http/json-body';
import { createLogger, installRequestLogging, PinoNestLogger, requestId } from './ops/logging';
import { installMetrics } from './ops/metrics';
import { installSecurityHeaders } from './ops/security-headers';
import { MalformedBodyPipe, mediaTypeOf, readMalformedContentTypesAsUnread, UnreadBody } from './http/malformed-body';
import { FACES } from './faces';
import { FaceRoutesFilter, frameworkErrorAnswer, markMalformedUrl, refuseMalformedUrls } from './http/face-errors';

const FACE_ERRORS = FACES.map((face) => face.errors);

/** Builds the whole service (used by main.ts and by every end-to-end test), not yet listening. */
export async function createApp(
  options: AppModuleOptions,
  quiet = false,
  logDestination?: DestinationStream,
): Promise<NestFastifyApplication> {
  // Tests run quiet (errors only) unless they read the log themselves.
  const logger = createLogger(
    quiet && !logDestination ? { ...options.config, LOG_LEVEL: 'error' } : options.config,
    logDestination,
  );
  const requestTimeoutMs = options.config.REQUEST_TIMEOUT_SECONDS * 1000;
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request is written by installRequestLogging, with the fields operators need.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request: IncomingMessage) => requestId(request.headers['x-request-id']),
    // A path parameter may be as long as the request line (bounded by Node's header limit): an overlong id reaches
    // its route and the face's own validation, not a route miss answered by a catch-all or Fastify's 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: maxHeaderSize },
    bodyLimit: 64 * 1024,
    // Node's bound on receiving a whole request, which Fastify turns off unless set: without it a client that sends
    // its headers and then dribbles its body holds a connection, and a file descriptor, for as long as it likes.
    requestTimeout: requestTimeoutMs,
    http: {
      // Node enforces the bound only while the headers' own (60 s unless set) is no longer than it.
      headersTimeout: Math.min(60_000, requestTimeoutMs),
      // How often Node looks for requests past the bounds (30 s unless set): often enough that they hold as set.
      connectionsCheckingInterval: Math.min(30_000, requestTimeoutMs / 4),
    },
    // A URL Fastify cannot decode is routed escaped and refused after the service's hooks (refuseMalformedUrls);
    // any other error of Fastify's router is answered by the face that owns the path, in the face's shape.
    rewriteUrl: markMalformedUrl,
    frameworkErrors: frameworkErrorAnswer(FACE_ERRORS),
    // The client address is the socket's unless a proxy in front is trusted to set X-Forwarded-For.
    trustProxy: options.config.TRUST_PROXY === 'on',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
    bodyParser: false,
  });
  // A body that is not valid JSON reaches the route as a marker, so each face answers it in its own words.
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) =>
    done(null, parseJsonBody(String(body))),
  );
  // The faces read JSON only: a body of another type reaches the route unread, so each face refuses it in its words.
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('*', (request, _payload, done) => done(null, new UnreadBody(mediaTypeOf(request))));
  readMalformedContentTypesAsUnread(fastify);
  installRequestLogging(fastify, logger);
  installMetrics(app);
  installSecurityHeaders(fastify);
  for (const face of FACES) face.installHooks?.(fastify);
  refuseMalformedUrls(fastify);
  app.useGlobalPipes(new MalformedBodyPipe());
  // No such route, or refused by Fastify before a route's filter could see it: the face that owns the path answers.
  app.useGlobalFilters(new FaceRoutesFilter(FACE_ERRORS, app.getHttpAdapter()));
  setupSwagger(app);
  await app.init();
  return app;
}
