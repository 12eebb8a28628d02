/**
 * What Django REST framework does around every call of authentik's viewset before a handler runs, in DRF's order
 * (`APIView.initial`, then the handler lookup): the `Allow` header, content negotiation, authentication (the
 * CallerGuard), `ObjectPermissions.has_permission`, and only then the method (405). Plus the viewset's metadata for
 * OPTIONS and the bare `application/json` content type of drf-orjson-renderer.
 */
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, DomainErrorCode } from '../../sessions/domain-error';
import { Caller } from '../../sessions/session.model';
import { AuthentikHttpError, lastValue, RawQuery } from './authentik.request';

export const AUTHENTIK_BASE = 'api/v3/core/authenticated_sessions';

/** One route of the viewset as DRF describes it. */
interface DrfRoute {
  /** The methods the route answers (DRF's `Allow` header, on every answer of the view). */
  allow: string;
  /** `get_view_name()`: the class name spaced out plus the route's suffix, or an extra action's pretty name. */
  name: string;
  /** `get_view_description()`: the viewset's docstring, or the extra action's. */
  description: string;
  /** A route with the lookup field in its URL: `ObjectPermissions.has_permission` lets every caller through. */
  detail: boolean;
}

const VIEWSET_DOCSTRING = 'AuthenticatedSession Viewset';
const ROUTES: Record<'list' | 'bulkDelete' | 'instance' | 'usedBy', DrfRoute> = {
  list: {
    allow: 'GET, HEAD, OPTIONS',
    name: 'Authenticated Session List',
    description: VIEWSET_DOCSTRING,
    detail: false,
  },
  bulkDelete: {
    allow: 'DELETE, OPTIONS',
    name: 'Bulk delete',
    description: 'Bulk revoke all sessions for multiple users',
    detail: false,
  },
  instance: {
    allow: 'GET, DELETE, HEAD, OPTIONS',
    name: 'Authenticated Session Instance',
    description: VIEWSET_DOCSTRING,
    detail: true,
  },
  usedBy: {
    allow: 'GET, HEAD, OPTIONS',
    name: 'Used by',
    description: 'Get a list of all objects that use this object',
    detail: true,
  },
};

/** The viewset route a Fastify route template belongs to; null outside the viewset. */
export function drfRouteOf(template: string | undefined): DrfRoute | null {
  if (!template || !template.includes(AUTHENTIK_BASE)) return null;
  const rest = template.slice(template.indexOf(AUTHENTIK_BASE) + AUTHENTIK_BASE.length).replace(/^\/|\/$/g, '');
  if (rest === '') return ROUTES.list;
  if (rest === 'bulk_delete') return ROUTES.bulkDelete;
  if (rest.endsWith('/used_by')) return ROUTES.usedBy;
  return ROUTES.instance;
}

/** DRF's SimpleMetadata for OPTIONS; no `actions`, since no route of the viewset takes POST or PUT. */
export interface DrfMetadata {
  name: string;
  description: string;
  renders: string[];
  parses: string[];
}

export function drfMetadata(template: string | undefined): DrfMetadata {
  const route = drfRouteOf(template) ?? ROUTES.list;
  return { name: route.name, description: route.description, renders: [JSON_TYPE], parses: [JSON_TYPE] };
}

const JSON_TYPE = 'application/json';

/**
 * Whether one entry of an Accept header admits `application/json`, as DRF's `_MediaType.match` decides: the type
 * and subtype (lower-cased) each equal ours or `*`; parameters, `q` included, are not weighed.
 */
function admitsJson(entry: string): boolean {
  const fullType = entry.split(';')[0].trim().toLowerCase();
  const slash = fullType.indexOf('/');
  const [main, sub] = slash < 0 ? [fullType, ''] : [fullType.slice(0, slash), fullType.slice(slash + 1)];
  return (main === '*' || main === 'application') && (sub === '*' || sub === 'json');
}

/**
 * DRF's DefaultContentNegotiation with one renderer (JSON): `?format=` other than `json` is 404 (no renderer has
 * that format), an Accept header none of whose entries admits JSON is 406. A missing header means any type.
 */
export function negotiate(query: RawQuery, accept: string | undefined): void {
  const format = lastValue(query.format);
  if (format && format !== 'json') throw new AuthentikHttpError(404, { detail: 'Not found.' });
  if (accept !== undefined && !accept.split(',').some(admitsJson))
    throw new AuthentikHttpError(406, { detail: 'Could not satisfy the request Accept header.' });
}

/** Runs before authentication, as `APIView.initial` does: `Allow` on every answer, then content negotiation. */
@Injectable()
export class DrfNegotiationGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const route = drfRouteOf(request.routeOptions?.url);
    if (route) context.switchToHttp().getResponse<FastifyReply>().header('Allow', route.allow);
    negotiate(request.query as RawQuery, request.headers.accept);
    return true;
  }
}

/** Methods DjangoModelPermissions asks no model permission for. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * authentik's `ObjectPermissions.has_permission`, after authentication and before the method is looked up: detail
 * routes let every caller through (the object filter decides later); the others need an authenticated caller, and
 * for an unsafe method the model permission, which only superusers hold. So a plain user's POST on the list is 403,
 * a superuser's 405, and an anonymous PUT on a session 405.
 */
@Injectable()
export class DrfPermissionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest & { caller?: Caller }>();
    if (drfRouteOf(request.routeOptions?.url)?.detail) return true;
    const caller = request.caller;
    if (!caller)
      throw new DomainError(DomainErrorCode.NotAuthenticated, 'Authentication credentials were not provided.');
    if (!SAFE_METHODS.has(request.method) && !caller.isSuperuser)
      throw new DomainError(DomainErrorCode.NotPermitted, 'Superusers only.');
    return true;
  }
}

/** drf-orjson-renderer's content type is `application/json`, without the charset Fastify adds to JSON. */
export function installDrfContentType(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (drfRouteOf(request.routeOptions?.url) && String(reply.getHeader('content-type')).startsWith(JSON_TYPE))
      reply.header('content-type', JSON_TYPE);
    done(null, payload);
  });
}
