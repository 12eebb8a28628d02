import { Module } from '@nestjs/common';
import { MovensRenderedRows } from './movens-list-json';
import { MovensOperatorGuard } from './movens-operator.guard';
import { MovensController, MovensFallbackController } from './movens.controller';

@Module({
  controllers: [MovensController, MovensFallbackController],
  providers: [MovensOperatorGuard, MovensRenderedRows],
})
export class MovensModule {}
