/**
 * The key in an `Authorization: Bearer <key>` header, as authentik reads it: the scheme is case-insensitive,
 * anything that is not a bearer header counts as no credentials, and `Bearer ` with nothing after is malformed.
 */
export function bearerKey(header: string | undefined): { key: string } | 'absent' | 'malformed' {
  const text = (header ?? '').trim();
  if (text === '' || !text.includes(' ')) return 'absent';
  const space = text.indexOf(' ');
  if (text.slice(0, space).toLowerCase() !== 'bearer') return 'absent';
  const key = text.slice(space + 1).trim();
  return key === '' ? 'malformed' : { key };
}
