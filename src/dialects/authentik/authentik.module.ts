import { Module } from '@nestjs/common';
import { AuthentikRenderedRows } from './authentik-list-json';
import { AuthentikSessionsController } from './authentik.controller';

/** authentik's `/api/v3/core/authenticated_sessions/` viewset. */
@Module({ controllers: [AuthentikSessionsController], providers: [AuthentikRenderedRows] })
export class AuthentikModule {}
