import { FastifyInstance } from 'fastify';

/** An `application/x-www-form-urlencoded` body (the token endpoint's), every parameter with all its values. */
export class FormBody {
  constructor(readonly params: URLSearchParams) {}

  /** A parameter given once (RFC 6749 §3.2: none may repeat): its value (undefined when absent), or 'repeated'. */
  single(name: string): { value: string | undefined } | 'repeated' {
    const values = this.params.getAll(name);
    return values.length > 1 ? 'repeated' : { value: values[0] };
  }
}

/** Lets routes read form bodies: Fastify parses only JSON and text by default. */
export function installFormBodyParser(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser('application/x-www-form-urlencoded')) return;
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, new FormBody(new URLSearchParams(String(body)))),
  );
}
