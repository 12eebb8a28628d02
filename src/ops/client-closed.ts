import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { onHangUp } from '../http/client-gone';

/** nginx's status for a request whose client closed the connection before its answer was written. */
export const CLIENT_CLOSED_REQUEST = 499;

type ClientClosedListener = (request: FastifyRequest, reply: FastifyReply) => void;

const clientClosedListeners = new WeakMap<FastifyInstance, ClientClosedListener[]>();

/**
 * Calls `closed` for each request whose client hung up before its answer was written, for the log and the metrics
 * to count. Fastify runs no onResponse hook for such a request, and runs its onRequestAbort hook only while the
 * request itself is still arriving (not for a GET past its headers, nor a POST whose body was read). One listener
 * per request, whoever asks: validate pays for every hook.
 */
export function whenClientClosed(fastify: FastifyInstance, closed: ClientClosedListener): void {
  const known = clientClosedListeners.get(fastify);
  if (known) {
    known.push(closed);
    return;
  }
  const listeners = [closed];
  clientClosedListeners.set(fastify, listeners);
  fastify.addHook('onRequest', (request, reply, done) => {
    onHangUp(reply.raw, () => {
      // An answer that failed on its own stream ('error') ran Fastify's onResponse hooks, which count it already.
      if (!reply.raw.errored) for (const listener of listeners) listener(request, reply);
    });
    done();
  });
}
