import { OpenAPIObject } from '@nestjs/swagger';
import { FaceDocument } from '../../docs/face-document';
import { AUTHENTIK_SESSIONS_OPENAPI } from './authentik.openapi-data';

/**
 * authentik's own document for these endpoints (operation ids, parameter and schema names unchanged), so a client
 * generated from it is authentik's client. Paths are relative to the server `/api/v3`, as in authentik's schema.
 */
export function authentikOpenApiDocument(): OpenAPIObject {
  const document = structuredClone(AUTHENTIK_SESSIONS_OPENAPI) as unknown as OpenAPIObject;
  document.info.description =
    'authentik v3 authenticated sessions, served by SessionHub. Credentials: `Authorization: Bearer <API token or session token>`. ' +
    'Errors are DRF bodies `{"detail": ...}`; missing or bad credentials are 403.';
  return document;
}

export const authentikDocument: FaceDocument = {
  slug: 'authentik',
  title: 'authentik v3 (authenticated sessions)',
  build: () => authentikOpenApiDocument(),
};
