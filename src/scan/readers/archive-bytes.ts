import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { ScanLimits } from '../types.js';
import { formatBytes, ReaderError, scanError } from './errors.js';
import { RATIO_FLOOR_BYTES } from './limits.js';

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
  const file = createReadStream(absPath, { highWaterMark: 256 * 1024 });
  const tooLarge = (why: string) => new ReaderError(scanError(display, 'too-large', `${display}: ${why}; stopped reading`));
  let total = 0;
  if (!gzip) {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limits.maxArchiveBytes) throw tooLarge(`more than ${formatBytes(limits.maxArchiveBytes)} (maxArchiveBytes)`);
      yield chunk;
    }
    return;
  }
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  file.on('error', (err) => gunzip.destroy(err));
  file.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limits.maxArchiveBytes) {
        throw tooLarge(`decompresses to more than ${formatBytes(limits.maxArchiveBytes)} (maxArchiveBytes; a gzip bomb?)`);
      }
      // bytesWritten is the compressed input zlib has consumed so far, so the ratio is exact.
      if (total > RATIO_FLOOR_BYTES && total > limits.maxCompressionRatio * gunzip.bytesWritten) {
        const ratio = Math.round(total / Math.max(1, gunzip.bytesWritten));
        throw tooLarge(
          `decompresses at ${ratio}:1, over the limit of ${limits.maxCompressionRatio}:1 (maxCompressionRatio; a gzip bomb?)`,
        );
      }
      yield chunk;
    }
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}
