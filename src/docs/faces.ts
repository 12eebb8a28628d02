import { authentikDocument } from '../dialects/authentik/authentik.openapi';
import { movensDocument } from '../dialects/movens/movens.openapi';
import { prefactorDocument } from '../dialects/prefactor/prefactor.openapi';
import { hubDocument } from '../hub/hub.openapi';
import { FaceDocument } from './face-document';

/** Every face's document, in the order Swagger UI's selector shows them. Faces add themselves here. */
export const FACE_DOCUMENTS: FaceDocument[] = [hubDocument, authentikDocument, movensDocument, prefactorDocument];
