import { ArgumentMetadata, BadRequestException, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import {
  CreateSessionRequest,
  CreateTokenRequest,
  CreateUserRequest,
  CredentialChangeRequest,
  RevokeAllRequest,
  UpdateUserRequest,
  ValidateSessionRequest,
} from '../hub/hub.request';
import { CompiledValidationPipe } from './compiled-validation';

const OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: false,
};

/** Valid bodies of every hub body class, each mutated below one property at a time. */
const VALID: [new () => object, Record<string, unknown>][] = [
  [ValidateSessionRequest, { token: 'shs_abc', ip: '203.0.113.7', userAgent: 'Mozilla/5.0' }],
  [
    CreateUserRequest,
    { username: 'alice', name: 'Alice', email: 'alice@example.com', isSuperuser: false, maxSessions: 5 },
  ],
  [UpdateUserRequest, { maxSessions: 3 }],
  [CreateTokenRequest, { user: 'admin', description: 'CI', expiresAt: '2030-01-01T00:00:00Z', identifier: 'ci-token' }],
  [CredentialChangeRequest, { exceptSession: '0b0f9c9e-6d6b-4d5e-9f3a-2b1c0d9e8f7a', keepCurrentSession: false }],
  [RevokeAllRequest, { exceptSession: '0b0f9c9e6d6b4d5e9f3a2b1c0d9e8f7a' }],
  [CreateSessionRequest, { user: 7, ip: '::1', userAgent: 'curl/8.0', device: { brand: 'Apple' } }],
];

/** Values each property is tried with: good ones, edges and hostile ones. */
const VALUES: unknown[] = [
  '',
  'a',
  'admin',
  'x'.repeat(100),
  'x'.repeat(150),
  'x'.repeat(151),
  'x'.repeat(512),
  'x'.repeat(513),
  '😀'.repeat(256),
  '😀'.repeat(257),
  'x'.repeat(2049),
  '203.0.113.7',
  '::1',
  '1.2.3.256',
  '01.2.3.4',
  'fe80::1%eth0',
  'a\u0000b',
  "'; DROP TABLE sessions; --",
  'alice@example.com',
  '2030-01-01T00:00:00Z',
  '2030-13-01',
  '0b0f9c9e-6d6b-4d5e-9f3a-2b1c0d9e8f7a',
  '013xrzp12g3nqk8n6cyr5x0k8yb10h59',
  'browser',
  'authenticated',
  0,
  1,
  -1,
  1.5,
  5,
  1_000_000,
  1_000_001,
  2147483647,
  2147483648,
  true,
  false,
  null,
  {},
  [],
  ['a'],
  { brand: 'Apple' },
];

const EXTRA_KEYS = ['extra', 'constructor', '__proto__', 'toString'];

/** A body as the service receives it: parsed from JSON text, so `__proto__` is an own key. */
function body(value: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** A fresh copy for each pipe, since a pipe may change what it is given. */
function copy(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

async function outcome(pipe: ValidationPipe, value: unknown, metatype: new () => object) {
  const metadata: ArgumentMetadata = { type: 'body', metatype, data: undefined };
  try {
    const result = (await pipe.transform(value, metadata)) as object;
    return { accepted: true, proto: Object.getPrototypeOf(result), fields: { ...result } };
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    return { accepted: false, response: error.getResponse() };
  }
}

function bodiesOf(valid: Record<string, unknown>): unknown[] {
  const bodies: unknown[] = [body(valid), body({}), null, undefined, 'token', 7, [valid]];
  for (const key of Object.keys(valid)) {
    bodies.push(body(Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key))));
    for (const value of VALUES) bodies.push(body({ ...valid, [key]: value }));
  }
  for (const extra of EXTRA_KEYS) bodies.push(JSON.parse(`{${JSON.stringify(extra)}: 1, "token": "t"}`));
  for (const extra of EXTRA_KEYS) bodies.push(JSON.parse(JSON.stringify(valid).replace('{', `{"${extra}": "x",`)));
  return bodies;
}

describe('CompiledValidationPipe', () => {
  it("answers every body of every hub body class exactly as Nest's ValidationPipe does", async () => {
    const compiled = new CompiledValidationPipe(OPTIONS);
    const plain = new ValidationPipe(OPTIONS);
    const whole = jest.spyOn(ValidationPipe.prototype, 'transform');
    let compared = 0;
    let accepted = 0;
    for (const [metatype, valid] of VALID) {
      for (const value of bodiesOf(valid)) {
        const expected = await outcome(plain, copy(value), metatype);
        const actual = await outcome(compiled, copy(value), metatype);
        expect({ metatype: metatype.name, value, ...actual }).toEqual({ metatype: metatype.name, value, ...expected });
        compared++;
        if (expected.accepted) accepted++;
      }
    }
    // Both answers were exercised, and most accepted bodies took the fast way (Nest's pipe ran once for each body
    // through the plain pipe, and again only for what the compiled one left to it).
    const fast = 2 * compared - whole.mock.calls.length;
    whole.mockRestore();
    expect(compared).toBeGreaterThan(900);
    expect(accepted).toBeGreaterThan(200);
    expect(compared - accepted).toBeGreaterThan(300);
    expect(fast).toBeGreaterThan(150);
  });

  it("accepts a valid validate body without Nest's pipe, and sends the refused ones through it", async () => {
    const compiled = new CompiledValidationPipe(OPTIONS);
    const whole = jest.spyOn(ValidationPipe.prototype, 'transform');
    const metadata: ArgumentMetadata = { type: 'body', metatype: ValidateSessionRequest, data: undefined };
    const entity = await compiled.transform(body({ token: 'shs_abc' }), metadata);
    expect(entity).toBeInstanceOf(ValidateSessionRequest);
    expect(whole).not.toHaveBeenCalled();
    await expect(compiled.transform(body({ token: 5 }), metadata)).rejects.toThrow(BadRequestException);
    expect(whole).toHaveBeenCalledTimes(1);
    whole.mockRestore();
  });

  it('accepts a login body without a device without the whole pipe, and sends one with a device through it', async () => {
    const compiled = new CompiledValidationPipe(OPTIONS);
    const whole = jest.spyOn(ValidationPipe.prototype, 'transform');
    const metadata: ArgumentMetadata = { type: 'body', metatype: CreateSessionRequest, data: undefined };
    const login = { user: 'admin', ip: '::1', userAgent: 'curl/8.0' };
    expect(await compiled.transform(body(login), metadata)).toBeInstanceOf(CreateSessionRequest);
    expect(whole).not.toHaveBeenCalled();
    const withDevice = (await compiled.transform(body({ ...login, device: { brand: 'Apple' } }), metadata)) as {
      device: object;
    };
    expect(whole).toHaveBeenCalledTimes(1);
    expect(withDevice.device.constructor.name).toBe('DeviceRequest');
    whole.mockRestore();
  });
});
