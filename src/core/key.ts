import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

// Decoy keys. The key is 32 secret bytes; its text form is `pbk1_` + unpadded base64url.
// Nothing in this module ever prints, logs or embeds the key: errors name where it came from.

export const KEY_PREFIX = 'pbk1_';
const KEY_BYTES = 32;

export class KeyError extends Error {
  override name = 'KeyError';
}

export const HOW_TO_MAKE_A_KEY =
  'Make one with `npx pillbox keygen`, keep it in your secret store, and pass it as decoys.key, ' +
  'the PILLBOX_KEY environment variable, or --key-file FILE.';

/** A new random key in its text form. */
export function generateKey(): string {
  return KEY_PREFIX + randomBytes(KEY_BYTES).toString('base64url');
}

/** Decode `pbk1_...` to its 32 bytes. `source` names where it came from, for the error message. */
export function parseKey(text: string, source = 'the key'): Buffer {
  const trimmed = text.trim();
  if (!trimmed.startsWith(KEY_PREFIX)) {
    throw new KeyError(`${source} is not a pillbox key (it must start with "${KEY_PREFIX}"). ${HOW_TO_MAKE_A_KEY}`);
  }
  const body = trimmed.slice(KEY_PREFIX.length);
  if (!/^[A-Za-z0-9_-]{43}$/.test(body)) {
    throw new KeyError(`${source} is malformed (expected ${KEY_PREFIX} followed by 43 base64url characters). ${HOW_TO_MAKE_A_KEY}`);
  }
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length !== KEY_BYTES) throw new KeyError(`${source} does not decode to ${KEY_BYTES} bytes. ${HOW_TO_MAKE_A_KEY}`);
  return bytes;
}

/** First 8 bytes, in hex, of HMAC-SHA256(key, "pillbox/v1/key-id"). Safe to print. */
export function keyId(key: Buffer): string {
  return createHmac('sha256', key).update('pillbox/v1/key-id').digest().subarray(0, 8).toString('hex');
}

/**
 * Where a key may come from, in order: an explicit value (the plugin's decoys.key, taken by the
 * build script from its secret store), --key-file, then PILLBOX_KEY. Never from a config file.
 * Returns undefined when none is given.
 */
export function resolveKey(opts: { key?: string; keyFile?: string; env?: NodeJS.ProcessEnv } = {}): Buffer | undefined {
  if (opts.key !== undefined && opts.key !== '') return parseKey(opts.key, 'decoys.key');
  if (opts.keyFile) {
    let text: string;
    try {
      text = readFileSync(opts.keyFile, 'utf8');
    } catch (err) {
      throw new KeyError(`cannot read the key file ${opts.keyFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return parseKey(text, `the key file ${opts.keyFile}`);
  }
  const env = opts.env ?? process.env;
  if (env.PILLBOX_KEY) return parseKey(env.PILLBOX_KEY, 'PILLBOX_KEY');
  return undefined;
}

/** A sub-key for one purpose, by HKDF-SHA256 under a versioned label (`pillbox/v1/...`). */
export function deriveKey(key: Buffer, label: string, length = 32): Buffer {
  if (!label.startsWith('pillbox/v1/')) throw new Error(`derivation labels are versioned: ${label}`);
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), label, length));
}

/** Deterministic keyed bytes: HMAC-SHA256(subkey, message). */
export function keyedBytes(subkey: Buffer, message: string): Buffer {
  return createHmac('sha256', subkey).update(message).digest();
}

/** Does this text look like it holds a pillbox key? (The scanner flags key files by content.) */
export const KEY_PATTERN = /\bpbk1_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/;
