import { FastifyInstance } from 'fastify';
import type { FaceRegistration } from '../faces';
import { installFormBodyParser } from './http/form-body';
import { installRouteErrorAnswers } from './http/route-errors';
import { ssfDocument } from './ssf.openapi';
import { SsfModule } from './ssf.module';

export const ssfFace: FaceRegistration = {
  module: SsfModule,
  document: ssfDocument,
  installHooks: (fastify: FastifyInstance) => {
    // The token endpoint reads form bodies (RFC 6749), which Fastify does not parse by itself.
    installFormBodyParser(fastify);
    installRouteErrorAnswers(fastify);
  },
};
