import type { ScanError, TargetSummary } from '../core/findings.js';

// The contract between readers (directory, tarball, single file, packed package) and the rules.
// Readers stream entries; rules never touch the file system themselves.

export interface ScanEntry {
  /** Display path: relative to the scanned directory, or `archive.tgz!package/dist/x.js` inside archives. */
  path: string;
  /**
   * Path within the package root, `/`-separated, no leading `./` (`dist/x.js`). Used for
   * fingerprints, `allow` globs and resolving references between files.
   */
  packagePath: string;
  size: number;
  /**
   * The file's bytes. Readers enforce size limits before resolving (see ScanLimits). A reader
   * that fills the buffer piece by piece (a tarball entry) may tell `observer` as it goes.
   */
  read(observer?: ReadObserver): Promise<Buffer>;
}

/** Sees an entry's bytes arrive, in order, into the buffer read() will resolve with. */
export interface ReadObserver {
  /**
   * Where to put the bytes: a buffer of exactly `size` bytes that the reader may fill and
   * resolve with (the engine hands out one reused buffer). Without it, the reader allocates.
   */
  buffer?(size: number): Buffer;
  /** The buffer, at its final size, before any byte has arrived. */
  begin(buf: Buffer): void;
  /** Bytes [0, filled) have arrived. Must not throw. */
  progress(filled: number): void;
}

export interface ScanLimits {
  /** Largest single file (after decompression) that is read in full. Default 512 MiB. */
  maxFileBytes: number;
  /** Largest total of decompressed bytes for one archive (gzip-bomb guard). Default 4 GiB. */
  maxArchiveBytes: number;
  /** Largest ratio of decompressed to compressed bytes tolerated for a stream over 1 MiB. Default 1000. */
  maxCompressionRatio: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxFileBytes: 512 * 1024 * 1024,
  maxArchiveBytes: 4 * 1024 * 1024 * 1024,
  maxCompressionRatio: 1000,
};

/** One opened target: a stream of entries, plus whatever could not be read (never silently skipped). */
export interface TargetReader {
  summary: TargetSummary;
  entries(): AsyncIterable<ScanEntry>;
  /** Filled while iterating; any entry here makes the scan exit 2. */
  errors: ScanError[];
}
