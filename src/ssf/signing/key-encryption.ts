import { compactDecrypt, CompactEncrypt } from 'jose';

/**
 * A private key at rest: a compact JWE (`dir`, A256GCM) under the 32-byte SSF_KEY_ENCRYPTION_KEY, so the AES-GCM
 * envelope (nonce, tag, header) is jose's, not ours.
 */
export async function encryptPrivateKey(pem: string, base64Key: string): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(pem))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .encrypt(Buffer.from(base64Key, 'base64'));
}

export async function decryptPrivateKey(jwe: string, base64Key: string | undefined): Promise<string> {
  if (!base64Key)
    throw new Error('A Shared Signals signing key is stored encrypted: set SSF_KEY_ENCRYPTION_KEY to read it.');
  try {
    const { plaintext } = await compactDecrypt(jwe, Buffer.from(base64Key, 'base64'));
    return new TextDecoder().decode(plaintext);
  } catch {
    throw new Error('A Shared Signals signing key does not decrypt with SSF_KEY_ENCRYPTION_KEY (the key changed?).');
  }
}
