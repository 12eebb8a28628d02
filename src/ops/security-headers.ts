import { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import { IncomingMessage, ServerResponse } from 'node:http';

/** Swagger UI's own page: everything it loads comes from this server, but it styles inline and uses data: images. */
const CONTENT_SECURITY_POLICY = {
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    // Served over plain HTTP on a laptop or a LAN: upgrading Swagger UI's requests to HTTPS would break it.
    upgradeInsecureRequests: null,
  },
};

/**
 * The headers helmet sets, computed once: its policy is the same for every answer, so helmet runs at start against
 * a recording response and every answer gets the recorded set in one call. (@fastify/helmet builds a new helmet
 * middleware for every request and runs its 13 header middlewares each time: about 1 ms of latency per request,
 * measured here, on a service whose whole answer takes about as long.)
 */
export function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet({ contentSecurityPolicy: CONTENT_SECURITY_POLICY })(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    () => undefined,
  );
  return headers;
}

/**
 * Security headers on every answer (helmet's), with a content security policy Swagger UI works under, and
 * `Cache-Control: no-store` on every API answer: they carry session data, tokens and keys. One hook, set before the
 * handler runs (a route that names its own Cache-Control still does): a second hook at send time cost validate
 * another pass of Fastify's hook runner.
 */
export function installSecurityHeaders(fastify: FastifyInstance): void {
  const headers = helmetHeaders();
  const apiHeaders = { ...headers, 'cache-control': 'no-store' };
  fastify.addHook('onRequest', (request, reply, done) => {
    const api = request.url.startsWith('/api/') && !request.url.startsWith('/api/docs');
    reply.headers(api ? apiHeaders : headers);
    done();
  });
}
