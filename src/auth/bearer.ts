/**
 * The key in an `Authorization: Bearer <key>` header: the scheme is case-insensitive, anything that is not a bearer
 * header counts as no credentials, and `Bearer ` with nothing after is malformed. The key follows one or more spaces
 * (RFC 6750's `1*SP`), or with `keyAfterFirstSpace` is everything after the first one, as authentik reads it.
 */
export function bearerKey(
  header: string | undefined,
  keyAfterFirstSpace = false,
): { key: string } | 'absent' | 'malformed' {
  const text = (header ?? '').trim();
  if (text === '' || !text.includes(' ')) return 'absent';
  const space = text.indexOf(' ');
  if (text.slice(0, space).toLowerCase() !== 'bearer') return 'absent';
  const rest = text.slice(space + 1);
  const key = keyAfterFirstSpace ? rest : rest.trim();
  return key === '' ? 'malformed' : { key };
}
