import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, Server } from 'node:http';

/** Where Prometheus scrapes, on the service port (METRICS_PORT=0) or on a listener of its own. */
export const METRICS_PATH = '/metrics';

/** The text format's content type (prom-client's Registry.PROMETHEUS_CONTENT_TYPE). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether an Authorization header carries METRICS_TOKEN as a bearer token; without a token configured every
 * scrape is allowed. Compared as digests, in constant time.
 */
export function scrapeAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1]), digest(token));
}

/** The answer to a refused scrape. */
export const SCRAPE_REFUSED = { status: 401, headers: { 'www-authenticate': 'Bearer realm="metrics"' }, body: '' };

/**
 * A listener that serves only GET /metrics (METRICS_PORT > 0): in a single process next to the service port, or
 * in the primary of WORKERS > 1 with every worker's metrics aggregated. Resolves once it listens.
 */
export function listenForScrapes(
  port: number,
  token: string | undefined,
  metricsText: () => Promise<string>,
  onError: (error: unknown) => void,
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== METRICS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found\n');
      return;
    }
    if (!scrapeAllowed(request.headers.authorization, token)) {
      response.writeHead(SCRAPE_REFUSED.status, SCRAPE_REFUSED.headers).end();
      return;
    }
    metricsText().then(
      (text) => {
        response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        onError(error);
        response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics unavailable\n');
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
