-- authentik's tables for sessions as Django creates them from the stand-in's models (standin/models.py): keys,
-- unique constraints, foreign-key indexes, the _like indexes Django adds for varchar keys, and the models' indexes.
CREATE TABLE authentik_core_user (
  id integer PRIMARY KEY,
  username varchar(150) NOT NULL UNIQUE,
  name text NOT NULL,
  is_active boolean NOT NULL,
  is_superuser boolean NOT NULL
);
CREATE INDEX authentik_core_user_username_like ON authentik_core_user (username varchar_pattern_ops);

CREATE TABLE authentik_core_token (
  token_uuid uuid PRIMARY KEY,
  identifier varchar(255) NOT NULL UNIQUE,
  key text NOT NULL,
  intent text NOT NULL,
  user_id integer NOT NULL REFERENCES authentik_core_user (id) DEFERRABLE INITIALLY DEFERRED,
  expires timestamptz,
  expiring boolean NOT NULL
);
CREATE INDEX authentik_core_token_key ON authentik_core_token (key);
CREATE INDEX authentik_core_token_user_id ON authentik_core_token (user_id);

CREATE TABLE authentik_core_session (
  session_key varchar(40) PRIMARY KEY,
  session_data bytea NOT NULL,
  expires timestamptz,
  expiring boolean NOT NULL,
  last_ip inet NOT NULL,
  last_user_agent text NOT NULL,
  last_used timestamptz NOT NULL
);
CREATE INDEX authentik_core_session_session_key_like ON authentik_core_session (session_key varchar_pattern_ops);
CREATE INDEX authentik_core_session_expires ON authentik_core_session (expires);
CREATE INDEX authentik_core_session_expiring ON authentik_core_session (expiring);
CREATE INDEX authentik_core_session_expiring_expires ON authentik_core_session (expiring, expires);
CREATE INDEX authentik_core_session_expires_session_key ON authentik_core_session (expires, session_key);

CREATE TABLE authentik_core_authenticatedsession (
  session_id varchar(40) PRIMARY KEY REFERENCES authentik_core_session (session_key) DEFERRABLE INITIALLY DEFERRED,
  uuid uuid NOT NULL UNIQUE,
  user_id integer NOT NULL REFERENCES authentik_core_user (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX authentik_core_authenticatedsession_session_id_like
  ON authentik_core_authenticatedsession (session_id varchar_pattern_ops);
CREATE INDEX authentik_core_authenticatedsession_user_id ON authentik_core_authenticatedsession (user_id);
