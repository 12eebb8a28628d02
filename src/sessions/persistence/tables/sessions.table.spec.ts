import { AUTHENTIK_SESSION_FIELDS } from '../../../dialects/authentik/authentik.mapper';
import { MOVENS_SESSION_FIELDS } from '../../../dialects/movens/movens.mapper';
import { PREFACTOR_SESSION_FIELDS } from '../../../dialects/prefactor/prefactor.mapper';
import { Session } from '../../session.model';
import { ALL_SESSION_FIELDS, SESSION_SELECT, sessionProjection, toSession, usersJoinFor } from './sessions.table';

/** A row as the driver hands it over, every column set to a value of its own. */
const ROW = {
  id: '42',
  uuid: '3f1c2a44-0e8b-4c1a-9a41-5d8a4c1b2e10',
  pfid: '01hzsessionpfid000000000000000001',
  user_id: 7,
  user_uuid: '9b2f4c1e-6d3a-4f5b-8c7d-1e2f3a4b5c6d',
  username: 'ann',
  user_is_operator: true,
  status: 'authenticated',
  session_type: 'browser',
  account_id: 'account',
  domain_id: 'domain',
  pool_id: 'pool',
  identity_id: 'identity',
  device_id: 'device',
  title: 'Chrome on Windows',
  created_at: new Date('2026-01-01T00:00:00Z'),
  first_seen_at: new Date('2026-01-01T00:00:01Z'),
  first_ip: '203.0.113.1',
  first_user_agent: 'first agent',
  last_seen_at: new Date('2026-01-02T00:00:00Z'),
  last_ip: '203.0.113.2',
  last_user_agent: 'last agent',
  expires_at: new Date('2026-02-01T00:00:00Z'),
  absolute_expires_at: new Date('2026-03-01T00:00:00Z'),
  idle_seconds: 600,
  ended_at: null,
  ended_by: null,
  device_brand: 'Apple',
  device_model: 'iPhone',
  device_os_name: 'iOS',
  device_os_version: '17.2',
  device_app_name: 'App',
  device_app_version: '1.0',
  device_class: 'mobile',
  user_agent_parsed: { user_agent: { family: 'Chrome' } },
  geo: { country: 'AU' },
  asn: { asn: 1221 },
};

const columnsOf = (select: string) =>
  select.split(', ').map((part) =>
    part
      .split(' AS ')
      .pop()!
      .replace(/^\w+\./, ''),
  );

describe('session projections', () => {
  it('should select every column but the token hash for a whole session', () => {
    expect(columnsOf(SESSION_SELECT).sort()).toEqual(Object.keys(ROW).sort());
    expect(Object.keys(toSession(ROW)).sort()).toEqual([...ALL_SESSION_FIELDS].sort());
  });

  it.each([
    ['authentik', AUTHENTIK_SESSION_FIELDS, 10],
    ['Prefactor', PREFACTOR_SESSION_FIELDS, 19],
    ['MOVENS', MOVENS_SESSION_FIELDS, 16],
  ] as const)(
    "should read %s's fields as the whole session has them, from fewer of the 37 columns",
    (_face, fields: readonly (keyof Session)[], columnCount) => {
      const { select, read } = sessionProjection(fields);
      const whole = toSession(ROW);
      expect(read(ROW)).toEqual(Object.fromEntries(fields.map((field) => [field, whole[field]])));
      expect(columnsOf(select)).toHaveLength(columnCount);
      // Only the columns it selects are read: a row of just them gives the same object.
      const narrow = Object.fromEntries(columnsOf(select).map((column) => [column, ROW[column as keyof typeof ROW]]));
      expect(read(narrow)).toEqual(read(ROW));
    },
  );

  it('should join users exactly where a read selects a user column', () => {
    const readsUsers = new Set<keyof Session>(['userUuid', 'userIsOperator']);
    for (const field of ALL_SESSION_FIELDS) {
      const { select, selectVersioned, selectVersionOnly } = sessionProjection([field]);
      const expected = readsUsers.has(field) ? 'JOIN users u ON u.id = s.user_id' : '';
      for (const text of [select, selectVersioned, selectVersionOnly])
        expect([field, usersJoinFor(text)]).toEqual([field, expected]);
    }
    expect(usersJoinFor(sessionProjection(AUTHENTIK_SESSION_FIELDS).selectVersioned)).toBe('');
    expect(usersJoinFor(sessionProjection(MOVENS_SESSION_FIELDS).selectVersioned)).not.toBe('');
    expect(usersJoinFor(SESSION_SELECT)).not.toBe('');
  });

  it('should build a projection once per field list', () => {
    expect(sessionProjection(AUTHENTIK_SESSION_FIELDS)).toBe(sessionProjection(AUTHENTIK_SESSION_FIELDS));
  });
});
