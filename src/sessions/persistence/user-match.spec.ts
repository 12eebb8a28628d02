import { userMatches } from './user-match';

describe('userMatches', () => {
  it('should read an integer as an id, and name no one with one out of range', () => {
    expect(userMatches(42)).toEqual([{ column: 'id', value: 42 }]);
    for (const id of [0, -1, 2147483648, 1.5, Number.MAX_SAFE_INTEGER + 2]) expect(userMatches(id)).toEqual([]);
  });

  it("should read a uuid as a user's uuid first, then as a username", () => {
    const uuid = '7F1C0D2E-3B4A-4C5D-8E6F-0A1B2C3D4E5F';
    expect(userMatches(uuid)).toEqual([
      { column: 'uuid', value: uuid.toLowerCase() },
      { column: 'username', value: uuid },
    ]);
  });

  it('should read anything else as a username, as given', () => {
    expect(userMatches("Robert'); DROP TABLE users;--")).toEqual([
      { column: 'username', value: "Robert'); DROP TABLE users;--" },
    ]);
  });
});
