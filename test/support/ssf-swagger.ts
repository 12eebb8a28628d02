import type { Page } from 'playwright-core';
import { TestReceiver } from './ssf-client';

/** The Shared Signals document as Swagger UI shows it (test/swagger-ui.e2e-spec.ts checks it like the others). */
export const SSF_DOCUMENT_CASE = {
  name: 'Shared Signals (SSF)',
  specUrl: '/api/docs/ssf.json',
  infoTitle: 'SessionHub Shared Signals (SSF 1.0, CAEP, RISC)',
  server: '/',
  operations: [
    'GET /.well-known/ssf-configuration',
    'GET /.well-known/risc-configuration',
    'GET /.well-known/oauth-authorization-server',
    'GET /ssf/jwks',
    'POST /ssf/token',
    'POST /ssf/stream',
    'GET /ssf/stream',
    'PATCH /ssf/stream',
    'PUT /ssf/stream',
    'DELETE /ssf/stream',
    'GET /ssf/status',
    'POST /ssf/status',
    'POST /ssf/subjects/add',
    'POST /ssf/subjects/remove',
    'POST /ssf/verify',
    'POST /ssf/poll/{streamId}',
    'POST /api/hub/v1/ssf/receivers',
    'GET /api/hub/v1/ssf/receivers',
    'DELETE /api/hub/v1/ssf/receivers/{clientId}',
    'GET /api/hub/v1/ssf/streams',
    'GET /api/hub/v1/ssf/streams/{id}/deliveries',
    'POST /api/hub/v1/ssf/keys/rotate',
  ],
};

/**
 * Authorize → the `ssf_receiver` scheme (OAuth 2 client credentials): the receiver's client id and secret and both
 * scopes; Swagger UI then fetches a token from /ssf/token itself. Waits until the scheme shows Logout.
 */
export async function authorizeReceiverClient(page: Page, receiver: TestReceiver): Promise<void> {
  await page.locator('.auth-wrapper .btn.authorize').click();
  const scheme = page.locator('.modal-ux .auth-container', { hasText: 'ssf_receiver' });
  await scheme.locator('[data-name="clientId"]').fill(receiver.clientId);
  await scheme.locator('[data-name="clientSecret"]').fill(receiver.clientSecret);
  for (const scope of ['ssf.manage', 'ssf.read']) await scheme.locator(`label[for^="${scope}-"]`).click();
  await scheme.locator('.btn.authorize').click();
  await scheme.locator('button', { hasText: 'Logout' }).waitFor();
  await page
    .locator('.modal-ux button', { hasText: /^Close$/ })
    .first()
    .click();
  await page.locator('.modal-ux').waitFor({ state: 'detached' });
}
