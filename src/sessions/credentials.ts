import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefixes route a key to its table; keys without one (a chosen BOOTSTRAP_TOKEN) are looked up in both. */
export const API_TOKEN_PREFIX = 'shk_';
export const SESSION_TOKEN_PREFIX = 'shs_';

/** 256 random bits, URL-safe. */
export function newKey(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
