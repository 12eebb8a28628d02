import { secureRandomBytes } from './random-bytes';

/**
 * Prefactor ids (PFIDs): 160 bits as 32 lowercase Crockford base32 characters: 2 zero bits, a 48-bit
 * millisecond timestamp, a 30-bit partition, 80 random bits. Ids of one account share its partition.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const PFID_PATTERN = /^[0-7][0-9abcdefghjkmnpqrstvwxyz]{31}$/;

function encode(value: bigint, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

function decode(text: string): bigint {
  let value = 0n;
  for (const ch of text) value = (value << 5n) | BigInt(ALPHABET.indexOf(ch));
  return value;
}

export function isPfid(value: unknown): value is string {
  return typeof value === 'string' && PFID_PATTERN.test(value);
}

export function randomPartition(): number {
  return secureRandomBytes(4).readUInt32BE(0) & 0x3fffffff;
}

export function generatePfid(partition = randomPartition(), timestampMs = Date.now()): string {
  const random = BigInt('0x' + secureRandomBytes(10).toString('hex'));
  return encode(BigInt(timestampMs), 10) + encode(BigInt(partition & 0x3fffffff), 6) + encode(random, 16);
}

export function pfidPartition(pfid: string): number {
  return Number(decode(pfid.slice(10, 16)));
}

export function pfidTimestamp(pfid: string): number {
  return Number(decode(pfid.slice(0, 10)));
}

/** A new id in the same partition as `related` (PFID's generate_related). */
export function generateRelatedPfid(related: string, timestampMs = Date.now()): string {
  return generatePfid(pfidPartition(related), timestampMs);
}
