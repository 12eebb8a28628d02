import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Options,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Authentication, CallerGuard, CurrentCaller } from '../../auth/caller.guard';
import { ClientGone } from '../../http/client-gone';
import { JSON_UTF8 } from '../../http/json-body';
import { SessionsService } from '../../sessions/lifecycle/sessions.service';
import { requireSuperuser } from '../../sessions/policy/access-policy';
import { Caller, Session } from '../../sessions/session.model';
import { AuthentikExceptionFilter } from './authentik-exception.filter';
import { authentikItemJson, authentikListJson, AuthentikRenderedRows } from './authentik-list-json';
import { BulkDeleteSessionResponse } from './authentik.dto';
import { AUTHENTIK_SESSION_FIELDS, toPagination, totalPages } from './authentik.mapper';
import {
  AuthentikHttpError,
  invalidPage,
  MALFORMED_ID_DETAIL,
  parseDetailFilters,
  parseListRequest,
  parseUserPks,
  parseUuid,
  RawQuery,
} from './authentik.request';
import { AUTHENTIK_BASE, DrfMetadata, drfMetadata, DrfNegotiationGuard, DrfPermissionGuard } from './drf-view';

function methodNotAllowed(request: FastifyRequest): AuthentikHttpError {
  return new AuthentikHttpError(405, { detail: `Method "${request.method}" not allowed.` });
}

/**
 * authentik's AuthenticatedSessionViewSet: list, retrieve, destroy, used_by and bulk_delete. Revoked, ended and
 * expired sessions are not shown (authentik deletes them); destroy revokes. The guards are DRF's checks in DRF's
 * order (drf-view.ts); a detail route reached without credentials answers 403 where authentik fails with a 500.
 */
@Controller(AUTHENTIK_BASE)
@UseGuards(DrfNegotiationGuard, CallerGuard, DrfPermissionGuard)
@Authentication({ anonymousPassesOn: true, keyAfterFirstSpace: true })
@UseFilters(AuthentikExceptionFilter)
export class AuthentikSessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly rendered: AuthentikRenderedRows,
  ) {}

  @Get()
  async list(
    @CurrentCaller() caller: Caller,
    @Query() query: RawQuery,
    @ClientGone() clientGone: AbortSignal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const { filters, order, page: requested, pageSize } = parseListRequest(query);
    const fetch = (page: number) =>
      this.sessions.listSessionsHeld(
        caller,
        {
          scope: { liveOnly: true },
          filters,
          order,
          offset: (page - 1) * pageSize,
          limit: pageSize,
        },
        'authentik',
        AUTHENTIK_SESSION_FIELDS,
        this.rendered,
        clientGone,
      );
    let page = requested === 'last' ? 1 : requested;
    let result = await fetch(page);
    if (requested === 'last') {
      page = totalPages(result.total, pageSize);
      if (page > 1) result = await fetch(page);
    }
    if (page > totalPages(result.total, pageSize)) throw invalidPage();
    // Rows unchanged since an earlier list are not read nor written again (authentik-list-json.ts).
    const items = result.items.map((row) => authentikItemJson(row, this.rendered, caller.sessionId));
    reply.type(JSON_UTF8);
    return authentikListJson(toPagination(page, pageSize, result.total), items);
  }

  @Delete('bulk_delete')
  @HttpCode(200)
  async bulkDelete(@CurrentCaller() caller: Caller, @Query() query: RawQuery): Promise<BulkDeleteSessionResponse> {
    // Permission before validation, as authentik checks it.
    requireSuperuser(caller);
    const userIds = parseUserPks(query);
    return { deleted: await this.sessions.revokeAllForUsers(caller, userIds, 'authentik') };
  }

  @Get(':uuid')
  async retrieve(
    @CurrentCaller() caller: Caller,
    @Param('uuid') rawUuid: string,
    @Query() query: RawQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const filters = parseDetailFilters(query);
    const uuid = parseUuid(rawUuid);
    if (!uuid) throw new AuthentikHttpError(404, { detail: MALFORMED_ID_DETAIL });
    // The list's kept items: an unchanged session is neither read in full nor written again (authentik-list-json.ts).
    const row = await this.sessions.getLiveMatchingHeld(
      caller,
      uuid,
      filters,
      'authentik',
      AUTHENTIK_SESSION_FIELDS,
      this.rendered,
    );
    reply.type(JSON_UTF8);
    return authentikItemJson(row, this.rendered, caller.sessionId);
  }

  @Delete(':uuid')
  @HttpCode(204)
  async destroy(@CurrentCaller() caller: Caller, @Param('uuid') uuid: string, @Query() query: RawQuery): Promise<void> {
    const session = await this.visibleSession(caller, uuid, query, true);
    await this.sessions.revokeSession(caller, { uuid: session.uuid }, 'authentik');
  }

  @Get(':uuid/used_by')
  async usedBy(@CurrentCaller() caller: Caller, @Param('uuid') uuid: string): Promise<never[]> {
    // Nothing in SessionHub references a session (no OAuth tokens or SAML sessions hang off it).
    await this.visibleSession(caller, uuid, {});
    return [];
  }

  /** DRF's metadata answer: the view's name and description, what it renders and parses. */
  @Options(['', 'bulk_delete', ':uuid', ':uuid/used_by'])
  options(@Req() request: FastifyRequest): DrfMetadata {
    return drfMetadata(request.routeOptions.url);
  }

  // Everything else is DRF's 405.
  @Get('bulk_delete')
  getNotAllowed(@Req() request: FastifyRequest): never {
    throw methodNotAllowed(request);
  }

  @Post(['', 'bulk_delete', ':uuid', ':uuid/used_by'])
  postNotAllowed(@Req() request: FastifyRequest): never {
    throw methodNotAllowed(request);
  }

  @Put(['', 'bulk_delete', ':uuid', ':uuid/used_by'])
  putNotAllowed(@Req() request: FastifyRequest): never {
    throw methodNotAllowed(request);
  }

  @Patch(['', 'bulk_delete', ':uuid', ':uuid/used_by'])
  patchNotAllowed(@Req() request: FastifyRequest): never {
    throw methodNotAllowed(request);
  }

  @Delete(['', ':uuid/used_by'])
  deleteNotAllowed(@Req() request: FastifyRequest): never {
    throw methodNotAllowed(request);
  }

  /**
   * A live session the caller may see, by a uuid in any form Python's UUID() reads. authentik's filter backends
   * apply to detail lookups too, so they are checked (and may answer 400) before the id is. `toWrite`: destroy's
   * lookup, read on the primary.
   */
  private async visibleSession(caller: Caller, rawUuid: string, query: RawQuery, toWrite = false): Promise<Session> {
    const filters = parseDetailFilters(query);
    const uuid = parseUuid(rawUuid);
    if (!uuid) throw new AuthentikHttpError(404, { detail: MALFORMED_ID_DETAIL });
    return this.sessions.getLiveMatching(caller, uuid, filters, 'authentik', toWrite);
  }
}
