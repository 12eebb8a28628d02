import { LoginWrite, loginsStatement } from './session.sql';
import { NewSessionFacts, toNewSessionRow } from './tables/sessions.table';

/** A login's session facts, as the service builds them (the values vary by `n`). */
function facts(n: number, overrides: Partial<NewSessionFacts> = {}): NewSessionFacts {
  return {
    uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    pfid: `01abcdefghjkmnpqrstvwxyz${String(n).padStart(8, '0')}`,
    tokenHash: 'f'.repeat(64),
    user: { id: 100 + n, username: `user "${n}" \\ é`, pfid: 'p'.repeat(32) },
    status: 'authenticated',
    sessionType: 'browser',
    accountId: 'a'.repeat(32),
    domainId: 'd'.repeat(32),
    poolId: 'o'.repeat(32),
    title: n % 2 ? '' : 'Line\nbreak\u2028',
    ip: `81.2.69.${n}`,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0',
    loggedInAt: new Date(Date.UTC(2026, 11, 4, 1, 2, 3, n)),
    absoluteExpiresAt: new Date(Date.UTC(2026, 11, 5, 1, 2, 3, n)),
    idleSeconds: n % 2 ? 600 : null,
    device: {
      brand: n % 2 ? null : 'Apple',
      model: null,
      osName: 'Linux',
      osVersion: null,
      appName: 'Firefox',
      appVersion: '121.0',
    },
    deviceClass: 'desktop',
    parsedUserAgent: { user_agent: { family: 'Firefox', major: '121', minor: '0', patch: null } },
    geo: n % 2 ? null : { country: 'GB', city: 'London', lat: 51.5, long: -0.12 },
    asn: null,
    ...overrides,
  } as NewSessionFacts;
}

/** What the statement's JSON parameter held before it was written by parts: each row spread with its extras. */
function spreadJson(logins: LoginWrite[]): string {
  return JSON.stringify(
    logins.map(({ row, device, insight }, login) => ({
      ...row,
      login,
      given_device: 'id' in device ? device.id : null,
      new_device: 'id' in device ? null : device.newPfid,
      fingerprint: 'id' in device ? null : device.fingerprint,
      findings: insight?.findings ?? [],
      insight: insight !== undefined,
      insight_device: insight?.arrival.deviceLabel ?? null,
      insight_country: insight?.arrival.geo?.country ?? null,
      insight_geo: insight?.arrival.geo ?? null,
      insight_ip: insight?.arrival.ip ?? null,
    })),
  );
}

describe('loginsStatement', () => {
  const logins: LoginWrite[] = [
    { row: toNewSessionRow(facts(1)), device: { id: 'v'.repeat(32) } },
    {
      row: toNewSessionRow(facts(2)),
      device: { fingerprint: 'e'.repeat(64), newPfid: 'n'.repeat(32) },
      insight: {
        arrival: { deviceLabel: 'Firefox on Linux', geo: { country: 'GB' } as never, ip: '81.2.69.2' },
        findings: [{ kind: 'new_country', detail: { from: 'DE', to: 'GB' } }],
      },
    },
    {
      row: toNewSessionRow(facts(3)),
      device: { fingerprint: 'e'.repeat(64), newPfid: 'm'.repeat(32) },
      insight: { arrival: { deviceLabel: null, geo: null, ip: '81.2.69.3' }, findings: [] },
    },
  ];

  it('writes the logins as one JSON array, each row joined with its extras, as spreading them would', () => {
    const [param] = loginsStatement(logins).params as [string];
    expect(param).toBe(spreadJson(logins));
    const parsed = JSON.parse(param) as Record<string, unknown>[];
    expect(parsed.map((l) => l.login)).toEqual([0, 1, 2]);
    expect(parsed[1]).toMatchObject({ username: 'user "2" \\ é', new_device: 'n'.repeat(32), insight_country: 'GB' });
  });

  it('writes one login alone as an array of one', () => {
    const [param] = loginsStatement(logins.slice(2)).params as [string];
    expect(param).toBe(spreadJson(logins.slice(2)));
  });

  it('keeps one statement text for one login and for many', () => {
    expect(loginsStatement(logins.slice(0, 1)).text).toBe(loginsStatement(logins).text);
  });
});
