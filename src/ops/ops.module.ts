import { Global, Module } from '@nestjs/common';
import { RateLimits } from './rate-limits';

/** What an operator runs the service with, offered to every module: rate limits (logs, metrics and headers are
 * Fastify hooks installed in app.factory.ts). */
@Global()
@Module({ providers: [RateLimits], exports: [RateLimits] })
export class OpsModule {}
