/**
 * `npm run bench:ssf`: what Shared Signals costs, on one service (one worker, PostgreSQL), measured side by side in
 * one run.
 *
 * 1. The outbox's cost on login and revoke throughput. Each round measures every variant in turn, the order
 *    rotating: N, no stream enabled (the triggers stop after one probe of ssf_streams); P, one enabled push stream
 *    (to a loopback receiver in this process that answers 202); Q, that push stream and an enabled poll stream
 *    (drained by a long-polling client in this process that acknowledges everything); M, N again, the control (what
 *    the bench reads as a difference between two identical turns). A turn is SSF_BENCH_SECONDS of logins (hub
 *    POST /api/hub/v1/sessions, saturated), then the revokes of the sessions it created (authentik DELETE, saturated,
 *    one request per session). Before the next turn the push receiver has every SET of this one, so no delivery
 *    spills into another variant's turn. Ratios are taken within a round: throughput of P, Q and M over N.
 * 2. Revoke-to-receiver latency on loopback, the push stream alone: SSF_BENCH_LATENCY_REVOKES revokes one after the
 *    other, 25 ms apart, starting 2 s after the last turn; the start is when the revoke's answer arrived, the end when the receiver got its SET (a SET can arrive
 *    before the answer: the push starts at commit, the answer after it, so a latency can be below zero).
 *
 * Report (stdout and bench/results/ssf.md; the raw numbers in bench/results/ssf.json):
 *
 *     # Shared Signals: outbox cost and revoke-to-receiver latency
 *     Run <date>: <rounds> rounds of <s> s turns, <connections> connections, <users> users, <sessions> sessions, <cpus> CPUs.
 *     | round | variant | login req/s | revoke req/s | login p99 ms | revoke p99 ms | errors |
 *     | ratio over N (goal > 0.90) | login: median; mean ± sd (range) | revoke: median; mean ± sd (range) |
 *     | P / N | … | … |   (Q / N, and the control M / N)
 *     Revoke to receiver: <n> SETs, p50 <ms>, p90 <ms>, p99 <ms>, max <ms>.
 *
 * Settings: SSF_BENCH_ROUNDS (3), SSF_BENCH_SECONDS (10; 3 proves it works), SSF_BENCH_PORT (3921),
 * SSF_BENCH_LATENCY_REVOKES (200), and the bench's BENCH_DATABASE_URL (here
 * postgres://postgres@127.0.0.1:5432/sessionhub_ssf unless set), BENCH_USERS (2000 here), BENCH_SESSIONS (50000
 * here), BENCH_CONNECTIONS, BENCH_SKIP_BUILD, BENCH_TOKEN.
 */
// A database of its own, small, unless told otherwise: read by ./settings when it loads (the imports below).
process.env.BENCH_DATABASE_URL ||= 'postgres://postgres@127.0.0.1:5432/sessionhub_ssf';
process.env.BENCH_USERS ||= '2000';
process.env.BENCH_SESSIONS ||= '50000';

