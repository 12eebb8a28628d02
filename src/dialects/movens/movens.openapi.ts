import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { BEARER_SCHEME, BEARER_SCHEME_NAME } from '../../docs/bearer-auth';
import { FaceDocument } from '../../docs/face-document';
import { MOVENS_BASE } from './movens.controller';
import { MovensModule } from './movens.module';

/** As MOVENS publishes it: the server is the admin base URL and the paths start at /v1. */
export function relativeToBase(document: OpenAPIObject): OpenAPIObject {
  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(document.paths)) {
    paths[path.startsWith(`${MOVENS_BASE}/`) ? path.slice(MOVENS_BASE.length) : path] = item;
  }
  return { ...document, servers: [{ url: MOVENS_BASE }], paths };
}

export const movensDocument: FaceDocument = {
  slug: 'movens',
  title: 'MOVENS Admin API: Core - Authenticated Sessions',
  build: (app) =>
    relativeToBase(
      SwaggerModule.createDocument(
        app,
        new DocumentBuilder()
          .setTitle('MOVENS Admin API: Core - Authenticated Sessions')
          .setDescription(
            [
              'MOVENS Admin API v1, Core - Authenticated Sessions, as served by SessionHub — compatible with the ' +
                'MOVENS (Henshin Group) admin API v1.',
              '',
              'This module manages the authenticated sessions. The base url for the APIs is /api/admin. Paged List ' +
                'APIs take PageIndex (1-based) and PageSize (default 20, max 100) and answer a bare JSON array with ' +
                'X-Total-Count, X-Pagination and Link headers. Credentials: `Authorization: Bearer <token>` of an ' +
                'operator or a superuser. Errors are 400 {"Message": "err_..."}; 401 and 403 have empty bodies.',
            ].join('\n'),
          )
          .setVersion('1')
          .addSecurity(BEARER_SCHEME_NAME, BEARER_SCHEME)
          .build(),
        { include: [MovensModule] },
      ),
    ),
};
