import { RouteConfig } from '@nestjs/platform-fastify';
import { FastifyInstance, FastifyRequest } from 'fastify';
import { UnreadBody } from '../../http/malformed-body';

/** An `application/x-www-form-urlencoded` body (the token endpoint's), every parameter with all its values. */
export class FormBody {
  constructor(readonly params: URLSearchParams) {}

  /** A parameter given once (RFC 6749 §3.2: none may repeat): its value (undefined when absent), or 'repeated'. */
  single(name: string): { value: string | undefined } | 'repeated' {
    const values = this.params.getAll(name);
    return values.length > 1 ? 'repeated' : { value: values[0] };
  }
}

const FORM = 'application/x-www-form-urlencoded';

/** Marks a route that reads form bodies; on every other route a form is a body that is not JSON. */
export const ReadsForm = () => RouteConfig({ readsForm: true });

function readsForm(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { readsForm?: boolean } | undefined)?.readsForm === true;
}

/** Lets the routes marked ReadsForm read form bodies: Fastify parses only JSON and text by default. */
export function installFormBodyParser(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser(FORM)) return;
  fastify.addContentTypeParser(FORM, { parseAs: 'string' }, (request, body, done) =>
    done(null, readsForm(request) ? new FormBody(new URLSearchParams(String(body))) : new UnreadBody(FORM)),
  );
}
