import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { BEARER_SCHEME, BEARER_SCHEME_NAME } from '../docs/bearer-auth';
import { FaceDocument } from '../docs/face-document';
import { HubModule } from './hub.module';

export const hubDocument: FaceDocument = {
  slug: 'hub',
  title: 'SessionHub API',
  build: (app) =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('SessionHub API')
        .setDescription(
          [
            "SessionHub's own API v1, served by SessionHub: users, API tokens and sessions (create, validate, end, " +
              'revoke). The same sessions are served through the authentik, Prefactor and MOVENS documents.',
            '',
            'Credentials: `Authorization: Bearer <API token or session token>` (opaque tokens, not JWTs). A fresh ' +
              'install has one user, the superuser `admin`: authorize with the BOOTSTRAP_TOKEN the service first started with.',
            '',
            'Errors are HubError: {statusCode, error, message}.',
          ].join('\n'),
        )
        .setVersion('1')
        .addSecurity(BEARER_SCHEME_NAME, BEARER_SCHEME)
        .build(),
      { include: [HubModule] },
    ),
};
