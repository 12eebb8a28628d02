import { MigrationInterface, QueryRunner } from 'typeorm';

const CAEP = 'https://schemas.openid.net/secevent/caep/event-type';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type';

/** The face as a person names it, in reason_admin. */
const FACE_LABEL = `CASE f.face WHEN 'hub' THEN 'SessionHub hub' WHEN 'authentik' THEN 'authentik'
  WHEN 'prefactor' THEN 'Prefactor' WHEN 'movens' THEN 'MOVENS' ELSE 'SessionHub' END`;
/** Who acted: the session's own user, another user (by username), or SessionHub itself (a limit eviction). */
const ACTOR_LABEL = `CASE WHEN f.actor_user_id IS NULL THEN 'SessionHub'
  WHEN f.actor_user_id = f.user_id THEN 'the user' ELSE f.actor_name END`;
const REASON_LABEL = `CASE f.reason WHEN 'logout' THEN 'logged out' WHEN 'revoke' THEN 'session revoked'
  WHEN 'revoke_all' THEN 'all sessions of the user revoked' WHEN 'credential_change' THEN 'credential change'
  WHEN 'limit' THEN 'concurrent-session limit reached at a new login' ELSE f.reason END`;
/** CAEP's initiating_entity (docs/shared-signals.md): a limit or a credential change is policy, else who acted. */
const INITIATING_ENTITY = `CASE WHEN f.reason IN ('limit', 'credential_change') THEN 'policy'
  WHEN f.actor_user_id IS NULL THEN 'system' WHEN f.actor_user_id = f.user_id THEN 'user' ELSE 'admin' END`;
const SESSION_SUBJECT = `jsonb_build_object('format', 'complex',
  'session', jsonb_build_object('format', 'opaque', 'id', f.session_uuid),
  'user', jsonb_build_object('format', 'iss_sub', 'sub', f.user_uuid))`;
const USER_SUBJECT = `jsonb_build_object('format', 'iss_sub', 'sub', f.user_uuid)`;
const EVENT_TIMESTAMP = `floor(extract(epoch FROM f.at))::bigint`;

/**
 * The transactional outbox (docs/shared-signals.md): triggers write each Security Event Token's claims in the transaction of
 * the change that causes it, whatever face or process made the change, so a committed revoke always has its SETs
 * and a rolled-back one never does. Until some stream is enabled or paused they stop after one probe of
 * ssf_streams. The issuer (`iss`, also in iss_sub subjects), `aud` and `iat` are added when the SET is signed.
 *
 * From session_events, once per statement: session-established (kind created), session-revoked (kinds ended and
 * revoked: logout, revoke, revoke_all, credential_change, limit; an expiry is not a revocation) and one
 * credential-change per user and transaction. From users, per row: account-disabled / -enabled / -purged.
 */
export class SharedSignalsOutboxTriggers1765100000000 implements MigrationInterface {
  name = 'SharedSignalsOutboxTriggers1765100000000';

