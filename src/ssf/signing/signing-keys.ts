import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, JWK, KeyLike } from 'jose';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG, DATABASE } from '../../config/tokens';
import { Database, Queryable } from '../../database/database';
import { date, json } from '../../sessions/persistence/tables/decode';
import { insertRow } from '../../sessions/persistence/tables/table';
import { SIGNING_KEYS, StoredSigningKey, toStoredSigningKey } from '../tables/ssf-signing-keys.table';
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption';

export const SET_ALGORITHM = 'RS256';

/** How long a process signs with the key it read before looking again (another instance may have rotated). */
const CURRENT_KEY_CACHE_MS = 10_000;

export interface SigningKey {
  kid: string;
  key: KeyLike;
}

export interface Rotation {
  kid: string;
  previousKid: string | null;
  /** When the previous key leaves the JWKS. */
  previousPublishedUntil: Date | null;
}

/**
 * The transmitter's RS256 keys, kept in the database so every instance signs with the same one: generated at first
 * start, encrypted at rest under SSF_KEY_ENCRYPTION_KEY when it is set, rotated with an overlap during which the
 * JWKS still publishes the previous key.
 */
@Injectable()
export class SigningKeys implements OnApplicationBootstrap {
  private readonly logger = new Logger('ssf');
  private cached: { key: SigningKey; readAt: number } | null = null;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.SSF_KEY_ENCRYPTION_KEY) await this.encryptStoredKeys();
    await this.signingKey();
  }

  /** The current key, generated if there is none yet. */
  async signingKey(): Promise<SigningKey> {
    if (this.cached && Date.now() - this.cached.readAt < CURRENT_KEY_CACHE_MS) return this.cached.key;
    let stored = await this.currentStored(this.db);
    if (!stored) {
      // Two instances starting at once both generate; the unique index keeps the first, the other reads it.
      const { text, params } = insertRow(SIGNING_KEYS, await this.newKeyRow());
      await this.db.rows(`${text} ON CONFLICT DO NOTHING`, params);
      stored = (await this.currentStored(this.db))!;
    }
    const key = { kid: stored.kid, key: await importPKCS8(await this.privatePem(stored), SET_ALGORITHM) };
    this.cached = { key, readAt: Date.now() };
    return key;
  }

  /** The published keys: the current one and those retired less than SSF_KEY_OVERLAP_SECONDS ago. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.db.rows(
      `SELECT public_jwk FROM ssf_signing_keys
       WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1) ORDER BY created_at DESC`,
      [this.config.SSF_KEY_OVERLAP_SECONDS],
    );
    return { keys: rows.map((row) => json<JWK>(row.public_jwk)) };
  }

  /** A new current key; the previous one is retired and stays published for the overlap. */
  async rotate(): Promise<Rotation> {
    const row = await this.newKeyRow();
    const rotation = await this.db.transaction(async (tx) => {
      const retired = await tx.rows(
        `UPDATE ssf_signing_keys SET retired_at = now() WHERE retired_at IS NULL RETURNING kid, retired_at`,
      );
      const { text, params } = insertRow(SIGNING_KEYS, row);
      await tx.rows(text, params);
      const previous = retired[0];
      return {
        kid: row.kid,
        previousKid: previous ? String(previous.kid) : null,
        previousPublishedUntil: previous
          ? new Date(date(previous.retired_at).getTime() + this.config.SSF_KEY_OVERLAP_SECONDS * 1000)
          : null,
      };
    });
    this.cached = null;
    this.logger.log(`ssf: signing key rotated to ${rotation.kid} (previous ${rotation.previousKid ?? 'none'})`);
    return rotation;
  }

  private async currentStored(on: Queryable): Promise<StoredSigningKey | null> {
    const rows = await on.rows(`SELECT * FROM ssf_signing_keys WHERE retired_at IS NULL`);
    return rows.length ? toStoredSigningKey(rows[0]) : null;
  }

  private privatePem(stored: StoredSigningKey): Promise<string> {
    return stored.encrypted
      ? decryptPrivateKey(stored.privateKey, this.config.SSF_KEY_ENCRYPTION_KEY)
      : Promise.resolve(stored.privateKey);
  }

  private async newKeyRow(): Promise<{ kid: string; public_jwk: JWK; private_key: string; encrypted: boolean }> {
    const { publicKey, privateKey } = await generateKeyPair(SET_ALGORITHM, { modulusLength: 2048, extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    const pem = await exportPKCS8(privateKey);
    const encryptionKey = this.config.SSF_KEY_ENCRYPTION_KEY;
    return {
      kid,
      public_jwk: { ...jwk, kid, alg: SET_ALGORITHM, use: 'sig' },
      private_key: encryptionKey ? await encryptPrivateKey(pem, encryptionKey) : pem,
      encrypted: Boolean(encryptionKey),
    };
  }

  /** Keys stored before SSF_KEY_ENCRYPTION_KEY was set are encrypted in place at the next start. */
  private async encryptStoredKeys(): Promise<void> {
    const plain = await this.db.rows(`SELECT kid, private_key FROM ssf_signing_keys WHERE NOT encrypted`);
    for (const row of plain) {
      const jwe = await encryptPrivateKey(String(row.private_key), this.config.SSF_KEY_ENCRYPTION_KEY!);
      await this.db.rows(
        `UPDATE ssf_signing_keys SET private_key = $2, encrypted = true WHERE kid = $1 AND NOT encrypted`,
        [row.kid, jwe],
      );
    }
    if (plain.length) this.logger.log(`ssf: ${plain.length} stored signing key(s) encrypted at rest`);
  }
}
