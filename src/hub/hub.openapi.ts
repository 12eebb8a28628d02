import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
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
          'Users, API tokens and sessions: create, validate, end, revoke. Errors are {statusCode, error, message}.',
        )
        .setVersion('1')
        .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API token or a session token' })
        .build(),
      { include: [HubModule] },
    ),
};
