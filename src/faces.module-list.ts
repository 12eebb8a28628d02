import { HubModule } from './hub/hub.module';
import { AuthentikModule } from './dialects/authentik/authentik.module';
import { MovensModule } from './dialects/movens/movens.module';
import { PrefactorModule } from './dialects/prefactor/prefactor.module';

/** The HTTP faces: SessionHub's own API and each vendor's. */
export const FACE_MODULES = [HubModule, AuthentikModule, MovensModule, PrefactorModule];
