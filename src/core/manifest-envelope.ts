import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { deriveKey, keyId } from './key.js';

// The encrypted manifest envelope, as pinned:
//   { "pillbox": "manifest/v1", keyId, alg: "A256GCM", iv, data }
// `data` is AES-256-GCM ciphertext || 16-byte tag, base64url, under a key derived from the decoy
// key. `iv` is derived from the plaintext by HMAC (a synthetic IV), so equal builds give equal
// manifests; distinct plaintexts get distinct IVs, which is what GCM needs.

export const MANIFEST_MARKER = 'manifest/v1';

export interface ManifestEnvelope {
  pillbox: typeof MANIFEST_MARKER;
  keyId: string;
  alg: 'A256GCM';
  iv: string;
  data: string;
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

export function sealManifest(key: Buffer, plaintext: unknown): ManifestEnvelope {
  const json = Buffer.from(JSON.stringify(plaintext), 'utf8');
  const encKey = deriveKey(key, 'pillbox/v1/manifest/enc');
  const ivKey = deriveKey(key, 'pillbox/v1/manifest/iv');
  const iv = createHmac('sha256', ivKey).update(json).digest().subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', encKey, iv);
  cipher.setAAD(Buffer.from(MANIFEST_MARKER));
  const data = Buffer.concat([cipher.update(json), cipher.final(), cipher.getAuthTag()]);
  return { pillbox: MANIFEST_MARKER, keyId: keyId(key), alg: 'A256GCM', iv: iv.toString('base64url'), data: data.toString('base64url') };
}

export function isManifestEnvelope(value: unknown): value is ManifestEnvelope {
  const v = value as Partial<ManifestEnvelope> | null;
  return !!v && typeof v === 'object' && v.pillbox === MANIFEST_MARKER && typeof v.data === 'string' && typeof v.iv === 'string';
}

export function openManifest<T = unknown>(key: Buffer, envelope: unknown, where = 'manifest'): T {
  if (!isManifestEnvelope(envelope)) throw new ManifestError(`${where} is not a pillbox manifest envelope`);
  if (envelope.alg !== 'A256GCM') throw new ManifestError(`${where}: unsupported alg ${String(envelope.alg)}`);
  const id = keyId(key);
  if (envelope.keyId !== id) throw new ManifestError(`${where} was sealed with key ${envelope.keyId}, not this key (${id})`);
  const raw = Buffer.from(envelope.data, 'base64url');
  if (raw.length < 16) throw new ManifestError(`${where} is truncated`);
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(key, 'pillbox/v1/manifest/enc'), Buffer.from(envelope.iv, 'base64url'));
  decipher.setAAD(Buffer.from(MANIFEST_MARKER));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  let json: Buffer;
  try {
    json = Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()]);
  } catch {
    throw new ManifestError(`${where} failed authentication (tampered, or another key)`);
  }
  return JSON.parse(json.toString('utf8')) as T;
}
