import { Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { OutboxEntry } from '../tables/ssf-outbox.table';
import { SET_ALGORITHM, SigningKeys } from './signing-keys';

/** The `iss_sub` subjects the outbox stores without their issuer, which is only known here, completed with it. */
export function withIssuer(subject: unknown, issuer: string): unknown {
  if (Array.isArray(subject)) return subject.map((item) => withIssuer(item, issuer));
  if (subject === null || typeof subject !== 'object') return subject;
  const completed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(subject)) completed[key] = withIssuer(value, issuer);
  if (completed.format === 'iss_sub' && completed.iss === undefined)
    return { format: 'iss_sub', iss: issuer, ...completed };
  return completed;
}

/**
 * Builds and signs a Security Event Token (RFC 8417, as SSF profiles it) from an outbox entry: header
 * `typ: secevent+jwt` with the current `kid`; claims iss, jti, iat (when the event was recorded, so a redelivery
 * carries the same claims), aud, txn, sub_id and exactly one event; never `sub` or `exp`.
 */
@Injectable()
export class SetSigner {
  constructor(private readonly keys: SigningKeys) {}

  async sign(entry: OutboxEntry, issuer: string, audience: string): Promise<string> {
    const { kid, key } = await this.keys.signingKey();
    return new SignJWT({
      txn: entry.txn,
      sub_id: withIssuer(entry.subId, issuer),
      events: { [entry.eventType]: entry.event },
    })
      .setProtectedHeader({ alg: SET_ALGORITHM, typ: 'secevent+jwt', kid })
      .setIssuer(issuer)
      .setJti(entry.jti)
      .setIssuedAt(Math.floor(entry.createdAt.getTime() / 1000))
      .setAudience(audience)
      .sign(key);
  }
}
