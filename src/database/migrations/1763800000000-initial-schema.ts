import { MigrationInterface, QueryRunner } from 'typeorm';

/** A session is live while its status says so and it has not expired; partial indexes cover the status half. */
const LIVE = `status IN ('new', 'unauthenticated', 'authenticated')`;

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE settings (
        key varchar(64) PRIMARY KEY,
        value text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE users (
        id serial PRIMARY KEY,
        uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        username varchar(150) NOT NULL UNIQUE,
        name text NOT NULL DEFAULT '',
        email text NOT NULL DEFAULT '',
        is_superuser boolean NOT NULL DEFAULT false,
        is_operator boolean NOT NULL DEFAULT false,
        is_active boolean NOT NULL DEFAULT true,
        pfid char(32) NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX users_username_trgm ON users USING gin (username gin_trgm_ops)`);
    await q.query(`
      CREATE TABLE api_tokens (
        id serial PRIMARY KEY,
        identifier varchar(100) NOT NULL UNIQUE,
        key_hash char(64) NOT NULL UNIQUE,
        user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        description text NOT NULL DEFAULT '',
        expires_at timestamptz NULL,
        last_used_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX api_tokens_user ON api_tokens (user_id)`);
    await q.query(`
      CREATE TABLE devices (
        pfid char(32) PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        fingerprint char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (user_id, fingerprint)
      )`);
    await q.query(`
      CREATE TABLE sessions (
        id bigserial PRIMARY KEY,
        uuid uuid NOT NULL UNIQUE,
        pfid char(32) NOT NULL UNIQUE,
        token_hash char(64) NOT NULL UNIQUE,
        user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        username varchar(150) NOT NULL,
        status varchar(16) NOT NULL
          CHECK (status IN ('new', 'unauthenticated', 'authenticated', 'complete', 'revoked')),
        session_type varchar(8) NOT NULL CHECK (session_type IN ('browser', 'api')),
        account_id char(32) NOT NULL,
        domain_id char(32) NOT NULL,
        pool_id char(32) NOT NULL,
        identity_id char(32) NOT NULL,
        device_id char(32) NOT NULL,
        title text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        first_seen_at timestamptz NOT NULL,
        first_ip inet NOT NULL,
        first_user_agent text NOT NULL,
        last_seen_at timestamptz NOT NULL,
        last_ip inet NOT NULL,
        last_user_agent text NOT NULL,
        expires_at timestamptz NOT NULL,
        ended_at timestamptz NULL,
        ended_by integer NULL REFERENCES users(id) ON DELETE SET NULL,
        device_brand text NULL,
        device_model text NULL,
        device_os_name text NULL,
        device_os_version text NULL,
        device_app_name text NULL,
        device_app_version text NULL,
        device_class varchar(16) NOT NULL DEFAULT 'other',
        user_agent_parsed jsonb NOT NULL,
        geo jsonb NULL,
        asn jsonb NULL,
        search_text text GENERATED ALWAYS AS
          (lower(username || E'\\x1f' || host(last_ip) || E'\\x1f' || last_user_agent)) STORED
      )`);
    // Every filter and ordering the faces offer over live sessions has an index that serves it.
    await q.query(`CREATE INDEX sessions_live_username ON sessions (username, id) WHERE ${LIVE}`);
    await q.query(`CREATE INDEX sessions_live_user ON sessions (user_id, last_seen_at DESC, id) WHERE ${LIVE}`);
    await q.query(`CREATE INDEX sessions_live_expires ON sessions (expires_at, id) WHERE ${LIVE}`);
    await q.query(`CREATE INDEX sessions_live_last_seen ON sessions (last_seen_at, id) WHERE ${LIVE}`);
    await q.query(`CREATE INDEX sessions_live_last_ip ON sessions (last_ip, id) WHERE ${LIVE}`);
    await q.query(`CREATE INDEX sessions_live_uuid ON sessions (uuid) WHERE ${LIVE}`);
    await q.query(`CREATE INDEX sessions_live_user_agent ON sessions USING hash (last_user_agent) WHERE ${LIVE}`);
    await q.query(`CREATE INDEX sessions_live_search ON sessions USING gin (search_text gin_trgm_ops) WHERE ${LIVE}`);
    // Prefactor lists every status, scoped by pool or account.
    await q.query(`CREATE INDEX sessions_pool_id ON sessions (pool_id, id)`);
    await q.query(`CREATE INDEX sessions_pool_last_seen ON sessions (pool_id, last_seen_at, id)`);
    await q.query(`CREATE INDEX sessions_account_id ON sessions (account_id, id)`);
    await q.query(`CREATE INDEX sessions_user_id ON sessions (user_id, id)`);
    await q.query(`CREATE INDEX sessions_ended_at ON sessions (ended_at) WHERE ended_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE session_events (
        id bigserial PRIMARY KEY,
        session_id bigint NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        kind varchar(32) NOT NULL
          CHECK (kind IN ('created', 'validated_new_ip', 'ended', 'revoked', 'expired')),
        actor_user_id integer NULL REFERENCES users(id) ON DELETE SET NULL,
        face varchar(16) NULL,
        at timestamptz NOT NULL DEFAULT now(),
        ip inet NULL,
        user_agent text NULL
      )`);
    await q.query(`CREATE INDEX session_events_session ON session_events (session_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['session_events', 'sessions', 'devices', 'api_tokens', 'users', 'settings']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
