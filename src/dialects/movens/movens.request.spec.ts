import { MovensError, parseGuid, parsePaging, parseRevokeRequest } from './movens.request';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return error instanceof MovensError ? error.key : error;
  }
  return 'accepted';
};

describe('MOVENS paging', () => {
  it('should default to page 1 of 20 and read names case-insensitively', () => {
    expect(parsePaging({})).toEqual({ pageIndex: 1, pageSize: 20 });
    expect(parsePaging(undefined)).toEqual({ pageIndex: 1, pageSize: 20 });
    expect(parsePaging({ pageindex: '3', PAGESIZE: '100', other: 'x' })).toEqual({ pageIndex: 3, pageSize: 100 });
    expect(parsePaging({ PageIndex: '007' })).toEqual({ pageIndex: 7, pageSize: 20 });
  });

  it('should refuse anything that is not one whole number in range', () => {
    for (const query of [
      { PageIndex: '0' },
      { PageIndex: '-1' },
      { PageIndex: '1.0' },
      { PageIndex: '' },
      { PageIndex: '2147483648' },
      { PageSize: '101' },
      { PageSize: '0' },
      { PageSize: ['1', '2'] },
      { PageSize: '1', pagesize: '1' },
      { PageSize: ' 1' },
      { PageSize: '1e1' },
    ]) {
      expect([query, refusal(() => parsePaging(query))]).toEqual([query, 'err_InvalidRequest']);
    }
  });
});

describe('MOVENS request parsing', () => {
  it('should read GUIDs in .NET D, N, B and P forms as lower-case D', () => {
    const d = '83bde819-ec08-4cee-b635-884145630d0b';
    for (const form of [d, d.toUpperCase(), d.replace(/-/g, ''), `{${d}}`, `(${d.toUpperCase()})`])
      expect(parseGuid(form)).toBe(d);
    for (const bad of ['', d.slice(1), `${d} `, `{${d}`, `${d}'--`, d.replace('8', 'g'), `0x${d.replace(/-/g, '')}`]) {
      expect([bad, refusal(() => parseGuid(bad))]).toEqual([bad, 'err_InvalidGuid']);
    }
  });

  it('should read an int32 Session, its key case-insensitively', () => {
    expect(parseRevokeRequest({ Session: 123 })).toBe(123);
    expect(parseRevokeRequest({ session: 5, Other: 'x' })).toBe(5);
    expect(parseRevokeRequest({ SESSION: -1 })).toBe(-1);
    for (const body of [
      undefined,
      null,
      1,
      'x',
      [],
      {},
      { Session: '1' },
      { Session: 1.5 },
      { Session: 2 ** 31 },
      { Session: NaN },
      { Session: null },
    ]) {
      expect([body, refusal(() => parseRevokeRequest(body))]).toEqual([body, 'err_InvalidRequest']);
    }
  });
});
