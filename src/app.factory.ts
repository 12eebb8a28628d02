import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, AppModuleOptions } from './app.module';
import { AppConfig } from './config/app-config';
import { setupSwagger } from './docs/swagger';
import { runInRequestScope } from './database/request-scope';
import { parseJsonBody } from './http/json-body';
import { installSecurityHeaders } from './ops/security-headers';
import { MalformedBodyPipe } from './http/malformed-body';

/** LOG_LEVEL in Nest's terms: each level includes the more severe ones. */
function nestLogLevels(level: AppConfig['LOG_LEVEL']): LogLevel[] {
  const order: Array<[AppConfig['LOG_LEVEL'], LogLevel[]]> = [
    ['fatal', ['fatal']],
    ['error', ['error']],
    ['warn', ['warn']],
    ['info', ['log']],
    ['debug', ['debug']],
    ['trace', ['verbose']],
  ];
  if (level === 'silent') return [];
  const levels: LogLevel[] = [];
  for (const [name, nest] of order) {
    levels.push(...nest);
    if (name === level) break;
  }
  return levels;
}

/** Builds the whole service (used by main.ts and by every end-to-end test), not yet listening. */
export async function createApp(options: AppModuleOptions, quiet = false): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    bodyLimit: 64 * 1024,
    // The client address is the socket's unless a proxy in front is trusted to set X-Forwarded-For.
    trustProxy: options.config.TRUST_PROXY === 'on',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    logger: quiet ? ['fatal', 'error'] : nestLogLevels(options.config.LOG_LEVEL),
    bufferLogs: false,
    bodyParser: false,
  });
  // A body that is not valid JSON reaches the route as a marker, so each face answers it in its own words.
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) =>
    done(null, parseJsonBody(String(body))),
  );
  // Database work of a request whose client hangs up is cancelled (see PostgresDatabase.rows).
  fastify.addHook('onRequest', (request, reply, done) => {
    const clientGone = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) clientGone.abort();
    });
    runInRequestScope(clientGone.signal, done);
  });
  await installSecurityHeaders(fastify);
  app.useGlobalPipes(new MalformedBodyPipe());
  setupSwagger(app);
  await app.init();
  return app;
}
