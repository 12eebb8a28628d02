import type { FaceRegistration } from '../../faces';
import { authentikDocument } from './authentik.openapi';
import { AuthentikModule } from './authentik.module';

export const authentikFace: FaceRegistration = { module: AuthentikModule, document: authentikDocument };
