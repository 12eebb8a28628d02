import { Global, Module } from '@nestjs/common';
import { CallerGuard } from './caller.guard';

@Global()
@Module({ providers: [CallerGuard], exports: [CallerGuard] })
export class AuthModule {}
