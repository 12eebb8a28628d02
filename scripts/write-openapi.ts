/**
 * Writes the committed API contracts: boots the whole service on an in-memory PGlite, takes each face's OpenAPI
 * document exactly as served at /api/docs/{slug}.json, and writes it to openapi/{slug}.json (sorted keys, 2-space
 * indent, trailing newline). Run `npm run openapi` after changing a face's API and commit the result;
 * test/openapi-contract.e2e-spec.ts fails while the served documents differ from the committed ones.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { contractPath, contractText, OPENAPI_DIR } from '../src/docs/openapi-contract';
import { DOCS_PATH } from '../src/docs/swagger';
import { FACES } from '../src/faces';

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const app = await createApp({ config: loadConfig({ LOG_LEVEL: 'error' }), dataDir: null }, true);
  try {
    mkdirSync(OPENAPI_DIR, { recursive: true });
    for (const { document: face } of FACES) {
      const response = await app.inject({ method: 'GET', url: `/${DOCS_PATH}/${face.slug}.json` });
      if (response.statusCode !== 200)
        throw new Error(`/${DOCS_PATH}/${face.slug}.json answered ${response.statusCode}`);
      const path = contractPath(face.slug);
      const text = contractText(JSON.parse(response.body));
      const changed = readOrNull(path) !== text;
      if (changed) writeFileSync(path, text);
      console.log(`${changed ? 'wrote    ' : 'unchanged'} ${relative(process.cwd(), path)}`);
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
