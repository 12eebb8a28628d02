import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every process that keeps copies of API tokens and users (AccountCache, formerly ApiTokenCache) hears at once when
 * a token or its owner's standing changes, whichever path changed it: the hub, the CLI, another instance, an
 * operator's SQL. Statement-level, so a change of many rows is one notification; a token's last-use writes change
 * none of the watched columns.
 */
export class NotifyCredentialsChanged1765200000000 implements MigrationInterface {
  name = 'NotifyCredentialsChanged1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION notify_credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('credentials_changed', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER api_tokens_notify_changed
      AFTER UPDATE OF key_hash, user_id, expires_at OR DELETE OR TRUNCATE ON api_tokens
      FOR EACH STATEMENT EXECUTE FUNCTION notify_credentials_changed()`);
    await q.query(`CREATE TRIGGER users_notify_changed
      AFTER UPDATE OF id, username, is_active, is_superuser, is_operator OR DELETE OR TRUNCATE ON users
      FOR EACH STATEMENT EXECUTE FUNCTION notify_credentials_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS users_notify_changed ON users`);
    await q.query(`DROP TRIGGER IF EXISTS api_tokens_notify_changed ON api_tokens`);
    await q.query(`DROP FUNCTION IF EXISTS notify_credentials_changed()`);
  }
}
