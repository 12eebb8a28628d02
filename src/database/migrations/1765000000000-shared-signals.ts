import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OpenID Shared Signals (docs/shared-signals.md): the transmitter's signing keys, its receivers (OAuth clients) and their
 * access tokens, the receivers' streams and subjects, and the outbox of Security Event Tokens waiting for delivery.
 * The triggers that fill the outbox are the next migration.
 */
export class SharedSignals1765000000000 implements MigrationInterface {
  name = 'SharedSignals1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ssf_signing_keys (
        id serial PRIMARY KEY,
        kid varchar NOT NULL UNIQUE,
        public_jwk jsonb NOT NULL,
        private_key text NOT NULL,
        encrypted boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      )`);
    // At most one current key: two instances generating the first key at once keep one.
    await q.query(`CREATE UNIQUE INDEX ssf_signing_keys_current ON ssf_signing_keys ((true)) WHERE retired_at IS NULL`);
    await q.query(`
      CREATE TABLE ssf_receivers (
        id serial PRIMARY KEY,
        client_id varchar NOT NULL UNIQUE,
        secret_hash char(64) NOT NULL,
        name text NOT NULL,
        audience text NOT NULL,
        created_by integer REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE ssf_access_tokens (
        token_hash char(64) PRIMARY KEY,
        receiver_id integer NOT NULL REFERENCES ssf_receivers (id) ON DELETE CASCADE,
        scope varchar NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ssf_access_tokens_expiry ON ssf_access_tokens (expires_at)`);
    await q.query(`
      CREATE TABLE ssf_streams (
        id uuid PRIMARY KEY,
        receiver_id integer NOT NULL REFERENCES ssf_receivers (id) ON DELETE CASCADE,
        issuer text NOT NULL,
        audience text NOT NULL,
        delivery_method varchar NOT NULL CHECK (delivery_method IN ('urn:ietf:rfc:8935', 'urn:ietf:rfc:8936')),
        endpoint_url text,
        authorization_header text,
        events_requested jsonb NOT NULL,
        events_delivered jsonb NOT NULL,
        description text,
        status varchar NOT NULL CHECK (status IN ('enabled', 'paused', 'disabled')),
        status_reason text,
        subjects_restricted boolean NOT NULL DEFAULT false,
        min_verification_interval integer NOT NULL,
        last_verified_at timestamptz,
        dropped bigint NOT NULL DEFAULT 0,
        lease_owner uuid,
        lease_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ssf_streams_receiver ON ssf_streams (receiver_id, created_at)`);
    await q.query(`
      CREATE TABLE ssf_stream_subjects (
        stream_id uuid NOT NULL REFERENCES ssf_streams (id) ON DELETE CASCADE,
        match_key text NOT NULL,
        subject jsonb NOT NULL,
        included boolean NOT NULL,
        PRIMARY KEY (stream_id, match_key)
      )`);
    await q.query(`
      CREATE TABLE ssf_outbox (
        id bigserial PRIMARY KEY,
        stream_id uuid NOT NULL REFERENCES ssf_streams (id) ON DELETE CASCADE,
        jti uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
        event_type text NOT NULL,
        sub_id jsonb NOT NULL,
        event jsonb NOT NULL,
        txn bigint NOT NULL DEFAULT txid_current(),
        dedup_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        state varchar NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'dropped')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        last_status integer,
        last_error text,
        delivered_at timestamptz,
        acked_at timestamptz,
        UNIQUE (stream_id, txn, dedup_key)
      )`);
    // Delivery reads a stream's pending SETs in delivery order; receipts read a stream's SETs newest first.
    await q.query(`CREATE INDEX ssf_outbox_pending ON ssf_outbox (stream_id, txn, id) WHERE state = 'pending'`);
    await q.query(`CREATE INDEX ssf_outbox_stream ON ssf_outbox (stream_id, id)`);
    await q.query(`CREATE INDEX ssf_outbox_finished ON ssf_outbox (created_at) WHERE state <> 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'ssf_outbox',
      'ssf_stream_subjects',
      'ssf_streams',
      'ssf_access_tokens',
      'ssf_receivers',
      'ssf_signing_keys',
    ])
      await q.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
