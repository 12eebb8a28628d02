import {
  AuthentikHttpError,
  parseFilters,
  parseOrdering,
  parsePage,
  parsePageSize,
  parseSearch,
  parseUserPks,
  parseUuid,
  pythonInt,
  searchSmartSplit,
} from './authentik.request';

function thrown(fn: () => unknown): { status: number; body: unknown } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuthentikHttpError) return { status: error.status, body: error.body };
    throw error;
  }
  throw new Error('expected an AuthentikHttpError');
}

describe('authentik request parsing', () => {
  describe('searchSmartSplit (DRF search_smart_split)', () => {
    it.each([
      ['alice', ['alice']],
      ['  alice   bob ', ['alice', 'bob']],
      ['alice,bob', ['alice', 'bob']],
      [',alice,,bob,', ['alice', 'bob']],
      ['"Mac OS X" chrome', ['Mac OS X', 'chrome']],
      // Not one quoted term once the comma is part of the bit: Python keeps the quotes.
      ["'Mac OS X',chrome", ["'Mac OS X'", 'chrome']],
      ['"a, b"', ['a, b']],
      ['"say \\"hi\\""', ['say "hi"']],
      ['"back\\\\slash"', ['back\\slash']],
      ['a"b c"d', ['a"b c"d']],
      ['"unclosed phrase', ['"unclosed', 'phrase']],
      ['"', ['']],
      ['', []],
      [',', []],
      ["'; DROP TABLE sessions;--", ["';", 'DROP', 'TABLE', 'sessions;--']],
    ])('%j -> %j', (input, expected) => {
      expect(searchSmartSplit(input)).toEqual(expected);
    });

    it('refuses a NUL with a bare list body', () => {
      expect(thrown(() => parseSearch({ search: 'a\0' }))).toEqual({
        status: 400,
        body: ['Null characters are not allowed.'],
      });
      expect(parseSearch({ search: ['ignored', 'used'] })).toEqual(['used']);
    });
  });

  describe('parseOrdering (DRF OrderingFilter)', () => {
    it('maps authentik fields to the domain, drops unknown terms and falls back to username', () => {
      expect(parseOrdering({ ordering: 'session__last_used' })).toEqual([{ field: 'last_seen', descending: false }]);
      expect(
        parseOrdering({ ordering: '-session__expires, uuid ,bogus,-user,session__last_ip,-session__last_user_agent' }),
      ).toEqual([
        { field: 'expires', descending: true },
        { field: 'uuid', descending: false },
        { field: 'user', descending: true },
        { field: 'last_ip', descending: false },
        { field: 'last_user_agent', descending: true },
      ]);
      for (const ordering of [
        undefined,
        '',
        '-expires',
        'user__username',
        '--uuid',
        'uuid DESC',
        'constructor',
        '__proto__',
      ]) {
        expect(parseOrdering({ ordering })).toEqual([{ field: 'username', descending: false }]);
      }
    });
  });

  describe('pagination parameters', () => {
    it('reads page as Django does', () => {
      expect(parsePage({})).toBe(1);
      expect(parsePage({ page: '' })).toBe(1);
      expect(parsePage({ page: ' 3 ' })).toBe(3);
      expect(parsePage({ page: '1_0' })).toBe(10);
      expect(parsePage({ page: 'last' })).toBe('last');
      for (const page of ['0', '-1', 'abc', '1.5', '1.0', '1e3']) {
        expect(thrown(() => parsePage({ page }))).toEqual({ status: 404, body: { detail: 'Invalid page.' } });
      }
    });

    it('reads page_size with a default of 20 and a cap of 100', () => {
      expect(parsePageSize({})).toBe(20);
      expect(parsePageSize({ page_size: '7' })).toBe(7);
      expect(parsePageSize({ page_size: '100000' })).toBe(100);
      for (const page_size of ['0', '-1', 'x', '', '2.0']) expect(parsePageSize({ page_size })).toBe(20);
    });

    it('reads integers as Python does', () => {
      expect(pythonInt(' +12 ')).toBe(12n);
      expect(pythonInt('1__0')).toBeNull();
      expect(pythonInt('_1')).toBeNull();
    });
  });

  describe('parseFilters (django-filter CharFilters)', () => {
    it('strips values, ignores empty ones and checks the IP', () => {
      expect(
        parseFilters({ user__username: ' alice ', session__last_ip: '', session__last_user_agent: 'curl/8.5.0' }),
      ).toEqual({
        username: 'alice',
        lastUserAgent: 'curl/8.5.0',
      });
      expect(parseFilters({ session__last_ip: '2001:db8::1' })).toEqual({ lastIp: '2001:db8::1' });
      expect(thrown(() => parseFilters({ session__last_ip: '1.2.3.4/32', user__username: '\0' }))).toEqual({
        status: 400,
        body: {
          user__username: ['Null characters are not allowed.'],
          session__last_ip: ['Enter a valid IPv4 or IPv6 address.'],
        },
      });
    });
  });

  describe('parseUuid (Python uuid.UUID)', () => {
    const uuid = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    it.each([
      uuid,
      uuid.toUpperCase(),
      uuid.replace(/-/g, ''),
      `{${uuid}}`,
      `urn:uuid:${uuid}`,
      '3fa85f6457-174562b3fc2c963f66afa6',
    ])('reads %s', (form) => expect(parseUuid(form)).toBe(uuid));
    it.each(['', 'abc', `${uuid}0`, 'g'.repeat(32), `${uuid} `])('refuses %j', (form) =>
      expect(parseUuid(form)).toBeNull(),
    );
  });

  describe('parseUserPks (DRF ListField of IntegerField)', () => {
    it('reads repeated and indexed keys', () => {
      expect(parseUserPks({ user_pks: '3' })).toEqual([3]);
      expect(parseUserPks({ user_pks: ['3', ' 4 ', '5.0', '-6'] })).toEqual([3, 4, 5, -6]);
      expect(parseUserPks({ 'user_pks[1]': '8', 'user_pks[0]': '7' })).toEqual([7, 8]);
    });

    it("answers authentik's validation errors", () => {
      expect(thrown(() => parseUserPks({}))).toEqual({ status: 400, body: { user_pks: ['This field is required.'] } });
      expect(thrown(() => parseUserPks({ user_pks: ['1', '', 'x'] }))).toEqual({
        status: 400,
        body: { user_pks: { '1': ['A valid integer is required.'], '2': ['A valid integer is required.'] } },
      });
    });
  });
});
