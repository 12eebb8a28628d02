import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `search_text` was computed on every write of a session and read by nothing since ListIndexTuning (usernames are
 * searched in `users`, IP and user agent through their own expression index).
 */
export class DropSearchText1764100000000 implements MigrationInterface {
  name = 'DropSearchText1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP COLUMN IF EXISTS search_text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions ADD COLUMN search_text text GENERATED ALWAYS AS
      (lower(username || E'\\x1f' || host(last_ip) || E'\\x1f' || last_user_agent)) STORED`);
  }
}
