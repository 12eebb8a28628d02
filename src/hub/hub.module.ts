import { Module } from '@nestjs/common';
import { HubSessionsController, HubTokensController, HubUsersController } from './hub.controllers';

@Module({ controllers: [HubUsersController, HubTokensController, HubSessionsController] })
export class HubModule {}
