import { Row } from '../../../database/database';
import { User } from '../../session.model';
import { date, nullableNumber } from './decode';
import { defineTable, selectList } from './table';

export interface UserRow {
  id: number;
  uuid: string;
  username: string;
  name: string;
  email: string;
  is_superuser: boolean;
  is_operator: boolean;
  is_active: boolean;
  pfid: string;
  max_sessions: number | null;
  created_at: Date;
}

export const USERS = defineTable<UserRow>('users', 'u', {
  id: 'int',
  uuid: 'uuid',
  username: 'varchar',
  name: 'text',
  email: 'text',
  is_superuser: 'boolean',
  is_operator: 'boolean',
  is_active: 'boolean',
  pfid: 'char(32)',
  max_sessions: 'int',
  created_at: 'timestamptz',
});

export const USER_SELECT = selectList(USERS);

const OWNER_PREFIX = 'owner_';
/** The user's columns renamed `owner_*`, beside a session's own columns (which share some of their names). */
export const OWNER_SELECT = selectList(USERS, [], OWNER_PREFIX);
const USER_COLUMN_NAMES = Object.keys(USERS.columns);

/** The user read by OWNER_SELECT. */
export function toOwner(row: Row): User {
  const owner: Row = {};
  for (const column of USER_COLUMN_NAMES) owner[column] = row[OWNER_PREFIX + column];
  return toUser(owner);
}

export function toUser(row: Row): User {
  return {
    id: Number(row.id),
    uuid: String(row.uuid),
    username: String(row.username),
    name: String(row.name),
    email: String(row.email),
    isSuperuser: Boolean(row.is_superuser),
    isOperator: Boolean(row.is_operator),
    isActive: Boolean(row.is_active),
    pfid: String(row.pfid),
    maxSessions: nullableNumber(row.max_sessions),
    createdAt: date(row.created_at),
  };
}
