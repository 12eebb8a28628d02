import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startTestApp, TestApp } from './support/test-app';
import { Http } from './support/http';
import { makeSession, makeUser, TestSession, TestUser } from './support/factories';
import { registerReceiver, TestReceiver } from './support/ssf-client';
import { authorizeReceiverClient, SSF_DOCUMENT_CASE } from './support/ssf-swagger';

/**
 * Swagger UI at /api/docs, driven in a real browser the way our users' people explore the API: pick a document in
 * "Select a definition", read its operations, Authorize with a token, "Try it out" → "Execute". It tests the UI and
 * the documents, not the database, so PGlite only. Debian's Chromium is used as installed (never downloaded);
 * without it the suite skips.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`Swagger UI browser test skipped: ${CHROMIUM} is not installed (apt-get install chromium).`);

interface DocumentCase {
  /** The name in "Select a definition" (the face's FaceDocument title, src/docs/faces.ts). */
  name: string;
  specUrl: string;
  /** The document's info.title, shown above the operations. */
  infoTitle: string;
  /** Swagger UI's Servers dropdown, when the document declares servers. */
  server: string | null;
  operations: string[];
}

const DOCUMENTS: DocumentCase[] = [
  {
    name: 'SessionHub API',
    specUrl: '/api/docs/hub.json',
    infoTitle: 'SessionHub API',
    server: null,
    operations: [
      'POST /api/hub/v1/users',
      'GET /api/hub/v1/users',
      'GET /api/hub/v1/users/{id}',
      'PATCH /api/hub/v1/users/{id}',
      'POST /api/hub/v1/users/{id}/credential-change',
      'POST /api/hub/v1/users/{id}/sessions/revoke',
      'POST /api/hub/v1/tokens',
      'GET /api/hub/v1/tokens',
      'DELETE /api/hub/v1/tokens/{identifier}',
      'POST /api/hub/v1/sessions',
      'POST /api/hub/v1/sessions/validate',
      'GET /api/hub/v1/sessions/{uuid}',
      'POST /api/hub/v1/sessions/{uuid}/end',
      'GET /api/hub/v1/sessions/{uuid}/events',
      'GET /api/hub/v1/events',
    ],
  },
  {
    name: 'authentik v3 (authenticated sessions)',
    specUrl: '/api/docs/authentik.json',
    infoTitle: 'authentik API v3 (authenticated sessions)',
    server: '/api/v3',
    operations: [
      'GET /core/authenticated_sessions/',
      'GET /core/authenticated_sessions/{uuid}/',
      'DELETE /core/authenticated_sessions/{uuid}/',
      'GET /core/authenticated_sessions/{uuid}/used_by/',
      'DELETE /core/authenticated_sessions/bulk_delete/',
    ],
  },
  {
    name: 'MOVENS Admin API: Core - Authenticated Sessions',
    specUrl: '/api/docs/movens.json',
    infoTitle: 'MOVENS Admin API: Core - Authenticated Sessions',
    server: '/api/admin',
    operations: [
      'GET /v1/authenticated-sessions/list',
      'GET /v1/authenticated-sessions/user-sessions/{guid}',
      'POST /v1/authenticated-sessions/revoke',
    ],
  },
  {
    name: 'Prefactor Admin API (sessions)',
    specUrl: '/api/docs/prefactor.json',
    infoTitle: 'Prefactor Admin API (sessions)',
    server: '/',
    operations: ['GET /api/v1/session', 'GET /api/v1/session/{session_id}', 'POST /api/v1/session/{session_id}/revoke'],
  },
  SSF_DOCUMENT_CASE,
];

const byName = (name: string) => DOCUMENTS.find((d) => d.name === name)!;

