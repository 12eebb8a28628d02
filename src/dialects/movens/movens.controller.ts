import { All, Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiExcludeController,
  ApiBearerAuth,
  ApiBody,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { CallerGuard, CurrentCaller } from '../../auth/caller.guard';
import { ClientGone } from '../../http/client-gone';
import { JSON_UTF8 } from '../../http/json-body';
import { BEARER_SCHEME_NAME } from '../../docs/bearer-auth';
import { DomainError, DomainErrorCode } from '../../sessions/domain-error';
import { Caller } from '../../sessions/session.model';
import { SessionsService } from '../../sessions/lifecycle/sessions.service';
import { MovensExceptionFilter } from './movens-exception.filter';
import { movensUserSessionJson, movensUserSessionsJson, MovensRenderedRows } from './movens-list-json';
import { MovensOperatorGuard } from './movens-operator.guard';
import { offsetOf, pagingHeaders } from './movens-paging';
import { MovensEmpty, MovensMessage, MovensUserSession, MovensUserSessionCount } from './movens.dto';
import { MOVENS_SESSION_FIELDS, toMovensUserSessionCount } from './movens.mapper';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_INDEX,
  MAX_PAGE_SIZE,
  MovensError,
  MovensMessageKey,
  MovensRevokeRequest,
  parseGuid,
  parsePaging,
  parseRevokeRequest,
} from './movens.request';

export const MOVENS_BASE = '/api/admin';
const BASE = `${MOVENS_BASE}/v1/authenticated-sessions`;

const PAGED_HEADERS = {
  'X-Total-Count': { description: 'How many items all pages hold.', schema: { type: 'integer' as const } },
  'X-Pagination': {
    description: 'JSON: {"TotalCount":..,"PageSize":..,"CurrentPage":..,"TotalPages":..}',
    schema: { type: 'string' as const },
  },
  Link: {
    description: 'RFC 8288 links to the next and previous pages, when there are any.',
    schema: { type: 'string' as const },
  },
};

function PagedQuery(): MethodDecorator {
  return (target, key, descriptor) => {
    ApiQuery({
      name: 'PageIndex',
      required: false,
      description: `1-based page number (name case-insensitive), 1 to ${MAX_PAGE_INDEX}.`,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_INDEX, default: 1 },
    })(target, key, descriptor);
    ApiQuery({
      name: 'PageSize',
      required: false,
      description: `Items per page (name case-insensitive), 1 to ${MAX_PAGE_SIZE}.`,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
    })(target, key, descriptor);
  };
}

/** A 400 body as the operation answers it; the schema's own example is one code for every operation. */
function movensMessage(code: MovensMessageKey): MovensMessage {
  return { Message: code };
}

function rawQueryOf(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at + 1);
}

