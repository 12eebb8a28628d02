import { join } from 'node:path';

/**
 * The committed API contracts: each face's document as served at /api/docs/{slug}.json, written to
 * openapi/{slug}.json by `npm run openapi` (scripts/write-openapi.ts) and compared by test/openapi-contract.e2e-spec.ts.
 */
export const OPENAPI_DIR = join(__dirname, '..', '..', 'openapi');

export function contractPath(slug: string): string {
  return join(OPENAPI_DIR, `${slug}.json`);
}

/** Object keys sorted at every depth (arrays keep their order), so a contract's text changes only with its content. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/** A document as committed: sorted keys, 2-space indent, trailing newline. */
export function contractText(document: unknown): string {
  return `${JSON.stringify(sortedKeys(document), null, 2)}\n`;
}
