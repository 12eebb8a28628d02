import { Row } from '../../../database/database';
import { ApiToken } from '../../session.model';
import { date, nullableDate } from './decode';
import { defineTable, selectList } from './table';

export interface ApiTokenRow {
  id: number;
  identifier: string;
  /** SHA-256 of the key, hex; the key itself is never stored. */
  key_hash: string;
  user_id: number;
  description: string;
  expires_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
}

export const API_TOKENS = defineTable<ApiTokenRow>('api_tokens', 't', {
  id: 'int',
  identifier: 'varchar',
  key_hash: 'char(64)',
  user_id: 'int',
  description: 'text',
  expires_at: 'timestamptz',
  last_used_at: 'timestamptz',
  created_at: 'timestamptz',
});

/**
 * A token's columns, named `token_*` so they can stand beside its owner's, plus the owner's username (`u` joined).
 * The key hash stays in the database.
 */
export const API_TOKEN_SELECT = `${selectList(API_TOKENS, ['id', 'key_hash'], 'token_')}, u.username AS token_owner`;

export function toApiToken(row: Row): ApiToken {
  return {
    identifier: String(row.token_identifier),
    userId: Number(row.token_user_id),
    username: String(row.token_owner),
    description: String(row.token_description),
    expiresAt: nullableDate(row.token_expires_at),
    lastUsedAt: nullableDate(row.token_last_used_at),
    createdAt: date(row.token_created_at),
  };
}
