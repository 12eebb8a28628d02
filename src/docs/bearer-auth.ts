import type { SecuritySchemeObject } from '@nestjs/swagger';

/**
 * The security scheme of SessionHub's own documents (hub, MOVENS, Prefactor), under the same name in each so that one
 * Authorize in Swagger UI carries over. Not `addBearerAuth()`: that declares `bearerFormat: JWT`, and our keys are not.
 */
export const BEARER_SCHEME_NAME = 'bearer';

export const BEARER_SCHEME: SecuritySchemeObject = {
  type: 'http',
  scheme: 'bearer',
  description: 'An API token or a session token (opaque, not a JWT)',
};
