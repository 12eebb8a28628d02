import { UUID_PATTERN } from '../uuid';

/** One way a reference can name a user: a column of `users` and the value it must hold. */
export interface UserMatch {
  column: 'id' | 'uuid' | 'username';
  value: number | string;
}

/** Whether `id` can be a user's id (a positive PostgreSQL integer). */
export function isUserId(id: number): boolean {
  return Number.isSafeInteger(id) && id > 0 && id <= 2147483647;
}

/**
 * How a reference given as id, uuid or username names a user, in the order to try: an integer is an id; a uuid is
 * a user's uuid, else the username of someone who chose a uuid as their name; anything else is a username. None
 * when it can name no one (an id out of range).
 */
export function userMatches(ref: number | string): UserMatch[] {
  if (typeof ref === 'number') return isUserId(ref) ? [{ column: 'id', value: ref }] : [];
  if (UUID_PATTERN.test(ref))
    return [
      { column: 'uuid', value: ref.toLowerCase() },
      { column: 'username', value: ref },
    ];
  return [{ column: 'username', value: ref }];
}
