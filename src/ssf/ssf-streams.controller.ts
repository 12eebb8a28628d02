import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ClientGone } from '../http/client-gone';
import { PollAnswer, PollService } from './delivery/poll.service';
import { BaseUrl } from './http/base-url';
import { CurrentReceiver, NeedsScope, ReceiverGuard } from './http/receiver.guard';
import { onlyFields, streamIdOf } from './http/ssf-input';
import { SsfExceptionFilter } from './http/ssf-exception.filter';
import { AuthenticatedReceiver } from './receivers/receivers.service';
import { SSF_PATHS } from './ssf-discovery.controller';
import { SCOPES } from './ssf-events';
import { toStreamConfiguration, toStreamStatus } from './streams/stream.mapper';
import { StreamsService } from './streams/streams.service';
import { Stream } from './tables/ssf-streams.table';

type Json = Record<string, unknown>;

/** `?stream_id=` and nothing else; absent where the route allows listing. */
function streamIdQuery(query: Record<string, unknown>, required: boolean): string | null {
  onlyFields(query, ['stream_id'], 'the query');
  if (query.stream_id === undefined && !required) return null;
  return streamIdOf(query.stream_id);
}

/**
 * SSF's stream management (§8) for a receiver with a bearer token from the token endpoint: ssf.read reads and
 * polls, ssf.manage also changes. Answers and errors are SSF's (`{err, description}`).
 */
@Controller()
@UseGuards(ReceiverGuard)
@UseFilters(SsfExceptionFilter)
export class SsfStreamsController {
  constructor(
    private readonly streams: StreamsService,
    private readonly polls: PollService,
  ) {}

  private show(stream: Stream, base: string): Json {
    return toStreamConfiguration(stream, this.streams.issuerOf(stream), base);
  }

  @Post(SSF_PATHS.configuration)
  @NeedsScope(SCOPES.manage)
  async create(
    @CurrentReceiver() auth: AuthenticatedReceiver,
    @Body() body: unknown,
    @BaseUrl() base: string,
  ): Promise<Json> {
    return this.show(await this.streams.create(auth, body, base), base);
  }

  /** One stream with ?stream_id=, else every stream of the receiver. */
  @Get(SSF_PATHS.configuration)
  @NeedsScope(SCOPES.read)
  async read(
    @CurrentReceiver() auth: AuthenticatedReceiver,
    @Query() query: Json,
    @BaseUrl() base: string,
  ): Promise<Json | Json[]> {
    const streamId = streamIdQuery(query, false);
    if (streamId) return this.show(await this.streams.get(auth, streamId), base);
    return (await this.streams.list(auth)).map((stream) => this.show(stream, base));
  }

  @Patch(SSF_PATHS.configuration)
  @NeedsScope(SCOPES.manage)
  async update(
    @CurrentReceiver() auth: AuthenticatedReceiver,
    @Body() body: unknown,
    @BaseUrl() base: string,
  ): Promise<Json> {
    return this.show(await this.streams.update(auth, body, 'update'), base);
  }

  @Put(SSF_PATHS.configuration)
  @NeedsScope(SCOPES.manage)
  async replace(
    @CurrentReceiver() auth: AuthenticatedReceiver,
    @Body() body: unknown,
    @BaseUrl() base: string,
  ): Promise<Json> {
    return this.show(await this.streams.update(auth, body, 'replace'), base);
  }

  @Delete(SSF_PATHS.configuration)
  @HttpCode(204)
  @NeedsScope(SCOPES.manage)
  async delete(@CurrentReceiver() auth: AuthenticatedReceiver, @Query() query: Json): Promise<void> {
    await this.streams.delete(auth, streamIdQuery(query, true)!);
  }

  @Get(SSF_PATHS.status)
  @NeedsScope(SCOPES.read)
  async status(@CurrentReceiver() auth: AuthenticatedReceiver, @Query() query: Json): Promise<Json> {
    return toStreamStatus(await this.streams.get(auth, streamIdQuery(query, true)!));
  }

  @Post(SSF_PATHS.status)
  @HttpCode(200)
  @NeedsScope(SCOPES.manage)
  async updateStatus(@CurrentReceiver() auth: AuthenticatedReceiver, @Body() body: unknown): Promise<Json> {
    return toStreamStatus(await this.streams.updateStatus(auth, body));
  }

  @Post(SSF_PATHS.addSubject)
  @HttpCode(200)
  @NeedsScope(SCOPES.manage)
  async addSubject(@CurrentReceiver() auth: AuthenticatedReceiver, @Body() body: unknown): Promise<void> {
    await this.streams.changeSubject(auth, body, true);
  }

  @Post(SSF_PATHS.removeSubject)
  @HttpCode(204)
  @NeedsScope(SCOPES.manage)
  async removeSubject(@CurrentReceiver() auth: AuthenticatedReceiver, @Body() body: unknown): Promise<void> {
    await this.streams.changeSubject(auth, body, false);
  }

  @Post(SSF_PATHS.verification)
  @HttpCode(204)
  @NeedsScope(SCOPES.read)
  async verify(@CurrentReceiver() auth: AuthenticatedReceiver, @Body() body: unknown): Promise<void> {
    await this.streams.verify(auth, body);
  }

  /** The poll endpoint a poll stream's configuration names (RFC 8936). */
  @Post(`${SSF_PATHS.poll}/:streamId`)
  @HttpCode(200)
  @NeedsScope(SCOPES.read)
  poll(
    @CurrentReceiver() auth: AuthenticatedReceiver,
    @Param('streamId') streamId: string,
    @Body() body: unknown,
    @ClientGone() clientGone: AbortSignal,
  ): Promise<PollAnswer> {
    return this.polls.poll(auth, streamIdOf(streamId), body, clientGone);
  }
}
