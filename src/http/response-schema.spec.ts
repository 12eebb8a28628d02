import 'reflect-metadata';
import fastify from 'fastify';
import { FASTIFY_ROUTE_SCHEMA_METADATA } from '@nestjs/platform-fastify/constants';
import { AuthentikSessionsController } from '../dialects/authentik/authentik.controller';
import { toAuthenticatedSession, toPagination } from '../dialects/authentik/authentik.mapper';
import { Session } from '../sessions/session.model';
import { sessionFixture } from '../../test/support/session-fixture';
import { WireSchema, wireSchema } from './response-schema';

// Strings JSON.stringify escapes (quotes, backslashes, control characters, a lone surrogate), long ones (the
// serialiser takes other paths from 42 characters on) and characters outside ASCII.
const AWKWARD = [
  '"quoted" \\ back',
  'tab\there\nline\u0000',
  'lone \ud800 surrogate',
  'Zürich 東京 🚀',
  'x'.repeat(300),
];

function session(i: number, overrides: Partial<Session> = {}): Session {
  const text = AWKWARD[i % AWKWARD.length];
  const at = new Date(Date.UTC(2026, 10, 22, 9, 30, 5, i * 7));
  return sessionFixture({
    id: 1000 + i,
    uuid: `6f1c1f5e-5a43-4d8e-9d0b-1b6f3c3d2a${String(10 + i).padStart(2, '0')}`,
    pfid: `013xrzp12g3nqk8nkv4y96wrbzje9d${String(10 + i).padStart(2, '0')}`,
    userId: 3 + i,
    userUuid: '83BDE819-EC08-4CEE-B635-884145630D0B',
    username: `user ${text}`,
    userIsOperator: i % 2 === 0,
    status: i % 3 === 0 ? 'revoked' : 'authenticated',
    sessionType: i % 2 === 0 ? 'browser' : 'api',
    accountId: '013xrzp12g3nqk8n6cyr5x0k8yb10h59',
    domainId: '013xrzp12g3nqk8n32sd3jyxq5a8ywe2',
    poolId: '013xrzp12g3nqk8ng09nmc8kwqzfafa2',
    identityId: '013xrzp12g3nqk8n3f5qv5e2r757shwd',
    deviceId: '013xrzp12g3nqk8ncwfp3ra29yjzx1gs',
    title: text,
    createdAt: at,
    firstSeen: { at, ip: i % 2 === 0 ? '203.0.113.7' : '', userAgent: text },
    lastSeen: { at: new Date(at.getTime() + 1500), ip: '2001:db8::1', userAgent: `Agent ${text}` },
    expiresAt: new Date(at.getTime() + 86_400_000),
    absoluteExpiresAt: new Date(at.getTime() + 86_400_000),
    idleSeconds: null,
    endedAt: null,
    endedBy: null,
    device: { brand: null, model: text, osName: null, osVersion: '17.2', appName: null, appVersion: null },
    deviceClass: 'desktop',
    // As jsonb returns it: keys sorted by length, so the mappers' own order is what must come out.
    userAgent: {
      os: { patch: null, major: '10', minor: i % 2 ? null : '15', family: 'Mac OS X', patch_minor: null },
      device: { brand: i % 2 ? null : 'Apple', model: null, family: 'Mac' },
      string: text,
      user_agent: { patch: null, major: '17', minor: null, family: text },
    },
    geo: {
      continent: 'EU',
      country: i % 2 ? 'DE' : null,
      lat: 52.52 + i / 3,
      long: -13.4,
      city: text,
      region_code: i % 2 ? 'BE' : null,
      timezone: 'Europe/Berlin',
    },
    asn: { asn: 64496 + i, as_org: text, network: null },
    ...overrides,
  });
}

const SESSIONS = [
  ...AWKWARD.map((_, i) => session(i)),
  session(5, { geo: null, asn: null }),
  session(6, { asn: { asn: null, as_org: null, network: null } }),
  session(7, {
    geo: { continent: null, country: null, lat: null, long: null, city: '', region_code: null, timezone: null },
  }),
];

/** The 200 schema a controller's route method carries (@SerialisedOk). */
function okSchemaOf(controller: { prototype: object }, method: string): WireSchema {
  const handler = (controller.prototype as Record<string, object>)[method];
  const schema = Reflect.getMetadata(FASTIFY_ROUTE_SCHEMA_METADATA, handler) as {
    response: Record<number, WireSchema>;
  };
  return schema.response[200];
}

/** What Fastify writes for `payload` with this response schema, as the routes run it. */
async function serialised(schema: WireSchema, payload: unknown): Promise<string> {
  const app = fastify();
  app.get('/', { schema: { response: { 200: schema } } }, () => payload);
  try {
    return (await app.inject({ method: 'GET', url: '/' })).body;
  } finally {
    await app.close();
  }
}

async function expectSameBytes(schema: WireSchema, payloads: unknown[]): Promise<void> {
  for (const payload of payloads) expect(await serialised(schema, payload)).toBe(JSON.stringify(payload));
}

describe('the compiled response serialiser writes what JSON.stringify wrote', () => {
  it('authentik list', async () => {
    const results = SESSIONS.map((s, i) => toAuthenticatedSession(s, i === 2 ? s.id : null));
    await expectSameBytes(okSchemaOf(AuthentikSessionsController, 'list'), [
      { pagination: toPagination(2, 20, 45), results, autocomplete: {} },
      { pagination: toPagination(1, 20, 0), results: [], autocomplete: {} },
    ]);
  });
});

describe('wireSchema', () => {
  const components = {
    Pair: {
      type: 'object',
      required: ['b'],
      additionalProperties: false,
      properties: { a: { type: 'integer', format: 'int32' }, b: { type: 'string', format: 'date-time' } },
    },
    Free: { type: 'object', additionalProperties: {} },
  };

  it('resolves refs, keeps the document order (not required-first), lets every value be null', () => {
    expect(wireSchema({ $ref: '#/components/schemas/Pair' }, { components })).toEqual({
      type: 'object',
      nullable: true,
      properties: { a: { type: 'number', nullable: true }, b: { type: 'string', nullable: true } },
    });
  });

  it('collapses a oneOf of one shape and null, and refuses different shapes', () => {
    const pair = wireSchema({ $ref: '#/components/schemas/Pair' }, { components });
    expect(wireSchema({ oneOf: [{ $ref: '#/components/schemas/Pair' }, { type: 'null' }] }, { components })).toEqual(
      pair,
    );
    expect(wireSchema({ type: ['string', 'null'] })).toEqual({ type: 'string', nullable: true });
    expect(() => wireSchema({ oneOf: [{ type: 'string' }, { type: 'integer' }] })).toThrow(/different shapes/);
  });

  it('leaves free-form values to JSON.stringify', () => {
    expect(wireSchema({ $ref: '#/components/schemas/Free' }, { components })).toEqual({});
    expect(wireSchema({ type: 'object', properties: { x: { type: 'object', additionalProperties: true } } })).toEqual({
      type: 'object',
      nullable: true,
      properties: { x: {} },
    });
  });

  it("takes the mapper's key order where given, and only a complete one", () => {
    const list = { type: 'array', items: { $ref: '#/components/schemas/Pair' } };
    expect(Object.keys(wireSchema(list, { components, keyOrder: { '': ['b', 'a'] } }).items!.properties!)).toEqual([
      'b',
      'a',
    ]);
    expect(() => wireSchema(list, { components, keyOrder: { '': ['b'] } })).toThrow(/keyOrder/);
    expect(() => wireSchema(list, { components, keyOrder: { nowhere: ['b', 'a'] } })).toThrow(/no object/);
  });
});
