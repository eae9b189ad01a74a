import type { ScanError } from '../../core/findings.js';
import type { ErrorCode } from '../../core/codes.js';

// Readers never throw for bad input: they record a ScanError and carry on (or stop, when the
// rest of a stream cannot be trusted). Only programming mistakes throw plain Errors.

export function scanError(path: string, code: ErrorCode, message: string): ScanError {
  return { path, code, message };
}

/**
 * What `ScanEntry.read()` rejects with when the bytes could not be read. The same ScanError is
 * already in the reader's `errors`: callers skip the entry and must not record it again.
 */
export class ReadFailure extends Error {
  readonly scanError: ScanError;
  constructor(error: ScanError) {
    super(error.message);
    this.name = 'ReadFailure';
    this.scanError = error;
  }
}

/** Carries a ScanError through a stream's error channel (used for limit breaches). */
export class ReaderError extends Error {
  readonly scanError: ScanError;
  constructor(error: ScanError) {
    super(error.message);
    this.name = 'ReaderError';
    this.scanError = error;
  }
}

const FS_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path component is not a directory',
  ELOOP: 'too many levels of symbolic links (a link loop)',
  EISDIR: 'is a directory',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
};

/** "permission denied (EACCES)" for file-system errors, the message otherwise. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && FS_REASONS[code]) return `${FS_REASONS[code]} (${code})`;
  if (err instanceof Error) return code ? `${err.message} (${code})` : err.message;
  return String(err);
}

export function isFsError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
