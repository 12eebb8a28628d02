import { Module } from '@nestjs/common';
import { HubSessionsController, HubTokensController, HubUsersController } from './hub.controller';

@Module({ controllers: [HubUsersController, HubTokensController, HubSessionsController] })
export class HubModule {}
