import { PushOutcome } from './outbox.store';

/** The most of a receiver's answer read and kept (its error description); the rest is not read. */
const MAX_ANSWER_BYTES = 4096;

export interface PushPolicy {
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxSeconds: number;
}

/** Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, (at - now) / 1000);
}

/** Exponential backoff after the `attempt`-th failed push (1 for the first): base, 2×base, 4×base, ... up to the cap. */
export function backoffSeconds(attempt: number, policy: PushPolicy): number {
  return Math.min((policy.retryBaseMs * 2 ** Math.min(attempt - 1, 30)) / 1000, policy.retryMaxSeconds);
}

async function readAnswer(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early cancels the rest of the body.
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= MAX_ANSWER_BYTES) break;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES);
}

/** A receiver's 400 body (RFC 8935 §2.3: `{err, description}`) as the receipt records it. */
function describeRejection(text: string): string {
  try {
    const body = JSON.parse(text) as { err?: unknown; description?: unknown };
    if (typeof body.err === 'string')
      return typeof body.description === 'string' ? `${body.err}: ${body.description}` : body.err;
  } catch {
    // not JSON: kept as text
  }
  return text.trim() || 'HTTP 400 without a body';
}

/**
 * One push (RFC 8935 §2): POST of the SET as application/secevent+jwt. Any 2xx is delivered (202 is the standard's);
 * a 400 is the receiver refusing this SET, never retried; anything else, including no answer, is retried later
 * (Retry-After when the receiver says when, else the backoff). Redirects are not followed.
 */
export async function pushSet(
  url: string,
  authorization: string | null,
  set: string,
  attempt: number,
  policy: PushPolicy,
): Promise<PushOutcome> {
  const backoff = backoffSeconds(attempt, policy);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/secevent+jwt',
        accept: 'application/json',
        ...(authorization ? { authorization } : {}),
      },
      body: set,
      redirect: 'manual',
      signal: AbortSignal.timeout(policy.timeoutMs),
    });
    const answer = await readAnswer(response);
    const status = response.status;
    if (status >= 200 && status < 300) return { kind: 'delivered', status };
    if (status === 400) return { kind: 'rejected', status, error: describeRejection(answer) };
    const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
    return {
      kind: 'retry',
      status,
      error: `HTTP ${status}${answer.trim() ? `: ${answer.trim().slice(0, 200)}` : ''}`,
      delaySeconds: retryAfter === null ? backoff : Math.min(retryAfter, 3600),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    return { kind: 'retry', status: null, error: `no answer: ${reason}`, delaySeconds: backoff };
  }
}
