import {
  CanActivate,
  Controller,
  Delete,
  ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { CallerGuard, CurrentCaller } from '../../auth/caller.guard';
import { ClientGone } from '../../http/client-gone';
import { SessionsService } from '../../sessions/lifecycle/sessions.service';
import { requireSuperuser } from '../../sessions/policy/access-policy';
import { Caller, Session } from '../../sessions/session.model';
import { AuthentikExceptionFilter } from './authentik-exception.filter';
import { BulkDeleteSessionResponse, AuthenticatedSession, PaginatedAuthenticatedSessionList } from './authentik.dto';
import { toAuthenticatedSession, toPagination, totalPages } from './authentik.mapper';
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

const BASE = 'api/v3/core/authenticated_sessions';

/** DRF's `Allow` header (every response of a view carries it): the methods each route of the viewset answers. */
export function allowedMethods(route: string | undefined): string | null {
  if (!route) return null;
  const rest = route.slice(route.indexOf(BASE) + BASE.length).replace(/^\/|\/$/g, '');
  if (rest === '') return 'GET, HEAD, OPTIONS';
  if (rest === 'bulk_delete') return 'DELETE, OPTIONS';
  if (rest.endsWith('/used_by')) return 'GET, HEAD, OPTIONS';
  return 'GET, DELETE, HEAD, OPTIONS';
}

/** Sets `Allow` before authentication runs, so error answers carry it too, as DRF's do. */
@Injectable()
export class AllowHeaderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const allow = allowedMethods(request.routeOptions?.url);
    if (allow) context.switchToHttp().getResponse<FastifyReply>().header('Allow', allow);
    return true;
  }
}

function methodNotAllowed(request: FastifyRequest): AuthentikHttpError {
  return new AuthentikHttpError(405, { detail: `Method "${request.method}" not allowed.` });
}

/**
 * authentik's AuthenticatedSessionViewSet: list, retrieve, destroy, used_by and bulk_delete. Revoked, ended and
 * expired sessions are not shown (authentik deletes them); destroy revokes.
 */
@Controller(BASE)
@UseGuards(AllowHeaderGuard, CallerGuard)
@UseFilters(AuthentikExceptionFilter)
export class AuthentikSessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  async list(
    @CurrentCaller() caller: Caller,
    @Query() query: RawQuery,
    @ClientGone() clientGone: AbortSignal,
  ): Promise<PaginatedAuthenticatedSessionList> {
    const { filters, order, page: requested, pageSize } = parseListRequest(query);
    const fetch = (page: number) =>
      this.sessions.listSessions(
        caller,
        {
          scope: { liveOnly: true },
          filters,
          order,
          offset: (page - 1) * pageSize,
          limit: pageSize,
        },
        'authentik',
        clientGone,
      );
    let page = requested === 'last' ? 1 : requested;
    let result = await fetch(page);
    if (requested === 'last') {
      page = totalPages(result.total, pageSize);
      if (page > 1) result = await fetch(page);
    }
    if (page > totalPages(result.total, pageSize)) throw invalidPage();
    return {
      pagination: toPagination(page, pageSize, result.total),
      results: result.items.map((session) => toAuthenticatedSession(session, caller.sessionId)),
      autocomplete: {},
    };
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
    @Param('uuid') uuid: string,
    @Query() query: RawQuery,
  ): Promise<AuthenticatedSession> {
    return toAuthenticatedSession(await this.visibleSession(caller, uuid, query), caller.sessionId);
  }

  @Delete(':uuid')
  @HttpCode(204)
  async destroy(@CurrentCaller() caller: Caller, @Param('uuid') uuid: string, @Query() query: RawQuery): Promise<void> {
    const session = await this.visibleSession(caller, uuid, query);
    await this.sessions.revokeSession(caller, { uuid: session.uuid }, 'authentik');
  }

  @Get(':uuid/used_by')
  async usedBy(@CurrentCaller() caller: Caller, @Param('uuid') uuid: string): Promise<never[]> {
    // Nothing in SessionHub references a session (no OAuth tokens or SAML sessions hang off it).
    await this.visibleSession(caller, uuid, {});
    return [];
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
   * apply to detail lookups too, so they are checked (and may answer 400) before the id is.
   */
  private async visibleSession(caller: Caller, rawUuid: string, query: RawQuery): Promise<Session> {
    const filters = parseDetailFilters(query);
    const uuid = parseUuid(rawUuid);
    if (!uuid) throw new AuthentikHttpError(404, { detail: MALFORMED_ID_DETAIL });
    return this.sessions.getLiveMatching(caller, uuid, filters, 'authentik');
  }
}
