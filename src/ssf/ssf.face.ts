import { FastifyInstance } from 'fastify';
import type { FaceRegistration } from '../faces';
import { installFormBodyParser } from './http/form-body';
import { OAuthExceptionFilter } from './http/oauth-exception.filter';
import { SsfExceptionFilter } from './http/ssf-exception.filter';
import { SSF_PATHS } from './ssf-discovery.controller';
import { ssfDocument } from './ssf.openapi';
import { SsfModule } from './ssf.module';

export const ssfFace: FaceRegistration = {
  module: SsfModule,
  document: ssfDocument,
  // The token endpoint answers in RFC 6749's shape, the other SSF paths in SSF's.
  errors: {
    prefixes: ['/ssf', '/.well-known'],
    filterFor: (path) =>
      path.replace(/\/$/, '') === SSF_PATHS.token ? new OAuthExceptionFilter() : new SsfExceptionFilter(),
  },
  installHooks: (fastify: FastifyInstance) => {
    // The token endpoint reads form bodies (RFC 6749), which Fastify does not parse by itself.
    installFormBodyParser(fastify);
  },
};
