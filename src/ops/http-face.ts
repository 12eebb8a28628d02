/** Which face a path belongs to, for logs and metrics: a small fixed set of labels, whatever the URL. */
export type HttpFace = 'hub' | 'authentik' | 'prefactor' | 'movens' | 'ssf' | 'docs' | 'health' | 'other';

const FACE_PREFIXES: Array<[string, HttpFace]> = [
  ['/api/hub/', 'hub'],
  ['/api/v3/', 'authentik'],
  ['/api/v1/', 'prefactor'],
  ['/api/admin/', 'movens'],
  // Shared Signals' transmitter endpoints (its administration under /api/hub/ is the hub's).
  ['/ssf/', 'ssf'],
  ['/.well-known/ssf-configuration', 'ssf'],
  ['/.well-known/risc-configuration', 'ssf'],
  ['/.well-known/oauth-authorization-server', 'ssf'],
  ['/api/docs', 'docs'],
  ['/-/health/', 'health'],
];

export function faceOfPath(path: string): HttpFace {
  for (const [prefix, face] of FACE_PREFIXES) if (path.startsWith(prefix)) return face;
  return 'other';
}
