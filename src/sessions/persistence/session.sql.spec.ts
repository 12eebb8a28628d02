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

  /** Each login's row with its extra values, as the statement's json_to_recordset reads them. */
  const expected = [
    {
      ...logins[0].row,
      login: 0,
      given_device: 'v'.repeat(32),
      new_device: null,
      fingerprint: null,
      findings: [],
      insight: false,
      insight_device: null,
      insight_country: null,
      insight_geo: null,
      insight_ip: null,
    },
    {
      ...logins[1].row,
      login: 1,
      given_device: null,
      new_device: 'n'.repeat(32),
      fingerprint: 'e'.repeat(64),
      findings: [{ kind: 'new_country', detail: { from: 'DE', to: 'GB' } }],
      insight: true,
      insight_device: 'Firefox on Linux',
      insight_country: 'GB',
      insight_geo: { country: 'GB' },
      insight_ip: '81.2.69.2',
    },
    {
      ...logins[2].row,
      login: 2,
      given_device: null,
      new_device: 'm'.repeat(32),
      fingerprint: 'e'.repeat(64),
      findings: [],
      insight: true,
      insight_device: null,
      insight_country: null,
      insight_geo: null,
      insight_ip: '81.2.69.3',
    },
  ];

  it('writes the logins as one JSON array: each row with its extra values, as one object', () => {
    const [param] = loginsStatement(logins).params as [string];
    expect(param).toBe(JSON.stringify(expected));
    expect(JSON.parse(param)[1]).toMatchObject({ username: 'user "2" \\ é', title: 'Line\nbreak\u2028' });
  });

  it('writes one login alone as an array of one, numbered 0', () => {
    const [param] = loginsStatement(logins.slice(2)).params as [string];
    expect(param).toBe(JSON.stringify([{ ...expected[2], login: 0 }]));
  });

  it('keeps one statement text for one login and for many', () => {
    expect(loginsStatement(logins.slice(0, 1)).text).toBe(loginsStatement(logins).text);
  });
});
