import { defineTable } from '../../sessions/persistence/tables/table';

/** A receiver's bearer token: opaque, stored as its SHA-256 only, valid until expires_at. */
export interface AccessTokenRow {
  token_hash: string;
  receiver_id: number;
  /** Space-separated, as OAuth writes scopes: `ssf.manage`, `ssf.read`. */
  scope: string;
  expires_at: Date;
}

export const ACCESS_TOKENS = defineTable<AccessTokenRow>('ssf_access_tokens', 'a', {
  token_hash: 'char(64)',
  receiver_id: 'int',
  scope: 'varchar',
  expires_at: 'timestamptz',
});
