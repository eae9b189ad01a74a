import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ScanError, TargetSummary } from '../../core/findings.js';
import type { ScanEntry, ScanLimits, TargetReader } from '../types.js';
import { describeFsError, formatBytes, ReadFailure, scanError } from './errors.js';

export interface ReaderContext {
  summary: TargetSummary;
  errors: ScanError[];
  limits: ScanLimits;
}

/**
 * Wraps a generator as a TargetReader. Entries are a one-shot stream (archives cannot be
 * rewound), so a second `entries()` call is a programming error. Yielded entries are counted
 * into the summary.
 */
export function makeReader(ctx: ReaderContext, produce: () => AsyncGenerator<ScanEntry>): TargetReader {
  let started = false;
  return {
    summary: ctx.summary,
    errors: ctx.errors,
    entries() {
      if (started) throw new Error('TargetReader.entries() can be iterated only once');
      started = true;
      return counted(ctx.summary, produce());
    },
  };
}

async function* counted(summary: TargetSummary, source: AsyncGenerator<ScanEntry>): AsyncGenerator<ScanEntry> {
  for await (const entry of source) {
    summary.files += 1;
    summary.bytes += entry.size;
    yield entry;
  }
}

/** A reader that holds only errors: the target could not be opened at all. */
export function failedReader(summary: TargetSummary, error: ScanError): TargetReader {
  const ctx = { summary, errors: [error], limits: undefined as never };
  return makeReader(ctx, async function* () {});
}

function tooLargeError(ctx: ReaderContext, path: string, size: number): ScanError {
  return scanError(
    path,
    'too-large',
    `${path}: ${formatBytes(size)} is over the per-file limit of ${formatBytes(ctx.limits.maxFileBytes)}; not read`,
  );
}

/** Records a too-large error when `size` is over the per-file limit. */
export function overFileLimit(ctx: ReaderContext, path: string, size: number): boolean {
  if (size <= ctx.limits.maxFileBytes) return false;
  ctx.errors.push(tooLargeError(ctx, path, size));
  return true;
}

/** An entry backed by a file on disk; read() records `unreadable` and rejects on failure. */
export function diskEntry(ctx: ReaderContext, absPath: string, path: string, packagePath: string, size: number): ScanEntry {
  return {
    path,
    packagePath,
    size,
    async read() {
      try {
        return await readBounded(absPath, ctx.limits.maxFileBytes);
      } catch (err) {
        const error =
          err instanceof TooLarge
            ? tooLargeError(ctx, path, err.size)
            : scanError(path, 'unreadable', `${path}: cannot read: ${describeFsError(err)}`);
        ctx.errors.push(error);
        throw new ReadFailure(error);
      }
    },
  };
}

class TooLarge extends Error {
  constructor(readonly size: number) {
    super('too large');
  }
}

/** Reads a whole regular file, refusing (before allocating) one that grew over `max`. */
async function readBounded(absPath: string, max: number): Promise<Buffer> {
  // O_NONBLOCK: if the path was swapped for a FIFO since it was listed, open must not hang.
  const handle = await open(absPath, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    if (stats.size > max) throw new TooLarge(stats.size);
    const buffer = Buffer.allocUnsafe(stats.size);
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesRead } = await handle.read(buffer, offset, buffer.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return buffer.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

export function toPosix(p: string): string {
  return p.split('\\').join('/');
}
