/**
 * Swagger UI plugins for /api/docs. @nestjs/swagger writes functions given in `swaggerOptions` into
 * /api/docs/swagger-ui-init.js as their source text (a script from this server, as the CSP `script-src 'self'` wants),
 * so each plugin below must be a plain `function` that uses nothing from outside its own body: no imports, no
 * module-level helpers, nothing that TypeScript compiles to a helper call (async, object rest, array spread).
 */

/** Immutable.js values as Swagger UI's selectors answer them. */
interface Immutable {
  toJS(): unknown;
}

interface SchemeObject {
  type?: string;
  scheme?: string;
}

interface Authorization {
  name: string;
  schema: SchemeObject | Immutable;
  value: unknown;
}

type Authorizations = Record<string, Authorization>;

/** The part of Swagger UI's system these plugins use. */
interface SwaggerUiSystem {
  authActions: {
    authorize(payload: Authorizations): void;
    persistAuthorizationIfNeeded(): void;
  };
  authSelectors: { authorized(): Immutable | undefined };
  specSelectors: { securityDefinitions(): Immutable | null | undefined };
}

type Action = (...args: unknown[]) => unknown;
type ActionWrapper = (original: Action, system: SwaggerUiSystem) => Action;

export interface SwaggerUiPlugin {
  statePlugins: Record<string, { wrapActions: Record<string, ActionWrapper> }>;
}

/**
 * Swagger UI's explorer (the "Select a definition" bar). Listed because giving `plugins` replaces the default list,
 * which is this plugin alone.
 */
export function DownloadUrl(system: unknown): unknown {
  const bundle = (globalThis as unknown as { SwaggerUIBundle: { plugins: { DownloadUrl(s: unknown): unknown } } })
    .SwaggerUIBundle;
  return bundle.plugins.DownloadUrl(system);
}

/**
 * One bearer authorization for every document: SessionHub's documents call their scheme `bearer`, authentik's calls
 * it `authentik`; both are `Authorization: Bearer <token>` with the same tokens. Swagger UI keeps authorizations per
 * scheme name (and, with `persistAuthorization`, stores them in localStorage under those names), so this plugin
 * treats every HTTP bearer scheme as one:
 *
 * - Authorize under one bearer scheme authorizes the same token under every bearer scheme known so far (those
 *   authorized before and those of the document on screen), before Swagger UI persists them.
 * - Logout from one bearer scheme logs out of all of them.
 * - When another document is shown, or the persisted authorizations are restored on load, the document's bearer
 *   schemes that have none get the token already authorized (and the result is persisted).
 */
export function SharedBearerAuthorization(): SwaggerUiPlugin {
  const plain = (value: unknown): unknown =>
    value && typeof (value as Immutable).toJS === 'function' ? (value as Immutable).toJS() : value;
  const isBearer = (schema: unknown): schema is SchemeObject => {
    const scheme = plain(schema) as SchemeObject | undefined;
    return !!scheme && scheme.type === 'http' && /^bearer$/i.test(scheme.scheme || '');
  };
  /** Every bearer scheme authorized now or declared by the document on screen, by name. */
  const bearerSchemes = (system: SwaggerUiSystem): Record<string, SchemeObject> => {
    const found: Record<string, SchemeObject> = {};
    const authorized = (plain(system.authSelectors.authorized()) || {}) as Authorizations;
    Object.keys(authorized).forEach((name) => {
      const schema = plain(authorized[name].schema);
      if (isBearer(schema)) found[name] = schema;
    });
    const declared = (plain(system.specSelectors.securityDefinitions()) || {}) as Record<string, SchemeObject>;
    Object.keys(declared).forEach((name) => {
      if (isBearer(declared[name])) found[name] = declared[name];
    });
    return found;
  };
  /** The authorized bearer token, if any. */
  const bearerToken = (system: SwaggerUiSystem): unknown => {
    const authorized = (plain(system.authSelectors.authorized()) || {}) as Authorizations;
    const name = Object.keys(authorized).find((n) => isBearer(authorized[n].schema) && authorized[n].value);
    return name === undefined ? undefined : authorized[name].value;
  };
  /** Authorizes the token under the bearer schemes that have none yet. */
  const fill = (system: SwaggerUiSystem): void => {
    const token = bearerToken(system);
    if (!token) return;
    const authorized = (plain(system.authSelectors.authorized()) || {}) as Authorizations;
    const schemes = bearerSchemes(system);
    const missing: Authorizations = {};
    Object.keys(schemes).forEach((name) => {
      if (!authorized[name]) missing[name] = { name, schema: schemes[name], value: token };
    });
    if (Object.keys(missing).length === 0) return;
    system.authActions.authorize(missing);
    system.authActions.persistAuthorizationIfNeeded();
  };
  const fillAfter: ActionWrapper =
    (original, system) =>
    (...args) => {
      const result = original(...args);
      fill(system);
      return result;
    };

  return {
    statePlugins: {
      auth: {
        wrapActions: {
          authorize: (original, system) => (payload) => {
            original(payload);
            const given = (payload || {}) as Authorizations;
            const bearer = Object.keys(given).find((name) => isBearer(given[name].schema) && given[name].value);
            if (bearer === undefined) return;
            const token = given[bearer].value;
            const authorized = (plain(system.authSelectors.authorized()) || {}) as Authorizations;
            const schemes = bearerSchemes(system);
            const mirrored: Authorizations = {};
            Object.keys(schemes).forEach((name) => {
              if (!given[name] && (!authorized[name] || authorized[name].value !== token))
                mirrored[name] = { name, schema: schemes[name], value: token };
            });
            if (Object.keys(mirrored).length > 0) original(mirrored);
          },
          logout: (original, system) => (names) => {
            const given = ((plain(names) || []) as string[]).slice();
            const schemes = bearerSchemes(system);
            if (given.some((name) => schemes[name]))
              Object.keys(schemes).forEach((name) => {
                if (given.indexOf(name) < 0) given.push(name);
              });
            original(given);
          },
        },
      },
      spec: { wrapActions: { updateJsonSpec: fillAfter } },
      configs: { wrapActions: { loaded: fillAfter } },
    },
  };
}
