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
          'Users, API tokens and sessions: create, validate, end, revoke. Errors are HubError: {statusCode, error, message}.',
        )
        .setVersion('1')
        .addSecurity(BEARER_SCHEME_NAME, BEARER_SCHEME)
        .build(),
      { include: [HubModule] },
    ),
};
