/**
 * The ceiling: the machine's HTTP limit for one endpoint's shape. A bare node:http server that reads each request
 * whole and answers it with one constant body (the service's own answer to that endpoint, so the bytes on the wire
 * match) and no other work: no database, no parsing, no mapping. The service's throughput is reported as a fraction
 * of it.
 *
 *   CEILING_BODY=<base64> CEILING_STATUS=200 PORT=3902 [WORKERS=N] node bench/ceiling-server.ts
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';

const body = Buffer.from(process.env.CEILING_BODY ?? '', 'base64');
const status = Number(process.env.CEILING_STATUS ?? 200);
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) };

const workers = Number(process.env.WORKERS ?? 1);
if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(status, headers).end(body));
  }).listen(Number(process.env.PORT ?? 3902), '127.0.0.1');
}
