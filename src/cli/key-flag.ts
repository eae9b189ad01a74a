import { resolve } from 'node:path';
import { HOW_TO_MAKE_A_KEY, KeyError, resolveKey } from '../core/key.js';
import type { CliContext } from './main.js';

/**
 * The decoy key for a command: `--key-file FILE` (relative to the cwd), else PILLBOX_KEY.
 * Returns the key, or an error message that names where the key was looked for (never the
 * key itself) and says how to make one.
 */
export function keyFromFlags(keyFile: string | undefined, ctx: CliContext, whyNeeded: string): { key: Buffer } | { error: string } {
  try {
    const key = resolveKey({ keyFile: keyFile ? resolve(ctx.cwd, keyFile) : undefined, env: ctx.env });
    return key ? { key } : { error: `no key: ${whyNeeded}. ${HOW_TO_MAKE_A_KEY}` };
  } catch (err) {
    if (err instanceof KeyError) return { error: err.message };
    throw err;
  }
}