@ApiTags('Core - Authenticated Sessions')
@ApiBearerAuth(BEARER_SCHEME_NAME)
@ApiUnauthorizedResponse({ description: 'Missing or bad token: empty body, `WWW-Authenticate: Bearer`.' })
@ApiForbiddenResponse({ description: 'The caller is not an operator: empty body.' })
@Controller(BASE.slice(1))
@UseGuards(CallerGuard, MovensOperatorGuard)
@UseFilters(MovensExceptionFilter)
export class MovensController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly rendered: MovensRenderedRows,
  ) {}

  @Get('list')
  @ApiOperation({
    operationId: 'AuthenticatedSessions_List',
    summary: 'Gets the list of authenticated users with active session count',
    description: 'Users who have live sessions, ordered by user name (a Paged List API).',
  })
  @PagedQuery()
  @ApiOkResponse({ type: MovensUserSessionCount, isArray: true, headers: PAGED_HEADERS })
  @ApiBadRequestResponse({
    type: MovensMessage,
    description: 'err_InvalidRequest: bad PageIndex or PageSize.',
    example: movensMessage('err_InvalidRequest'),
  })
  async list(
    @CurrentCaller() caller: Caller,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @ClientGone() clientGone: AbortSignal,
  ): Promise<MovensUserSessionCount[]> {
    const paging = parsePaging(request.query as Record<string, unknown>);
    const page = await this.sessions.usersWithLiveSessions(caller, offsetOf(paging), paging.pageSize, clientGone);
    reply.headers(pagingHeaders(`${BASE}/list`, rawQueryOf(request), paging, page.total));
    return page.items.map(toMovensUserSessionCount);
  }

  @Get('user-sessions/:guid')
  @ApiOperation({
    operationId: 'AuthenticatedSessions_UserSessions',
    summary: 'Gets list of active session for authenticated user',
    description: "The user's live sessions, newest activity first (a Paged List API). An unknown user has none.",
  })
  @ApiParam({ name: 'guid', description: 'The guid of the user', schema: { type: 'string', format: 'uuid' } })
  @PagedQuery()
  @ApiOkResponse({ type: MovensUserSession, isArray: true, headers: PAGED_HEADERS })
  @ApiBadRequestResponse({
    type: MovensMessage,
    description: 'err_InvalidGuid: malformed guid; err_InvalidRequest: bad paging.',
    examples: {
      err_InvalidGuid: { summary: 'A malformed guid', value: movensMessage('err_InvalidGuid') },
      err_InvalidRequest: { summary: 'A bad PageIndex or PageSize', value: movensMessage('err_InvalidRequest') },
    },
  })
  async userSessions(
    @CurrentCaller() caller: Caller,
    @Param('guid') guid: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const userGuid = parseGuid(guid);
    const paging = parsePaging(request.query as Record<string, unknown>);
    const page = await this.sessions.liveSessionsOfUserHeld(
      caller,
      userGuid,
      offsetOf(paging),
      paging.pageSize,
      MOVENS_SESSION_FIELDS,
      this.rendered,
    );
    reply.headers(pagingHeaders(`${BASE}/user-sessions/${userGuid}`, rawQueryOf(request), paging, page.total));
    // Rows unchanged since an earlier list are not read nor written again (movens-list-json.ts).
    reply.type(JSON_UTF8);
    return movensUserSessionsJson(page.items.map((row) => movensUserSessionJson(row, this.rendered)));
  }

  @Post('revoke')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'AuthenticatedSessions_Revoke',
    summary: 'Revoke the specified session',
    description: "Marks a specified session as revoked. Operators may revoke any user's session.",
  })
  @ApiBody({ type: MovensRevokeRequest })
  @ApiOkResponse({ type: MovensEmpty, description: 'A plain positive response: `{}`.' })
  @ApiBadRequestResponse({
    type: MovensMessage,
    description:
      'err_NoActiveSession: no live session has that ID; err_InvalidRequest: no integer Session in the body.',
    examples: {
      err_NoActiveSession: { summary: 'No live session has that ID', value: movensMessage('err_NoActiveSession') },
      err_InvalidRequest: { summary: 'No integer Session in the body', value: movensMessage('err_InvalidRequest') },
    },
  })
  async revoke(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<Record<string, never>> {
    const id = parseRevokeRequest(body);
    try {
      await this.sessions.revokeSession(caller, { id }, 'movens');
    } catch (error) {
      if (
        error instanceof DomainError &&
        (error.code === DomainErrorCode.NotFound ||
          error.code === DomainErrorCode.NotVisible ||
          error.code === DomainErrorCode.InvalidAction)
      ) {
        throw new MovensError('err_NoActiveSession');
      }
      throw error;
    }
    return {};
  }
}

/** The face's paths and their methods, so the fallback can tell a wrong method from an unknown path. */
const ROUTES: { pattern: RegExp; allow: string }[] = [
  { pattern: /^\/api\/admin\/v1\/authenticated-sessions\/list\/?$/, allow: 'GET' },
  { pattern: /^\/api\/admin\/v1\/authenticated-sessions\/user-sessions\/[^/]+\/?$/, allow: 'GET' },
  { pattern: /^\/api\/admin\/v1\/authenticated-sessions\/revoke\/?$/, allow: 'POST' },
];

/**
 * Everything else under /api/admin answers as ASP.NET Core routing does, before authentication: a wrong method on
 * a known path is 405 with `Allow` and an empty body, an unknown path 404 with an empty body.
 */
@ApiExcludeController()
@Controller('api/admin')
export class MovensFallbackController {
  @All(['', '*'])
  fallback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const path = request.url.split('?')[0];
    const route = ROUTES.find((r) => r.pattern.test(path));
    if (route) reply.status(405).header('Allow', route.allow).send();
    else reply.status(404).send();
  }
}
