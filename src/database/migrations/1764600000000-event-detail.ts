import { MigrationInterface, QueryRunner } from 'typeorm';

/** Security insight events (new device, new country, impossible travel) carry what a person needs to judge them. */
export class EventDetail1764600000000 implements MigrationInterface {
  name = 'EventDetail1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE session_events ADD COLUMN detail jsonb`);
    await q.query(`ALTER TABLE session_events DROP CONSTRAINT session_events_kind_check`);
    await q.query(`ALTER TABLE session_events ADD CONSTRAINT session_events_kind_check CHECK (kind IN ('created',
      'validated_new_ip', 'ended', 'revoked', 'expired', 'new_device', 'new_country', 'impossible_travel'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM session_events WHERE kind IN ('new_device', 'new_country', 'impossible_travel')`);
    await q.query(`ALTER TABLE session_events DROP CONSTRAINT session_events_kind_check`);
    await q.query(`ALTER TABLE session_events ADD CONSTRAINT session_events_kind_check
      CHECK (kind IN ('created', 'validated_new_ip', 'ended', 'revoked', 'expired'))`);
    await q.query(`ALTER TABLE session_events DROP COLUMN detail`);
  }
}
