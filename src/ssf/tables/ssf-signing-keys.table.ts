import { JWK } from 'jose';
import { Row } from '../../database/database';
import { date, json, nullableDate } from '../../sessions/persistence/tables/decode';
import { defineTable } from '../../sessions/persistence/tables/table';

export interface SigningKeyRow {
  id: number;
  kid: string;
  public_jwk: JWK;
  /** PKCS#8 PEM, or with `encrypted` a compact JWE (dir, A256GCM) of it under SSF_KEY_ENCRYPTION_KEY. */
  private_key: string;
  encrypted: boolean;
  created_at: Date;
  /** Null for the current key; a retired key stays published until retired_at + SSF_KEY_OVERLAP_SECONDS. */
  retired_at: Date | null;
}

export const SIGNING_KEYS = defineTable<SigningKeyRow>('ssf_signing_keys', 'k', {
  id: 'int',
  kid: 'varchar',
  public_jwk: 'jsonb',
  private_key: 'text',
  encrypted: 'boolean',
  created_at: 'timestamptz',
  retired_at: 'timestamptz',
});

export interface StoredSigningKey {
  kid: string;
  publicJwk: JWK;
  privateKey: string;
  encrypted: boolean;
  createdAt: Date;
  retiredAt: Date | null;
}

export function toStoredSigningKey(row: Row): StoredSigningKey {
  return {
    kid: String(row.kid),
    publicJwk: json<JWK>(row.public_jwk),
    privateKey: String(row.private_key),
    encrypted: Boolean(row.encrypted),
    createdAt: date(row.created_at),
    retiredAt: nullableDate(row.retired_at),
  };
}