import { createServer, Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { SEED_AGENTS } from '../src/cli/seed/agents';
import { databaseNow, prepareData, removeSessionsSince, sweepAndPickFixtures } from './data';
import { stop } from './processes';
import { build, ServiceUnderTest, startService, stats } from './service-run';
import { BOOTSTRAP_TOKEN, CONNECTIONS, DATABASE_URL, log, ROOT, SESSIONS, sleep, USERS } from './settings';

const ROUNDS = Number(process.env.SSF_BENCH_ROUNDS || 3);
const SECONDS = Number(process.env.SSF_BENCH_SECONDS || 10);
const PORT = Number(process.env.SSF_BENCH_PORT || 3921);
const LATENCY_REVOKES = Number(process.env.SSF_BENCH_LATENCY_REVOKES || 200);
const EVENTS = ['session-established', 'session-revoked'].map(
  (name) => `https://schemas.openid.net/secevent/caep/event-type/${name}`,
);

type Key = 'N' | 'P' | 'Q' | 'M';
const VARIANTS: { key: Key; name: string; push: boolean; poll: boolean }[] = [
  { key: 'N', name: 'no stream', push: false, poll: false },
  { key: 'P', name: 'one push stream', push: true, poll: false },
  { key: 'Q', name: 'a push and a poll stream', push: true, poll: true },
  { key: 'M', name: 'control: no stream again', push: false, poll: false },
];

interface Turn {
  round: number;
  variant: Key;
  loginRps: number;
  revokeRps: number;
  loginP99: number;
  revokeP99: number;
  errors: number;
}

/** The loopback push receiver: answers 202 and notes when each session's revoked SET arrived. */
class Receiver {
  received = 0;
  readonly revokedAt = new Map<string, number>();
  private constructor(readonly server: Server) {}

  static async start(): Promise<Receiver> {
    const receiver: Receiver = new Receiver(
      createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const at = performance.now();
          receiver.received++;
          // Not verified: the tests do that (test/ssf-receiver.py); the bench only reads which session it is about.
          const claims = JSON.parse(
            Buffer.from(Buffer.concat(chunks).toString().split('.')[1], 'base64url').toString(),
          );
          if (claims.events[EVENTS[1]]) receiver.revokedAt.set(claims.sub_id.session.id, at);
          res.writeHead(202).end();
        });
      }),
    );
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}/events`;
  }

  /**
   * Waits until `count` SETs have arrived in all: 30 s, and 10 ms for each still to come (one stream's SETs go out one
   * at a time, 250-300 a second; a turn on a fast machine leaves 30,000 or more).
   */
  async waitFor(count: number): Promise<void> {
    const deadline = Date.now() + 30_000 + 10 * Math.max(0, count - this.received);
    while (this.received < count) {
      if (Date.now() > deadline) throw new Error(`${this.received} SETs arrived, expected ${count}`);
      await sleep(20);
    }
  }
}

async function call(base: string, method: string, path: string, body?: unknown, token = BOOTSTRAP_TOKEN) {
  const res = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A receiver registered through the hub, its token, and its two streams (left disabled). */
async function setUpStreams(base: string, pushUrl: string) {
  const receiver = await call(base, 'POST', '/api/hub/v1/ssf/receivers', { name: 'bench receiver' });
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: receiver.clientId });
  form.set('client_secret', receiver.clientSecret);
  const tokenRes = await fetch(`${base}/ssf/token`, { method: 'POST', body: form });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const stream = async (delivery: unknown) => {
    const { stream_id } = await call(base, 'POST', '/ssf/stream', { events_requested: EVENTS, delivery }, token);
    await call(base, 'POST', '/ssf/status', { stream_id, status: 'disabled' }, token);
    return stream_id as string;
  };
  const push = await stream({ method: 'urn:ietf:rfc:8935', endpoint_url: pushUrl });
  const poll = await stream({ method: 'urn:ietf:rfc:8936' });
  const status = (streamId: string, on: boolean) =>
    call(base, 'POST', '/ssf/status', { stream_id: streamId, status: on ? 'enabled' : 'disabled' }, token);
  return { clientId: receiver.clientId as string, token, push, poll, status };
}

/** Long-polls a stream and acknowledges everything until `stopped()`; answers how many SETs it got. */
async function drain(base: string, streamId: string, token: string, stopped: () => boolean): Promise<number> {
  let ack: string[] = [];
  let got = 0;
  while (!stopped() || ack.length > 0) {
    const answer = await call(base, 'POST', `/ssf/poll/${streamId}`, { ack, returnImmediately: stopped() }, token);
    ack = Object.keys(answer.sets);
    got += ack.length;
  }
  return got;
}

/** Saturated logins for SECONDS, then one revoke per session they created (as many as were created). */
async function turn(base: string, usernames: string[]) {
  let i = 0;
  const uuids: string[] = [];
  const login: autocannon.Request & { onResponse: (status: number, body: string) => void } = {
    method: 'POST',
    path: '/api/hub/v1/sessions',
    headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}`, 'content-type': 'application/json' },
    setupRequest: (request) => {
      const n = i++;
      const userAgent = SEED_AGENTS[n % SEED_AGENTS.length].ua;
      return {
        ...request,
        body: JSON.stringify({ user: usernames[n % usernames.length], ip: '81.2.69.160', userAgent }),
      };
    },
    onResponse: (status, body) => {
      if (status === 201) uuids.push((JSON.parse(body) as { uuid: string }).uuid);
    },
  };
  const logins = await autocannon({ url: base, connections: CONNECTIONS, duration: SECONDS, requests: [login] });
  let j = 0;
  const revoke: autocannon.Request = {
    method: 'DELETE',
    headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` },
    setupRequest: (request) => ({ ...request, path: `/api/v3/core/authenticated_sessions/${uuids[j++]}/` }),
  };
  const options: autocannon.Options & { amount: number } = {
    url: base,
    connections: Math.min(CONNECTIONS, uuids.length),
    amount: uuids.length,
    requests: [revoke],
  };
  const revokes = await autocannon(options);
  return { logins, revokes, sets: logins['2xx'] + revokes['2xx'] };
}

/** Revokes one after the other; each SET's arrival minus the revoke's answer, in ms. */
/** The pause between two measured revocations. */
const LATENCY_PAUSE_MS = 25;

async function latencies(base: string, receiver: Receiver, usernames: string[]): Promise<number[]> {
  const answered = new Map<string, number>();
  for (let n = 0; n < LATENCY_REVOKES; n++) {
    const user = usernames[n % usernames.length];
    const userAgent = SEED_AGENTS[n % SEED_AGENTS.length].ua;
    const { uuid } = await call(base, 'POST', '/api/hub/v1/sessions', { user, ip: '81.2.69.160', userAgent });
    await call(base, 'DELETE', `/api/v3/core/authenticated_sessions/${uuid}/`);
    answered.set(uuid, performance.now());
    // Paced, so this measures how long one revocation takes to arrive, not how fast a backlog drains.
    await sleep(LATENCY_PAUSE_MS);
  }
  const deadline = Date.now() + 60_000;
  while ([...answered.keys()].some((uuid) => !receiver.revokedAt.has(uuid)) && Date.now() < deadline) await sleep(20);
  return [...answered].map(([uuid, at]) => (receiver.revokedAt.get(uuid) ?? NaN) - at);
}

const fmt = (n: number, digits = 3) => n.toFixed(digits);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

function report(started: Date, turns: Turn[], latency: number[]): string {
  const rounds = [...new Set(turns.map((t) => t.round))];
  const of = (round: number, key: Key) => turns.find((t) => t.round === round && t.variant === key)!;
  const cell = (values: number[]) => {
    const s = stats(values);
    return `**${fmt(s.median)}**; ${fmt(s.mean)} ± ${fmt(s.sd)} (${fmt(s.min)} – ${fmt(s.max)})`;
  };
  const sorted = latency.filter((ms) => !Number.isNaN(ms)).sort((a, b) => a - b);
  return [
    '# Shared Signals: outbox cost and revoke-to-receiver latency',
    '',
    `Run ${started.toISOString()}: ${rounds.length} rounds of ${SECONDS} s turns, the variants' order rotating; ` +
      `autocannon with ${CONNECTIONS} connections; one worker, PostgreSQL (${USERS} users, ${SESSIONS} sessions); ` +
      `${cpus().length} CPUs shared by the load generator, the receivers, the service and the database. ` +
      VARIANTS.map((v) => `${v.key}: ${v.name}`).join('; ') +
      '.',
    '',
    '| round | variant | login req/s | revoke req/s | login p99 ms | revoke p99 ms | errors |',
    '|---:|---|---:|---:|---:|---:|---:|',
    ...turns.map(
      (t) =>
        `| ${t.round + 1} | ${t.variant} | ${Math.round(t.loginRps)} | ${Math.round(t.revokeRps)} | ${t.loginP99} | ` +
        `${t.revokeP99} | ${t.errors} |`,
    ),
    '',
    'Throughput over N within each round: **median**; mean ± sd (range). The goal is above 0.90 (the outbox costs ' +
      'under 10%); M / N is the noise between two identical turns.',
    '',
    '| ratio | login | revoke |',
    '|---|---|---|',
    ...(['P', 'Q', 'M'] as Key[]).map(
      (key) =>
        `| ${key} / N | ${cell(rounds.map((r) => of(r, key).loginRps / of(r, 'N').loginRps))} | ` +
        `${cell(rounds.map((r) => of(r, key).revokeRps / of(r, 'N').revokeRps))} |`,
    ),
    '',
    `Revoke to receiver (push, loopback): ${sorted.length} of ${latency.length} SETs arrived; ` +
      ['p50', 'p90', 'p99'].map((p) => `${p} ${fmt(percentile(sorted, Number(p.slice(1)) / 100), 1)} ms`).join(', ') +
      `, max ${fmt(sorted[sorted.length - 1] ?? NaN, 1)} ms.`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  log(`shared signals on ${DATABASE_URL}: ${ROUNDS} rounds of ${SECONDS} s, ${CONNECTIONS} connections`);
  await prepareData();
  const { usernames } = await sweepAndPickFixtures();
  const since = await databaseNow();
  build();
  const receiver = await Receiver.start();
  let service: ServiceUnderTest | undefined;
  try {
    service = await startService('service', PORT, { RATE_LIMITS: 'off', SSF_POLL_WAIT_SECONDS: '1' });
    const base = service.base;
    const streams = await setUpStreams(base, receiver.url);
    const turns: Turn[] = [];
    let expected = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length])) {
        await streams.status(streams.push, variant.push);
        await streams.status(streams.poll, variant.poll);
        let stopped = false;
        const polled = variant.poll ? drain(base, streams.poll, streams.token, () => stopped) : Promise.resolve(0);
        const { logins, revokes, sets } = await turn(base, usernames);
        if (variant.push) expected += sets;
        await receiver.waitFor(expected);
        stopped = true;
        const errors = [logins, revokes].reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
        const t: Turn = {
          round,
          variant: variant.key,
          loginRps: logins.requests.average,
          revokeRps: revokes.requests.average,
          loginP99: logins.latency.p99,
          revokeP99: revokes.latency.p99,
          errors,
        };
        turns.push(t);
        log(
          `round ${round + 1} ${t.variant} (${variant.name}): logins ${Math.round(t.loginRps)}/s, revokes ` +
            `${Math.round(t.revokeRps)}/s, errors ${errors}; polled ${await polled}, pushed ${receiver.received}`,
        );
      }
    }
    await streams.status(streams.push, true);
    await streams.status(streams.poll, false);
    await sleep(2000); // the deliverer idle again after the throughput turns
    const latency = await latencies(base, receiver, usernames);
    await call(base, 'DELETE', `/api/hub/v1/ssf/receivers/${streams.clientId}`);
    const text = report(started, turns, latency);
    console.log(`\n${text}`);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'ssf.md'), text);
    writeFileSync(join(ROOT, 'bench', 'results', 'ssf.json'), JSON.stringify({ started, turns, latency }, null, 2));
    log('written to bench/results/ssf.md');
  } finally {
    if (service) await stop(service.child);
    receiver.server.close();
    log(`removed the ${await removeSessionsSince(since)} sessions this run created`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
