import { AuthentikExceptionFilter } from './authentik-exception.filter';
import type { FaceRegistration } from '../../faces';
import { authentikDocument } from './authentik.openapi';
import { AuthentikModule } from './authentik.module';
import { installDrfContentType } from './drf-view';

export const authentikFace: FaceRegistration = {
  module: AuthentikModule,
  document: authentikDocument,
  installHooks: installDrfContentType,
  // Everything DRF's router serves under /api/v3/ (authentik's API), not only the sessions viewset.
  errors: { prefixes: ['/api/v3'], filterFor: () => new AuthentikExceptionFilter() },
};
