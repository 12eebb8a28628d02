import { defineTable } from './table';

/** A user's device: one per (user, fingerprint of the user agent and app-reported device facts). */
export interface DeviceRow {
  pfid: string;
  user_id: number;
  fingerprint: string;
  created_at: Date;
}

export const DEVICES = defineTable<DeviceRow>('devices', 'd', {
  pfid: 'char(32)',
  user_id: 'int',
  fingerprint: 'char(64)',
  created_at: 'timestamptz',
});
