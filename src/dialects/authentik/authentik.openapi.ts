import { OpenAPIObject } from '@nestjs/swagger';
import { FaceDocument } from '../../docs/face-document';
import { AUTHENTIK_SESSIONS_OPENAPI } from './authentik.openapi-data';

/**
 * authentik's own document for these endpoints (operation ids, parameter and schema names unchanged), so a client
 * generated from it is authentik's client. Paths are relative to the server `/api/v3`, as in authentik's schema.
 */
export function authentikOpenApiDocument(): OpenAPIObject {
  const document = structuredClone(AUTHENTIK_SESSIONS_OPENAPI) as unknown as OpenAPIObject;
  // SessionHub's own info block: not authentik's title, version, contact and licence, as if this were authentik.
  document.info = {
    title: 'authentik API v3 (authenticated sessions)',
    version: '3',
    description: [
      'authentik API v3 (authenticated sessions), as served by SessionHub — compatible with authentik 2026.x.',
      '',
      `SessionHub is not authentik: it answers these endpoints as authentik ${AUTHENTIK_SESSIONS_OPENAPI.info.version} ` +
        "does, with authentik's operation ids, parameters and schemas unchanged, so authentik's own clients " +
        '(`@goauthentik/api`) work against it.',
      '',
      'Credentials: `Authorization: Bearer <API token or session token>` (scheme `authentik`; one Authorize in ' +
        'SessionHub\'s API docs authorizes every document). Errors are DRF bodies `{"detail": ...}`; missing or ' +
        'bad credentials are 403.',
    ].join('\n'),
  };
  return document;
}

export const authentikDocument: FaceDocument = {
  slug: 'authentik',
  title: 'authentik v3 (authenticated sessions)',
  build: () => authentikOpenApiDocument(),
};
