import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { contractPath, contractText } from '../src/docs/openapi-contract';
import { DOCS_PATH } from '../src/docs/swagger';
import { FACES } from '../src/faces';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The committed API contracts (openapi/*.json) are what the service serves: a change to any face's API shows up in
 * review as a change to its committed document. The documents do not depend on the database, so PGlite only.
 */
describe('committed OpenAPI documents', () => {
  let t: TestApp;
  let servedDir: string;

  beforeAll(async () => {
    t = await startTestApp('pglite');
    servedDir = mkdtempSync(join(tmpdir(), 'sessionhub-openapi-'));
  });
  afterAll(() => t?.close());

  it.each(FACES.map(({ document }) => document.slug))('should serve %s.json exactly as committed', async (slug) => {
    const response = await fetch(`${t.baseUrl}/${DOCS_PATH}/${slug}.json`);
    expect(response.status).toBe(200);
    const served = contractText(await response.json());
    const committedPath = contractPath(slug);
    let committed: string | null = null;
    try {
      committed = readFileSync(committedPath, 'utf8');
    } catch {
      // reported below
    }
    if (served === committed) return;
    const servedPath = join(servedDir, `${slug}.json`);
    writeFileSync(servedPath, served);
    const shown = relative(process.cwd(), committedPath);
    throw new Error(
      committed === null
        ? `${shown} is missing. Run \`npm run openapi\` and commit openapi/.`
        : [
            `The served /${DOCS_PATH}/${slug}.json differs from the committed ${shown}.`,
            'If the API change is intended, run `npm run openapi` and commit the updated openapi/ files.',
            `Served document: ${servedPath}`,
            `See the difference: diff -u ${shown} ${servedPath}`,
            firstDifference(committed, served),
          ].join('\n'),
    );
  });
});

/** The first line that differs, with its line number, so the failure says where without running diff. */
function firstDifference(committed: string, served: string): string {
  const a = committed.split('\n');
  const b = served.split('\n');
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line++;
  return `First difference at line ${line + 1}:\n- ${a[line] ?? '(end of file)'}\n+ ${b[line] ?? '(end of file)'}`;
}
