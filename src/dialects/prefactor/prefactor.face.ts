import { PrefactorExceptionFilter } from './prefactor-exception.filter';
import type { FaceRegistration } from '../../faces';
import { prefactorDocument } from './prefactor.openapi';
import { PrefactorModule } from './prefactor.module';

export const prefactorFace: FaceRegistration = {
  module: PrefactorModule,
  document: prefactorDocument,
  errors: { prefixes: ['/api/v1'], filterFor: () => new PrefactorExceptionFilter() },
};
