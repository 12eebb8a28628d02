import { MovensExceptionFilter } from './movens-exception.filter';
import type { FaceRegistration } from '../../faces';
import { movensDocument } from './movens.openapi';
import { MovensModule } from './movens.module';

export const movensFace: FaceRegistration = {
  module: MovensModule,
  document: movensDocument,
  errors: { prefixes: ['/api/admin'], filterFor: () => new MovensExceptionFilter() },
};
