/**
 * Preloaded (`node -r ts-node/register/transpile-only -r ./bench/without-security-headers.ts dist/main.js`) by the
 * guard-cost bench only: the built service without its security headers, to measure what they cost. The service has
 * no setting for this on purpose; this swaps the built module's installSecurityHeaders for a no-op before
 * dist/app.factory.js calls it (compiled CommonJS reads the export at call time).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const modulePath = join(__dirname, '..', 'dist', 'ops', 'security-headers.js');
if (!existsSync(modulePath)) throw new Error(`${modulePath} is missing: build the service first (npm run build)`);
const securityHeaders = createRequire(__filename)(modulePath) as { installSecurityHeaders: (fastify: unknown) => void };
securityHeaders.installSecurityHeaders = () => undefined;
