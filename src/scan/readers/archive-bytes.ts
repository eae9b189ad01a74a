import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { ScanLimits } from '../types.js';
import { formatBytes, ReaderError, scanError } from './errors.js';
import { GunzipWorkerFailed, gunzipInWorker, type GunzipBatch } from './gunzip-worker.js';
import { RATIO_FLOOR_BYTES } from './limits.js';

const READ_SIZE = 256 * 1024;
const ZLIB_CHUNK = 64 * 1024;
/**
 * Archives at least this large (compressed) are decompressed on a worker thread, which keeps
 * decompressing while the scan analyses; smaller ones are not worth starting a thread for.
 */
export const WORKER_MIN_COMPRESSED_BYTES = 1024 * 1024;

/**
 * The (decompressed) bytes of an archive file, chunk by chunk, with the gzip-bomb guards
 * applied as they stream: total size and compression ratio. Breaches throw a ReaderError
 * (`too-large`) and stop reading at once; nothing is held beyond the current chunk.
 */
export async function* archiveBytes(
  absPath: string,
  gzip: boolean,
  limits: ScanLimits,
  display: string,
): AsyncGenerator<Buffer> {
  const tooLarge = (why: string) => new ReaderError(scanError(display, 'too-large', `${display}: ${why}; stopped reading`));
  let total = 0;
  if (!gzip) {
    const file = createReadStream(absPath, { highWaterMark: READ_SIZE });
    for await (const chunk of file as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limits.maxArchiveBytes) throw tooLarge(`more than ${formatBytes(limits.maxArchiveBytes)} (maxArchiveBytes)`);
      yield chunk;
    }
    return;
  }
  const compressedSize = (await stat(absPath)).size;
  const batches =
    compressedSize >= WORKER_MIN_COMPRESSED_BYTES ? gunzipInWorker(absPath, WORKER_OPTIONS, () => gunzipInThread(absPath)) : gunzipInThread(absPath);
  for await (const { chunk, compressedBytes } of workerFailuresAsReadErrors(batches, display)) {
    total += chunk.length;
    if (total > limits.maxArchiveBytes) {
      throw tooLarge(`decompresses to more than ${formatBytes(limits.maxArchiveBytes)} (maxArchiveBytes; a gzip bomb?)`);
    }
    // compressedBytes is the input zlib had consumed when this output came out (never less than
    // what produced it), so the ratio is exact or, by at most one read, lenient.
    if (total > RATIO_FLOOR_BYTES && total > limits.maxCompressionRatio * compressedBytes) {
      const ratio = Math.round(total / Math.max(1, compressedBytes));
      throw tooLarge(`decompresses at ${ratio}:1, over the limit of ${limits.maxCompressionRatio}:1 (maxCompressionRatio; a gzip bomb?)`);
    }
    yield chunk;
  }
}

/** A worker that stops mid-archive leaves the archive unread (exit 2), not "corrupt". */
async function* workerFailuresAsReadErrors(batches: AsyncGenerator<GunzipBatch>, display: string): AsyncGenerator<GunzipBatch> {
  try {
    yield* batches;
  } catch (err) {
    if (err instanceof GunzipWorkerFailed) throw new ReaderError(scanError(display, 'unreadable', `${display}: cannot read: ${err.message}; stopped reading`));
    throw err;
  }
}

/**
 * On the worker, zlib writes 256 KiB chunks: each chunk costs a hop to the worker's loop, a
 * message, a tar-stream step and a copy on the main thread, and at 64 KiB those per-chunk costs
 * made the scan's CPU time ~20% higher (bench/scan-compare.mjs, incident 1,101 -> 924 ms CPU).
 */
const WORKER_ZLIB_CHUNK = 256 * 1024;
const WORKER_OPTIONS = { chunkSize: WORKER_ZLIB_CHUNK, readSize: READ_SIZE, batchBytes: 1024 * 1024, maxAheadBytes: 32 * 1024 * 1024 };

async function* gunzipInThread(absPath: string): AsyncGenerator<GunzipBatch> {
  const file = createReadStream(absPath, { highWaterMark: READ_SIZE });
  const gunzip = createGunzip({ chunkSize: ZLIB_CHUNK });
  file.on('error', (err) => gunzip.destroy(err));
  file.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield { chunk, compressedBytes: gunzip.bytesWritten };
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}
