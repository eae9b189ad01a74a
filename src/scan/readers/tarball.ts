import tarStream from 'tar-stream';
import type { ScanError } from '../../core/findings.js';
import type { ReadObserver, ScanEntry, TargetReader } from '../types.js';
import { archiveBytes } from './archive-bytes.js';
import { makeReader, overFileLimit, type ReaderContext } from './common.js';
import { checkEntryName, linkTarget, RootFolder } from './entry-names.js';
import { describeFsError, isFsError, ReaderError, ReadFailure, scanError } from './errors.js';

// A tarball, streamed: file -> gunzip -> tar-stream, never extracted to disk. Entries come in
// stream order and each entry's bytes must be read (or are skipped) before the next entry is
// produced, so memory holds at most one entry.

type TarSource = tarStream.Extract extends AsyncIterable<infer S> ? S : never;
type Writable = { write(chunk: Buffer): boolean; end(): void; destroy(err?: Error): void; destroyed: boolean;
  once(event: string, fn: () => void): void; off(event: string, fn: () => void): void };

/**
 * @param display the archive's name for messages and entry paths (`pkg.tgz`); entries are
 *   shown as `pkg.tgz!package/dist/x.js`.
 */
export function openTarball(display: string, absPath: string, gzip: boolean, ctx: ReaderContext): TargetReader {
  return makeReader(ctx, () => tarEntries(display, absPath, gzip, ctx));
}

async function* tarEntries(display: string, absPath: string, gzip: boolean, ctx: ReaderContext): AsyncGenerator<ScanEntry> {
  let failure: ScanError | undefined;
  let filesSeen = 0;
  let position = 'before the first entry';
  // The first failure wins: later ones (a destroyed entry stream, say) are its echoes.
  const fail = (err: unknown): ScanError => {
    if (!failure) {
      failure = classify(err, display, position);
      ctx.errors.push(failure);
    }
    return failure;
  };

  const extract = tarStream.extract();
  const sink = extract as unknown as Writable;
  const pumping = pump(archiveBytes(absPath, gzip, ctx.limits, display), sink).catch((err: unknown) => {
    fail(err);
    sink.destroy(err instanceof Error ? err : new Error(String(err)));
  });

  const root = new RootFolder();
  const iterator = extract[Symbol.asyncIterator]();
  try {
    for (;;) {
      let step: IteratorResult<TarSource>;
      try {
        step = await iterator.next();
      } catch (err) {
        fail(err);
        break;
      }
      if (step.done) break;
      const stream = step.value;
      const header = stream.header;
      const checked = checkEntryName(header.name);
      const shown = `${display}!${printable(checked.ok ? checked.name : header.name)}`;
      if (!checked.ok) {
        ctx.errors.push(scanError(shown, 'unsafe-entry', `${shown}: unsafe entry name (${checked.reason}); not scanned`));
        stream.resume();
        continue;
      }
      const name = checked.name;
      root.observe(header.name, name, header.type === 'directory');
      if (name === '') {
        // The root folder entry (`./`) is harmless; anything else without a name is not.
        if (header.type !== 'directory') {
          ctx.errors.push(scanError(shown, 'unsafe-entry', `${shown}: ${header.type ?? 'unknown'} entry without a name; not scanned`));
        }
        stream.resume();
        continue;
      }
      position = `at entry ${printable(name)}`;
      // Unknown type flags decode as null: read as files (their data is scanned, not dropped).
      const type = (header.type as string | null) ?? 'file';

      if (type === 'symlink' || type === 'link') {
        const linkname = header.linkname ?? '';
        if (linkTarget(name, linkname, type, root.linkRoot(name)) === null) {
          const what = type === 'symlink' ? 'symlink' : 'hardlink';
          ctx.errors.push(
            scanError(shown, 'unsafe-entry', `${shown}: ${what} points outside the package (-> ${printable(linkname)}); not followed`),
          );
        }
        // Links inside the package are not followed: their targets are entries of their own.
        stream.resume();
        continue;
      }
      // Directories and device/FIFO entries carry no bytes to scan.
      if (type === 'directory' || type === 'character-device' || type === 'block-device' || type === 'fifo') {
        stream.resume();
        continue;
      }

      // Regular and contiguous files, and unknown types that carry data (read as files).
      filesSeen += 1;
      const size = header.size ?? 0;
      if (overFileLimit(ctx, shown, size)) {
        stream.resume();
        continue;
      }
      const handle = tarEntry(stream, shown, root.packagePath(name), size, fail);
      yield handle.entry;
      handle.expire();
    }
  } finally {
    // Also runs when the consumer stops early: stop decompressing and close the file.
    sink.destroy();
    await pumping;
  }
  if (filesSeen === 0 && ctx.errors.length === 0) {
    ctx.errors.push(scanError(display, 'empty-target', `${display}: the archive holds no files; nothing was scanned`));
  }
}

/** Feeds decompressed bytes to the tar parser with backpressure; stops when the parser is gone. */
async function pump(source: AsyncGenerator<Buffer>, sink: Writable): Promise<void> {
  for await (const chunk of source) {
    if (sink.destroyed) return;
    if (!sink.write(chunk)) await drainedOrClosed(sink);
  }
  if (!sink.destroyed) sink.end();
}

function drainedOrClosed(sink: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    sink.once('drain', done);
    sink.once('close', done);
  });
}

function tarEntry(
  stream: TarSource,
  path: string,
  packagePath: string,
  size: number,
  fail: (err: unknown) => ScanError,
): { entry: ScanEntry; expire(): void } {
  let expired = false;
  let reading: Promise<Buffer> | undefined;

  const collect = async (observer: ReadObserver | undefined): Promise<Buffer> => {
    const buffer = observer?.buffer?.(size) ?? Buffer.allocUnsafe(size);
    observer?.begin(buffer);
    let offset = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (offset + chunk.length > size) throw new Error('entry holds more bytes than its header says');
        chunk.copy(buffer, offset);
        offset += chunk.length;
        observer?.progress(offset);
      }
      if (offset !== size) throw new Error(`entry ends after ${offset} of ${size} bytes`);
    } catch (err) {
      throw new ReadFailure(fail(err));
    }
    return buffer;
  };

  const entry: ScanEntry = {
    path,
    packagePath,
    size,
    read(observer) {
      if (expired) {
        return Promise.reject(
          new Error(`${path}: read() called after the next archive entry was requested; read each entry before moving on`),
        );
      }
      reading ??= collect(observer);
      return reading;
    },
  };
  return {
    entry,
    expire() {
      expired = true;
      // An unread entry still has to flow through the parser before the next one can start.
      if (!reading) stream.resume();
    },
  };
}

/** @param where e.g. `at entry package/dist/x.js`: the last entry header the stream reached. */
function classify(err: unknown, display: string, where: string): ScanError {
  if (err instanceof ReaderError) return err.scanError;
  if (isFsError(err)) return scanError(display, 'unreadable', `${display}: cannot read: ${describeFsError(err)}`);
  const e = err as NodeJS.ErrnoException | undefined;
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) {
    return scanError(display, 'corrupt-archive', `${display}: gzip data is corrupt or truncated ${where}: ${e.message} (${e.code})`);
  }
  const message = e?.message ?? String(err);
  const reason = /unexpected end of data/i.test(message) ? 'the tar data is truncated' : `the tar data is corrupt: ${message}`;
  return scanError(display, 'corrupt-archive', `${display}: ${reason} ${where}`);
}

/** Control characters in names would rewrite a terminal: shown escaped (packagePath keeps them). */
function printable(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
