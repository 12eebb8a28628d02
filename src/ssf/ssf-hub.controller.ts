import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { CallerGuard, CurrentCaller } from '../auth/caller.guard';
import { HubExceptionFilter } from '../hub/hub-exception.filter';
import { hubValidation, uuidParam } from '../hub/hub.request';
import { Caller } from '../sessions/session.model';
import { ReceiversService } from './receivers/receivers.service';
import { SsfAdminService } from './ssf-admin.service';
import { ListDeliveriesQuery, RegisterReceiverRequest, toHubDelivery, toHubReceiver, toHubStream } from './ssf-hub.dto';

/** Shared Signals administration in the hub's conventions (superusers only; errors as the hub answers them). */
@Controller('api/hub/v1/ssf')
@UseGuards(CallerGuard)
@UseFilters(HubExceptionFilter)
@UsePipes(hubValidation)
export class SsfHubController {
  constructor(
    private readonly receivers: ReceiversService,
    private readonly admin: SsfAdminService,
  ) {}

  /** A new receiver (an OAuth client); the secret is shown in this answer only. */
  @Post('receivers')
  async register(@CurrentCaller() caller: Caller, @Body() body: RegisterReceiverRequest) {
    const { receiver, clientSecret } = await this.receivers.register(caller, body);
    return { ...toHubReceiver(receiver), clientSecret };
  }

  @Get('receivers')
  async listReceivers(@CurrentCaller() caller: Caller) {
    return (await this.receivers.list(caller)).map(toHubReceiver);
  }

  /** Deletes the receiver, its tokens, its streams and their SETs. */
  @Delete('receivers/:clientId')
  @HttpCode(204)
  async removeReceiver(@CurrentCaller() caller: Caller, @Param('clientId') clientId: string): Promise<void> {
    await this.receivers.remove(caller, clientId);
  }

  @Get('streams')
  async listStreams(@CurrentCaller() caller: Caller) {
    return (await this.admin.listStreams(caller)).map(toHubStream);
  }

  /** A stream's SETs with their delivery receipts, newest first; page with `before` = the last id seen. */
  @Get('streams/:id/deliveries')
  async deliveries(
    @CurrentCaller() caller: Caller,
    @Param('id', uuidParam) id: string,
    @Query() query: ListDeliveriesQuery,
  ) {
    const limit = query.limit ?? 50;
    const items = await this.admin.deliveries(caller, id.toLowerCase(), query.before ?? null, limit);
    return { items: items.map(toHubDelivery), nextBefore: items.length === limit ? items[items.length - 1].id : null };
  }

  /** A new signing key; the previous one stays in the JWKS for SSF_KEY_OVERLAP_SECONDS. */
  @Post('keys/rotate')
  @HttpCode(200)
  async rotateKey(@CurrentCaller() caller: Caller) {
    const rotation = await this.admin.rotateKey(caller);
    return { ...rotation, previousPublishedUntil: rotation.previousPublishedUntil?.toISOString() ?? null };
  }
}
