import { HubModule } from './hub/hub.module';

/** The HTTP faces: SessionHub's own API and each vendor's. */
export const FACE_MODULES = [HubModule];
