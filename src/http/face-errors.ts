import { ArgumentsHost, BadRequestException, Catch, ExceptionFilter, HttpException, HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IncomingMessage } from 'node:http';

/** The URLs a face owns and the filter that answers a failure there in the face's shape. */
export interface FaceErrors {
  /** Path prefixes without a trailing slash: the prefix itself and everything below it. */
  prefixes: string[];
  filterFor(path: string): ExceptionFilter;
}

/** A path Fastify could not decode (a `%` escape that is not UTF-8): no route can be chosen for it. */
export class MalformedUrl extends BadRequestException {
  constructor() {
    super('The URL holds a malformed percent-encoding.');
  }
}

/** Set on a request whose path holds a malformed percent-encoding (markMalformedUrl). */
const MALFORMED_URL = Symbol('malformedUrl');
type MarkedRequest = IncomingMessage & { [MALFORMED_URL]?: true };

/**
 * Fastify's `rewriteUrl`: a path Fastify could not decode is refused by its router before any hook runs (no request
 * id, security headers, log line or metric; `frameworkErrors` answers it bare). Such a path is routed with its `%`
 * signs escaped instead and marked, so it goes through the hooks like any request and refuseMalformedUrls answers
 * it. Paths without `%` are returned as they are, unchecked.
 */
export function markMalformedUrl(request: MarkedRequest): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  if (!path.includes('%')) return url;
  try {
    decodeURIComponent(path);
    return url;
  } catch {
    request[MALFORMED_URL] = true;
    return path.replace(/%/g, '%25') + (query < 0 ? '' : url.slice(query));
  }
}

/**
 * Refuses the requests markMalformedUrl marked, in an onRequest hook registered after the service's own (request id,
 * headers, metrics), so they have run; the face that owns the path answers (FaceRoutesFilter).
 */
export function refuseMalformedUrls(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    done((request.raw as MarkedRequest)[MALFORMED_URL] ? new MalformedUrl() : undefined);
  });
}

/** The filter of the face that owns a URL; null for paths outside every face (health, docs, metrics). */
export function faceFilterFor(faces: readonly FaceErrors[], url: string): ExceptionFilter | null {
  const path = url.split('?')[0];
  for (const face of faces) {
    if (face.prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return face.filterFor(path);
  }
  return null;
}

/**
 * Failures no route's filter sees: Nest's not-found handler, and Fastify's refusals before a handler runs (a body
 * over the size limit, a bad Content-Type header), which Nest passes to its global filters as HttpExceptions. Under
 * a face's paths the face's own filter answers them, in its shape; elsewhere Nest's default does.
 */
@Catch()
export class FaceRoutesFilter extends BaseExceptionFilter {
  constructor(
    private readonly faces: readonly FaceErrors[],
    applicationRef: HttpServer,
  ) {
    super(applicationRef);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const filter = faceFilterFor(this.faces, request.url);
    if (filter) filter.catch(exception, host);
    else super.catch(exception, host);
  }
}

/**
 * Fastify's `frameworkErrors`: its router's refusals before any hook or Nest runs, answered by the face that owns the
 * path; elsewhere Fastify's own answer. None is known to be reachable: a URL its router cannot decode is one
 * decodeURIComponent refuses too (markMalformedUrl routes it), a parameter cannot outgrow maxParamLength (Node's
 * header limit), and no route has an asynchronous constraint. This keeps the faces' shapes if one ever is.
 */
export function frameworkErrorAnswer(faces: readonly FaceErrors[]) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const filter = faceFilterFor(faces, request.url);
    if (!filter) {
      reply.code(error.statusCode ?? 400).send(error);
      return;
    }
    filter.catch(new HttpException(error.message, error.statusCode ?? 400), new ExecutionContextHost([request, reply]));
  };
}
