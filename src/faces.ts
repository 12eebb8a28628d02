import { Type } from '@nestjs/common';
import { FastifyInstance } from 'fastify';
import { authentikFace } from './dialects/authentik/authentik.face';
import { movensFace } from './dialects/movens/movens.face';
import { prefactorFace } from './dialects/prefactor/prefactor.face';
import { FaceDocument } from './docs/face-document';
import { FaceErrors } from './http/face-errors';
import { hubFace } from './hub/hub.face';
import { ssfFace } from './ssf/ssf.face';

/** One HTTP face: its Nest module and its OpenAPI document. */
export interface FaceRegistration {
  module: Type<unknown>;
  document: FaceDocument;
  /** The paths the face owns: failures there that no route's filter sees (no such route, a body over the limit, a
   * malformed URL) are answered in its shape (src/http/face-errors.ts). */
  errors: FaceErrors;
  /** Fastify hooks for conventions below Nest's reach (e.g. a content type without Fastify's charset). */
  installHooks?: (fastify: FastifyInstance) => void;
}

/**
 * Every face, registered once: the app imports their modules and Swagger UI offers their documents, in this order.
 * A new face adds one line here.
 */
export const FACES: FaceRegistration[] = [hubFace, authentikFace, movensFace, prefactorFace, ssfFace];
