import { Module } from '@nestjs/common';
import { HubEventsController, HubSessionsController, HubTokensController, HubUsersController } from './hub.controller';

@Module({ controllers: [HubUsersController, HubTokensController, HubSessionsController, HubEventsController] })
export class HubModule {}
