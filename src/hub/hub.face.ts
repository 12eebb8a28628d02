import { HubExceptionFilter } from './hub-exception.filter';
import type { FaceRegistration } from '../faces';
import { hubDocument } from './hub.openapi';
import { HubModule } from './hub.module';

export const hubFace: FaceRegistration = {
  module: HubModule,
  document: hubDocument,
  errors: { prefixes: ['/api/hub'], filterFor: () => new HubExceptionFilter() },
};
