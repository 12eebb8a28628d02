import { createHash, randomBytes } from 'node:crypto';

/** Prefixes route a key to its table; keys without one (a chosen BOOTSTRAP_TOKEN) are looked up in both. */
export const API_TOKEN_PREFIX = 'shk_';
export const SESSION_TOKEN_PREFIX = 'shs_';

/** 256 random bits, URL-safe. */
export function newKey(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/**
 * The SHA-256 a key is stored and looked up by. Keys are found by an index on this hash, never compared: with
 * 256-bit random keys, how long a lookup takes tells nothing about another key.
 */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
