import { basename } from 'node:path';
import type { TargetReader } from '../types.js';
import { diskEntry, makeReader, overFileLimit, type ReaderContext } from './common.js';

/** One file given directly (`cli.js.map`, `bundle.js`): a single entry named by its basename. */
export function openSingleFile(display: string, absPath: string, size: number, ctx: ReaderContext): TargetReader {
  return makeReader(ctx, async function* () {
    if (!overFileLimit(ctx, display, size)) yield diskEntry(ctx, absPath, display, basename(absPath), size);
  });
}
