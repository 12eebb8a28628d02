import { secureRandomBytes } from './random-bytes';

/**
 * Prefactor ids (PFIDs): 160 bits as 32 lowercase Crockford base32 characters: 2 zero bits, a 48-bit
 * millisecond timestamp, a 30-bit partition, 80 random bits. Ids of one account share its partition.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const PFID_PATTERN = /^[0-7][0-9abcdefghjkmnpqrstvwxyz]{31}$/;

/**
 * `chars` base32 digits of a whole number below 2^53, most significant first. Plain numbers rather than BigInt:
 * every part of a PFID is at most 48 bits (the 80 random bits go as two 40-bit halves), and BigInt arithmetic was
 * about 1.3 % of a login's Node CPU (docs/performance.md, nineteenth stop).
 */
function encode(value: number, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i++) {
    out = ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

function decode(text: string): number {
  let value = 0;
  for (const ch of text) value = value * 32 + ALPHABET.indexOf(ch);
  return value;
}

export function isPfid(value: unknown): value is string {
  return typeof value === 'string' && PFID_PATTERN.test(value);
}

export function randomPartition(): number {
  return secureRandomBytes(4).readUInt32BE(0) & 0x3fffffff;
}

export function generatePfid(partition = randomPartition(), timestampMs = Date.now()): string {
  return pfidOf(timestampMs, partition, secureRandomBytes(10));
}

/** The PFID of a time, a partition and 10 random bytes. */
export function pfidOf(timestampMs: number, partition: number, random: Buffer): string {
  const randomPart = encode(random.readUIntBE(0, 5), 8) + encode(random.readUIntBE(5, 5), 8);
  return encode(timestampMs, 10) + encode(partition & 0x3fffffff, 6) + randomPart;
}

export function pfidPartition(pfid: string): number {
  return decode(pfid.slice(10, 16));
}

export function pfidTimestamp(pfid: string): number {
  return decode(pfid.slice(0, 10));
}

/** A new id in the same partition as `related` (PFID's generate_related). */
export function generateRelatedPfid(related: string, timestampMs = Date.now()): string {
  return generatePfid(pfidPartition(related), timestampMs);
}
