import { DeviceInfo, Session } from '../../sessions/session.model';
import { ParsedUserAgent } from '../../sessions/insight/user-agent/uap-parser';
import {
  applicationOf,
  movensDate,
  operatingSystemOf,
  smartphoneOf,
  toMovensUserSession,
  toMovensUserSessionCount,
  UNKNOWN_SMARTPHONE,
  UNKNOWN_SOFTWARE,
} from './movens.mapper';

const NO_DEVICE: DeviceInfo = {
  brand: null,
  model: null,
  osName: null,
  osVersion: null,
  appName: null,
  appVersion: null,
};
const UNPARSED: ParsedUserAgent = {
  string: '',
  user_agent: { family: 'Other', major: null, minor: null, patch: null },
  os: { family: 'Other', major: null, minor: null, patch: null, patch_minor: null },
  device: { family: 'Other', brand: null, model: null },
};
const PIXEL: ParsedUserAgent = {
  string: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) ... Chrome/120.0.6099.144 Mobile Safari/537.36',
  user_agent: { family: 'Chrome Mobile', major: '120', minor: '0', patch: '6099' },
  os: { family: 'Android', major: '14', minor: null, patch: null, patch_minor: null },
  device: { family: 'Pixel 8', brand: 'Google', model: 'Pixel 8' },
};

const parts = (device: Partial<DeviceInfo>, userAgent: ParsedUserAgent = UNPARSED) => ({
  device: { ...NO_DEVICE, ...device },
  userAgent,
});

describe('MOVENS mapper', () => {
  it('should write dates in UTC with whole seconds and Z', () => {
    expect(movensDate(new Date('2020-09-21T10:42:50.987Z'))).toBe('2020-09-21T10:42:50Z');
    expect(movensDate(new Date('2020-09-21T12:42:50+02:00'))).toBe('2020-09-21T10:42:50Z');
  });

  it("should render nothing known as the vendor's literals", () => {
    expect(UNKNOWN_SMARTPHONE).toBe('-');
    expect(UNKNOWN_SOFTWARE).toBe('Other- v. ');
    expect(smartphoneOf(parts({}))).toBe('-');
    expect(operatingSystemOf(parts({}))).toBe('Other- v. ');
    expect(applicationOf(parts({}))).toBe('Other- v. ');
    expect(smartphoneOf(parts({ brand: '  ', model: '' }))).toBe('-');
  });

  it('should prefer the device data given at login', () => {
    const login = {
      brand: 'Apple',
      model: 'iPhone 15',
      osName: 'iOS',
      osVersion: '17.2',
      appName: 'Movens',
      appVersion: '3.4.1',
    };
    expect(smartphoneOf(parts(login, PIXEL))).toBe('Apple-iPhone 15');
    expect(operatingSystemOf(parts(login, PIXEL))).toBe('iOS- v. 17.2');
    expect(applicationOf(parts(login, PIXEL))).toBe('Movens- v. 3.4.1');
  });

  it('should fill the parts the login left out as the template does: brand alone, a version without a name', () => {
    expect(smartphoneOf(parts({ brand: 'Apple' }))).toBe('Apple-');
    expect(smartphoneOf(parts({ model: 'Pixel 8' }))).toBe('-Pixel 8');
    expect(operatingSystemOf(parts({ osVersion: '14' }, PIXEL))).toBe('Other- v. 14');
    expect(applicationOf(parts({ appName: 'Movens' }, PIXEL))).toBe('Movens- v. ');
  });

  it('should fall back to the parsed user agent for each string the login did not describe', () => {
    expect(smartphoneOf(parts({}, PIXEL))).toBe('Google-Pixel 8');
    expect(operatingSystemOf(parts({}, PIXEL))).toBe('Android- v. 14');
    expect(applicationOf(parts({}, PIXEL))).toBe('Chrome Mobile- v. 120.0.6099');
    const mac: ParsedUserAgent = {
      ...UNPARSED,
      os: { family: 'Mac OS X', major: '10', minor: '15', patch: '7', patch_minor: null },
      user_agent: { family: 'Safari', major: '17', minor: null, patch: '9' },
    };
    expect(operatingSystemOf(parts({ brand: 'Apple' }, mac))).toBe('Mac OS X- v. 10.15.7');
    // A version stops at the first part the parser did not find.
    expect(applicationOf(parts({}, mac))).toBe('Safari- v. 17');
  });

  it('should map a session to the PascalCase row with lower-case GUIDs', () => {
    const session = {
      id: 275,
      userId: 4,
      userUuid: '83BDE819-EC08-4CEE-B635-884145630D0B',
      username: 'user',
      userIsOperator: true,
      lastSeen: { at: new Date('2020-09-21T10:42:50.123Z'), ip: '127.0.0.1', userAgent: '' },
      expiresAt: new Date('2020-09-23T10:42:50Z'),
      device: NO_DEVICE,
      userAgent: UNPARSED,
    } as unknown as Session;
    expect(JSON.stringify(toMovensUserSession(session))).toBe(
      JSON.stringify({
        ID: 275,
        UserID: 4,
        UserGuid: '83bde819-ec08-4cee-b635-884145630d0b',
        LastUpdated: '2020-09-21T10:42:50Z',
        ExpirationDate: '2020-09-23T10:42:50Z',
        UserName: 'user',
        IsOperator: true,
        Smartphone: '-',
        OperatingSystem: 'Other- v. ',
        Application: 'Other- v. ',
      }),
    );
    expect(
      toMovensUserSessionCount({
        userUuid: '90B10BB2-8C70-456F-B960-2251AE6D8778',
        username: 'user2',
        count: 4,
        isOperator: false,
      }),
    ).toEqual({
      UserGuid: '90b10bb2-8c70-456f-b960-2251ae6d8778',
      UserName: 'user2',
      SessionCount: 4,
      IsOperator: false,
    });
  });
});
