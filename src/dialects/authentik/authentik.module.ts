import { Module } from '@nestjs/common';
import { AuthentikSessionsController } from './authentik.controller';

/** authentik's `/api/v3/core/authenticated_sessions/` viewset. */
@Module({ controllers: [AuthentikSessionsController] })
export class AuthentikModule {}
