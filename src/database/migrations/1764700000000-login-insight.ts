import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What login insight compares a login with, one row per user, updated by the login (or the validate from a new
 * address) itself: the devices and countries seen (the latest 50 of each) and the last position with coordinates.
 * Reading it is one primary-key probe, however many sessions the user has. It learns from logins from now on.
 */
export class LoginInsight1764700000000 implements MigrationInterface {
  name = 'LoginInsight1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_insight (
        user_id integer PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        sessions integer NOT NULL,
        devices text[] NOT NULL,
        countries text[] NOT NULL,
        last_geo jsonb,
        last_ip text,
        last_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_insight`);
  }
}