// In CI (CI=true) the suite always runs: a missing browser fails it instead of skipping it.
(haveChromium || process.env.CI === 'true' ? describe : describe.skip)('Swagger UI at /api/docs in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  let user: TestUser;
  let session: TestSession;
  let receiver: TestReceiver;
  let streamId: string;

  beforeAll(async () => {
    // Loaded only when the suite runs (it is skipped without Chromium).
    const { chromium } = await import('playwright-core');
    [t, browser] = await Promise.all([
      startTestApp('pglite'),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 }),
    ]);
    const admin = new Http(t.baseUrl, t.adminKey);
    user = await makeUser(admin, { username: 'swagger-explorer' });
    session = await makeSession(admin, user);
    receiver = await registerReceiver(admin, 'swagger receiver');
    streamId = (await receiver.ssf.createStream({})).body.stream_id;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${t.baseUrl}/api/docs`);
    await page.locator('.opblock').first().waitFor();
  });
  afterEach(async () => {
    await context?.close();
  });

  /** Runs a browser step; on failure keeps a full-page screenshot in /tmp for debugging. */
  async function withScreenshot(name: string, step: () => Promise<void>): Promise<void> {
    try {
      await step();
      expect(pageErrors).toEqual([]);
    } catch (error) {
      const path = `/tmp/swagger-ui-${name.replace(/[^A-Za-z0-9]+/g, '-')}.png`;
      await page.screenshot({ path, fullPage: true }).catch(() => undefined);
      console.error(`Swagger UI test "${name}" failed; screenshot: ${path}`);
      throw error;
    }
  }

  async function selectDocument(doc: DocumentCase): Promise<void> {
    await page.getByLabel('Select a definition').selectOption({ label: doc.name });
    // The info block names the loaded document's URL: once it shows ours, the operations are ours too.
    await page.locator('.info .url', { hasText: doc.specUrl }).waitFor();
    await page.locator('.opblock').first().waitFor();
  }

  /**
   * Reloads the page as a person would, from the plain address: without the URL hash and the selected definition,
   * Swagger UI has no operation to reopen and scroll to while the next step clicks (an element that moves is never
   * "stable" for Playwright, which failed CI under load).
   */
  async function reloadPage(): Promise<void> {
    // Playwright runs the string in the page (the tests compile without DOM types).
    await page.evaluate("history.replaceState(null, '', location.pathname)");
    await page.reload();
    await page.locator('.opblock').first().waitFor();
  }

  async function renderedOperations(): Promise<string[]> {
    return page
      .locator('.opblock-summary')
      .evaluateAll((summaries) =>
        summaries.map(
          (s) =>
            `${s.querySelector('.opblock-summary-method')!.textContent!.trim()} ${s
              .querySelector('.opblock-summary-path')!
              .getAttribute('data-path')}`,
        ),
      );
  }

  async function authorize(key: string): Promise<void> {
    await page.locator('.auth-wrapper .btn.authorize').click();
    const dialog = page.locator('.modal-ux');
    await dialog.locator('input').first().fill(key);
    await dialog.locator('.auth-btn-wrapper .btn.authorize').click();
    // Authorized: the dialog now offers Logout instead of the key field (its aria-label differs from its text).
    await dialog.locator('button', { hasText: 'Logout' }).waitFor();
    await dialog.locator('button', { hasText: /^Close$/ }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  /**
   * Opens an operation, presses "Try it out", lets `edit` change the prefilled parameters, presses "Execute"; answers
   * the rendered request URL, response code and body.
   */
  async function tryItOut(
    operation: string,
    edit: (block: Locator) => Promise<void> = () => Promise.resolve(),
  ): Promise<{ requestUrl: URL; status: string; body: string }> {
    const [method, path] = operation.split(' ');
    const block = page.locator(`.opblock-${method.toLowerCase()}`, {
      has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
    });
    // Deep linking reopens the operation last opened (its URL hash) after a reload: open it only when closed.
    if (!(await block.evaluate((el) => el.classList.contains('is-open'))))
      await block.locator('.opblock-summary').first().click();
    await block.getByRole('button', { name: 'Try it out' }).click();
    await edit(block);
    await block.getByRole('button', { name: 'Execute' }).click();
    const response = block.locator('.live-responses-table tbody .response');
    await response.waitFor();
    return {
      requestUrl: new URL((await block.locator('.request-url pre').innerText()).trim()),
      status: (await response.locator('.response-col_status').innerText()).trim(),
      body: await response.locator('.response-col_description .microlight').first().innerText(),
    };
  }

  it('should offer the five faces in "Select a definition", the hub first', async () => {
    await withScreenshot('selector', async () => {
      const options = await page
        .getByLabel('Select a definition')
        .locator('option')
        .evaluateAll((all) => all.map((o) => ({ name: o.textContent, url: o.getAttribute('value') })));
      expect(options).toEqual(DOCUMENTS.map((d) => ({ name: d.name, url: d.specUrl })));
      expect(await page.getByLabel('Select a definition').inputValue()).toBe('/api/docs/hub.json');
    });
  });

  it.each(DOCUMENTS.map((d) => [d.name, d] as const))(
    'should render every operation of "%s" without errors',
    async (_name, doc) => {
      await withScreenshot(`render ${doc.name}`, async () => {
        await selectDocument(doc);
        await expect(page.locator('.info .title').innerText()).resolves.toContain(doc.infoTitle);
        expect(await renderedOperations()).toEqual(doc.operations);
        // Swagger UI lists a document's resolver errors (bad $refs, unparseable parts) above the operations.
        expect(await page.locator('.errors-wrapper').count()).toBe(0);
        if (doc.server === null) {
          expect(await page.locator('.servers select').count()).toBe(0);
        } else {
          expect(await page.locator('.servers select').inputValue()).toBe(doc.server);
        }
        expect(await page.locator('.auth-wrapper .btn.authorize').count()).toBe(1);
      });
    },
  );

  it('should list users through the hub document: Authorize, Try it out, Execute', async () => {
    await withScreenshot('hub try it out', async () => {
      await selectDocument(byName('SessionHub API'));
      await authorize(t.adminKey);
      const result = await tryItOut('GET /api/hub/v1/users');
      expect(result.requestUrl.href).toBe(`${t.baseUrl}/api/hub/v1/users?offset=0&limit=20`);
      expect(result.status).toBe('200');
      expect(result.body).toContain('"username"');
      expect(result.body).toContain(`"${user.username}"`);
      expect(result.body).toContain('"admin"');
      // The key reached the server as the Bearer header: the curl line shows it.
      expect(await page.locator('.curl-command').first().innerText()).toContain(`Authorization: Bearer ${t.adminKey}`);
    });
  });

  it("should log in with the hub's example body as it stands: its user `admin` exists on a fresh install", async () => {
    await withScreenshot('hub example login', async () => {
      await selectDocument(byName('SessionHub API'));
      await authorize(t.adminKey);
      const result = await tryItOut('POST /api/hub/v1/sessions');
      expect(result.status).toBe('201');
      expect(result.body).toContain('"username": "admin"');
      expect(result.body).toContain('"status": "authenticated"');
    });
  });

  it("should list authenticated sessions through authentik's document: Authorize, Try it out, Execute", async () => {
    await withScreenshot('authentik try it out', async () => {
      await selectDocument(byName('authentik v3 (authenticated sessions)'));
      await authorize(t.adminKey);
      const result = await tryItOut('GET /core/authenticated_sessions/');
      expect(result.requestUrl.href).toBe(`${t.baseUrl}/api/v3/core/authenticated_sessions/`);
      expect(result.status).toBe('200');
      expect(result.body).toContain('"pagination"');
      expect(result.body).toContain(`"${session.uuid}"`);
      expect(result.body).toContain(`"user": ${user.id}`);
    });
  });

  it("should fetch one session through authentik's document, the uuid typed into the path", async () => {
    await withScreenshot('authentik retrieve', async () => {
      await selectDocument(byName('authentik v3 (authenticated sessions)'));
      await authorize(t.adminKey);
      const result = await tryItOut('GET /core/authenticated_sessions/{uuid}/', (block) =>
        block.locator('tr[data-param-name="uuid"] input').fill(session.uuid),
      );
      expect(result.requestUrl.href).toBe(`${t.baseUrl}/api/v3/core/authenticated_sessions/${session.uuid}/`);
      expect(result.status).toBe('200');
      expect(result.body).toContain(`"uuid": "${session.uuid}"`);
      expect(result.body).toContain('"last_ip": "203.0.113.7"');
    });
  });

  it("should list sessions through Prefactor's document: Authorize, Try it out, Execute", async () => {
    await withScreenshot('prefactor try it out', async () => {
      await selectDocument(byName('Prefactor Admin API (sessions)'));
      await authorize(t.adminKey);
      // pool_id and account_id carry no example, so Execute as it stands lists every session for a superuser
      // instead of filtering by the documentation's sample pool.
      const result = await tryItOut('GET /api/v1/session');
      expect(result.requestUrl.href).toBe(
        `${t.baseUrl}/api/v1/session?sorting=-last_seen&pagination%5Boffset%5D=0&pagination%5Bpage_size%5D=20`,
      );
      expect(result.status).toBe('200');
      expect(result.body).toContain('"pagination"');
      expect(result.body).toContain(`"${session.pfid}"`);
    });
  });

  /** The Authorize button shows a closed lock once the document's scheme is authorized. */
  async function expectAuthorized(): Promise<void> {
    await page.locator('.auth-wrapper .btn.authorize.locked').waitFor();
    expect(await page.locator('.auth-wrapper .btn.authorize.unlocked').count()).toBe(0);
  }

  /** One listing per document, each executed with whatever authorization the page holds. */
  const LISTINGS: { document: string; operation: string; expected: () => string }[] = [
    { document: 'SessionHub API', operation: 'GET /api/hub/v1/users', expected: () => `"${user.username}"` },
    {
      document: 'authentik v3 (authenticated sessions)',
      operation: 'GET /core/authenticated_sessions/',
      expected: () => `"${session.uuid}"`,
    },
    {
      document: 'MOVENS Admin API: Core - Authenticated Sessions',
      operation: 'GET /v1/authenticated-sessions/list',
      expected: () => `"${user.username}"`,
    },
    {
      document: 'Prefactor Admin API (sessions)',
      operation: 'GET /api/v1/session',
      expected: () => `"${session.pfid}"`,
    },
    { document: SSF_DOCUMENT_CASE.name, operation: 'GET /api/hub/v1/ssf/receivers', expected: () => receiver.clientId },
  ];

  async function executeEveryListing(): Promise<void> {
    for (const listing of LISTINGS) {
      await selectDocument(byName(listing.document));
      await expectAuthorized();
      const result = await tryItOut(listing.operation);
      expect([listing.document, result.status]).toEqual([listing.document, '200']);
      expect(result.body).toContain(listing.expected());
      expect(await page.locator('.curl-command').first().innerText()).toContain(`Authorization: Bearer ${t.adminKey}`);
    }
  }

  it('should authorize all five documents with one Authorize, and keep it across a reload', async () => {
    await withScreenshot('one authorize', async () => {
      // Authorized once, in the hub document (scheme `bearer`): authentik's document (scheme `authentik`) and the
      // others are authorized too.
      await selectDocument(byName('SessionHub API'));
      await authorize(t.adminKey);
      await executeEveryListing();
      // Swagger UI persisted the authorization (localStorage): after a reload nobody presses Authorize again.
      await reloadPage();
      await executeEveryListing();
    });
  });

  it('should log out of all five documents with one Logout', async () => {
    await withScreenshot('one logout', async () => {
      await selectDocument(byName('SessionHub API'));
      await authorize(t.adminKey);
      // Logout in authentik's document ends the authorization of the hub's too, also after a reload.
      await selectDocument(byName('authentik v3 (authenticated sessions)'));
      await expectAuthorized();
      await page.locator('.auth-wrapper .btn.authorize').click();
      const dialog = page.locator('.modal-ux');
      await dialog.locator('button', { hasText: 'Logout' }).click();
      await dialog.locator('button', { hasText: /^Close$/ }).click();
      await dialog.waitFor({ state: 'detached' });
      await reloadPage();
      for (const listing of LISTINGS) {
        await selectDocument(byName(listing.document));
        await page.locator('.auth-wrapper .btn.authorize.unlocked').waitFor();
      }
      await selectDocument(byName('Prefactor Admin API (sessions)'));
      const result = await tryItOut('GET /api/v1/session');
      expect(result.status).toBe('401');
    });
  });

  it("should list users with sessions through MOVENS' document: Authorize, Try it out, Execute", async () => {
    await withScreenshot('movens try it out', async () => {
      await selectDocument(byName('MOVENS Admin API: Core - Authenticated Sessions'));
      await authorize(t.adminKey);
      const result = await tryItOut('GET /v1/authenticated-sessions/list');
      expect(result.requestUrl.href).toBe(
        `${t.baseUrl}/api/admin/v1/authenticated-sessions/list?PageIndex=1&PageSize=20`,
      );
      expect(result.status).toBe('200');
      expect(result.body).toContain(`"${user.username}"`);
    });
  });
  it("should get a receiver token through the SSF document's client credentials, and keep it across a reload", async () => {
    await withScreenshot('ssf client credentials', async () => {
      await selectDocument(SSF_DOCUMENT_CASE);
      await authorizeReceiverClient(page, receiver);
      for (const reloaded of [false, true]) {
        if (reloaded) await reloadPage().then(() => selectDocument(SSF_DOCUMENT_CASE));
        const result = await tryItOut('GET /ssf/stream');
        expect([reloaded, result.status]).toEqual([reloaded, '200']);
        expect(result.body).toContain(`"stream_id": "${streamId}"`);
        expect(await page.locator('.curl-command').first().innerText()).toMatch(/Authorization: Bearer ssft_/);
      }
    });
  });
});