  async up(q: QueryRunner): Promise<void> {
    // Subjects a receiver removed are never sent; once it added any, only the added ones are.
    await q.query(`CREATE FUNCTION ssf_subject_wanted(stream uuid, restricted boolean, keys text[]) RETURNS boolean
      LANGUAGE sql STABLE AS $$
        SELECT NOT EXISTS (SELECT 1 FROM ssf_stream_subjects x
                           WHERE x.stream_id = stream AND NOT x.included AND x.match_key = ANY (keys))
          AND (NOT restricted OR EXISTS (SELECT 1 FROM ssf_stream_subjects x
                                         WHERE x.stream_id = stream AND x.included AND x.match_key = ANY (keys)))
      $$`);
    await q.query(`CREATE FUNCTION ssf_outbox_from_session_events() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM ssf_streams WHERE status <> 'disabled') THEN RETURN NULL; END IF;
        WITH f AS (
          SELECT e.id, e.kind, e.reason, e.face, e.at, e.user_agent, e.user_id, e.actor_user_id,
                 s.uuid AS session_uuid, u.uuid AS user_uuid, a.username AS actor_name,
                 ARRAY['uuid:' || s.uuid, 'uuid:' || u.uuid, 'email:' || lower(nullif(u.email, ''))] AS keys
          FROM inserted e
          JOIN sessions s ON s.id = e.session_id
          JOIN users u ON u.id = e.user_id
          LEFT JOIN users a ON a.id = e.actor_user_id
          WHERE e.kind IN ('created', 'ended', 'revoked')
        ), sets AS (
          SELECT f.id AS ord, 1 AS rank, '${CAEP}/session-established' AS event_type, ${SESSION_SUBJECT} AS sub_id,
                 jsonb_strip_nulls(jsonb_build_object('event_timestamp', ${EVENT_TIMESTAMP},
                   'fp_ua', CASE WHEN coalesce(f.user_agent, '') <> '' THEN
                     rtrim(translate(encode(sha256(convert_to(f.user_agent, 'UTF8')), 'base64'), '+/', '-_'), '=')
                   END)) AS event,
                 NULL::text AS dedup_key, f.keys
          FROM f WHERE f.kind = 'created'
          UNION ALL
          SELECT f.id, 1, '${CAEP}/session-revoked', ${SESSION_SUBJECT},
                 jsonb_build_object('event_timestamp', ${EVENT_TIMESTAMP}, 'initiating_entity', ${INITIATING_ENTITY},
                   'reason_admin', jsonb_build_object('en', format('%s through the %s API by %s: %s',
                     CASE f.kind WHEN 'ended' THEN 'Ended' ELSE 'Revoked' END,
                     ${FACE_LABEL}, ${ACTOR_LABEL}, ${REASON_LABEL}))),
                 NULL, f.keys
          FROM f WHERE f.kind IN ('ended', 'revoked')
          UNION ALL
          -- One per user however many sessions the change ended, before their session-revoked SETs.
          (SELECT DISTINCT ON (f.user_id) f.id, 0, '${CAEP}/credential-change', ${USER_SUBJECT},
                 jsonb_build_object('event_timestamp', ${EVENT_TIMESTAMP}, 'credential_type', 'password',
                   'change_type', 'update',
                   'initiating_entity', CASE WHEN f.actor_user_id = f.user_id THEN 'user' ELSE 'admin' END,
                   'reason_admin', jsonb_build_object('en', format('Credential change reported through the %s API by %s',
                     ${FACE_LABEL}, ${ACTOR_LABEL}))),
                 'credential-change:' || f.user_uuid, f.keys
          FROM f WHERE f.reason = 'credential_change' ORDER BY f.user_id, f.id)
        )
        INSERT INTO ssf_outbox (stream_id, event_type, sub_id, event, txn, dedup_key)
        SELECT st.id, sets.event_type, sets.sub_id, sets.event, txid_current(), sets.dedup_key
        FROM sets JOIN ssf_streams st ON st.status <> 'disabled' AND st.events_delivered ? sets.event_type
        WHERE ssf_subject_wanted(st.id, st.subjects_restricted, sets.keys)
        ORDER BY sets.ord, sets.rank, st.id
        ON CONFLICT (stream_id, txn, dedup_key) DO NOTHING;
        IF FOUND THEN PERFORM pg_notify('ssf_outbox', ''); END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER session_events_ssf_outbox AFTER INSERT ON session_events
      REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION ssf_outbox_from_session_events()`);

    await q.query(`CREATE FUNCTION ssf_outbox_from_users() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        f users;
        set_type text;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM ssf_streams WHERE status <> 'disabled') THEN RETURN NULL; END IF;
        IF TG_OP = 'DELETE' THEN
          f := OLD;
          set_type := '${RISC}/account-purged';
        ELSE
          f := NEW;
          set_type := CASE WHEN NEW.is_active THEN '${RISC}/account-enabled' ELSE '${RISC}/account-disabled' END;
        END IF;
        INSERT INTO ssf_outbox (stream_id, event_type, sub_id, event, txn)
        SELECT st.id, set_type, jsonb_build_object('format', 'iss_sub', 'sub', f.uuid), '{}'::jsonb, txid_current()
        FROM ssf_streams st
        WHERE st.status <> 'disabled' AND st.events_delivered ? set_type
          AND ssf_subject_wanted(st.id, st.subjects_restricted,
                                 ARRAY['uuid:' || f.uuid, 'email:' || lower(nullif(f.email, ''))])
        ORDER BY st.id;
        IF FOUND THEN PERFORM pg_notify('ssf_outbox', ''); END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER users_ssf_outbox_active AFTER UPDATE OF is_active ON users FOR EACH ROW
      WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active) EXECUTE FUNCTION ssf_outbox_from_users()`);
    await q.query(`CREATE TRIGGER users_ssf_outbox_deleted AFTER DELETE ON users FOR EACH ROW
      EXECUTE FUNCTION ssf_outbox_from_users()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS users_ssf_outbox_deleted ON users`);
    await q.query(`DROP TRIGGER IF EXISTS users_ssf_outbox_active ON users`);
    await q.query(`DROP TRIGGER IF EXISTS session_events_ssf_outbox ON session_events`);
    await q.query(`DROP FUNCTION IF EXISTS ssf_outbox_from_users()`);
    await q.query(`DROP FUNCTION IF EXISTS ssf_outbox_from_session_events()`);
    await q.query(`DROP FUNCTION IF EXISTS ssf_subject_wanted(uuid, boolean, text[])`);
  }
}
