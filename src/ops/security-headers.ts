import helmet from '@fastify/helmet';
import { FastifyInstance } from 'fastify';

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
  },
};

/**
 * Security headers on every answer (helmet), with a content security policy Swagger UI works under, and
 * `Cache-Control: no-store` on every API answer: they carry session data, tokens and keys.
 */
export async function installSecurityHeaders(fastify: FastifyInstance): Promise<void> {
  await fastify.register(helmet, { contentSecurityPolicy: CONTENT_SECURITY_POLICY, global: true });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/api/') && !request.url.startsWith('/api/docs'))
      reply.header('Cache-Control', 'no-store');
    done(null, payload);
  });
}
