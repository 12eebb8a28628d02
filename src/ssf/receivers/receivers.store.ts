import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../../config/tokens';
import { Database } from '../../database/database';
import { insertRow } from '../../sessions/persistence/tables/table';
import { ACCESS_TOKENS, AccessTokenRow } from '../tables/ssf-access-tokens.table';
import { RECEIVER_SELECT, RECEIVERS, Receiver, ReceiverRow, toReceiver } from '../tables/ssf-receivers.table';

/** Receivers and their access tokens: plain SQL over `Database`. */
@Injectable()
export class ReceiversStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async insert(row: Omit<ReceiverRow, 'id' | 'created_at'>): Promise<Receiver> {
    const { text, params } = insertRow(RECEIVERS, row);
    const [inserted] = await this.db.rows(`${text} RETURNING ${RECEIVER_SELECT}`, params);
    return toReceiver(inserted);
  }

  async list(): Promise<Receiver[]> {
    return (await this.db.rows(`SELECT ${RECEIVER_SELECT} FROM ssf_receivers r ORDER BY r.id`)).map(toReceiver);
  }

  /** Deletes a receiver with its tokens, streams and their SETs. */
  async delete(clientId: string): Promise<boolean> {
    return (await this.db.rows(`DELETE FROM ssf_receivers WHERE client_id = $1 RETURNING id`, [clientId])).length > 0;
  }

  async withSecretHash(clientId: string): Promise<{ receiver: Receiver; secretHash: string } | null> {
    const rows = await this.db.rows(
      `SELECT ${RECEIVER_SELECT}, r.secret_hash FROM ssf_receivers r WHERE r.client_id = $1`,
      [clientId],
    );
    return rows.length ? { receiver: toReceiver(rows[0]), secretHash: String(rows[0].secret_hash) } : null;
  }

  async insertToken(row: AccessTokenRow): Promise<void> {
    const { text, params } = insertRow(ACCESS_TOKENS, row);
    await this.db.rows(text, params);
  }

  /** The receiver and scope of an unexpired token, by the token's hash. */
  async byTokenHash(tokenHash: string): Promise<{ receiver: Receiver; scope: string } | null> {
    const rows = await this.db.rows(
      `SELECT ${RECEIVER_SELECT}, a.scope FROM ssf_access_tokens a JOIN ssf_receivers r ON r.id = a.receiver_id
       WHERE a.token_hash = $1 AND a.expires_at > now()`,
      [tokenHash],
      { prepare: true },
    );
    return rows.length ? { receiver: toReceiver(rows[0]), scope: String(rows[0].scope) } : null;
  }

  async purgeExpiredTokens(): Promise<void> {
    await this.db.rows(`DELETE FROM ssf_access_tokens WHERE expires_at < now()`);
  }
}
