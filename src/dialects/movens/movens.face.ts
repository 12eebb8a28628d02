import type { FaceRegistration } from '../../faces';
import { movensDocument } from './movens.openapi';
import { MovensModule } from './movens.module';

export const movensFace: FaceRegistration = { module: MovensModule, document: movensDocument };
