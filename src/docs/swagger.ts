import { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { FACES } from '../faces';
import { JSON_UTF8 } from '../http/json-body';
import { DownloadUrl, SharedBearerAuthorization } from './shared-authorization';

export const DOCS_PATH = 'api/docs';

/**
 * Swagger UI at /api/docs with one document per face in its selector; each document also at /api/docs/{slug}.json.
 * One Authorize serves all four documents and survives a reload: Swagger UI persists authorizations (localStorage,
 * per security scheme name) and SharedBearerAuthorization treats every bearer scheme (`bearer`, `authentik`) as one.
 */
export function setupSwagger(app: INestApplication): void {
  const documents = FACES.map(({ document: face }) => ({ face, document: face.build(app) }));
  const fastify = app.getHttpAdapter();
  for (const { face, document } of documents) {
    fastify.get(`/${DOCS_PATH}/${face.slug}.json`, (_req: unknown, reply: FastifyReply) => {
      reply.header('content-type', JSON_UTF8).send(document);
    });
  }
  SwaggerModule.setup(DOCS_PATH, app, documents[0].document, {
    explorer: true,
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    swaggerOptions: {
      urls: documents.map(({ face }) => ({ url: `/${DOCS_PATH}/${face.slug}.json`, name: face.title })),
      persistAuthorization: true,
      plugins: [DownloadUrl, SharedBearerAuthorization],
    },
    customSiteTitle: 'SessionHub API docs',
  });
}
