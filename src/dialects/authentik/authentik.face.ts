import type { FaceRegistration } from '../../faces';
import { authentikDocument } from './authentik.openapi';
import { AuthentikModule } from './authentik.module';
import { installDrfContentType } from './drf-view';

export const authentikFace: FaceRegistration = {
  module: AuthentikModule,
  document: authentikDocument,
  installHooks: installDrfContentType,
};
