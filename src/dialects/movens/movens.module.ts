import { Module } from '@nestjs/common';
import { MovensOperatorGuard } from './movens-operator.guard';
import { MovensController, MovensFallbackController } from './movens.controller';

@Module({ controllers: [MovensController, MovensFallbackController], providers: [MovensOperatorGuard] })
export class MovensModule {}
