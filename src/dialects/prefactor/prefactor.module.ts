import { Module } from '@nestjs/common';
import { PrefactorRenderedRows } from './prefactor-list-json';
import { PrefactorFallbackController, PrefactorSessionsController } from './prefactor.controller';

// The fallback comes last so it is clearly the catch-all; Fastify would prefer the specific routes anyway.
@Module({ controllers: [PrefactorSessionsController, PrefactorFallbackController], providers: [PrefactorRenderedRows] })
export class PrefactorModule {}
