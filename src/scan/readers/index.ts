import { stat, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { TargetSummary } from '../../core/findings.js';
import type { ScanLimits, TargetReader } from '../types.js';
import { failedReader, toPosix, type ReaderContext } from './common.js';
import { openDirectory } from './directory.js';
import { describeFsError, scanError } from './errors.js';
import { openSingleFile } from './file.js';
import { resolveLimits } from './limits.js';
import { hasArchiveName, sniffFile, type FileShape } from './sniff.js';
import { openTarball } from './tarball.js';

export { ReadFailure } from './errors.js';
export { openPackedPackage, openPackList, PackFailed, type PackList, type OpenPackedOptions } from './packed.js';
export { sniffKind, isTarHeader, SNIFF_BYTES, type SniffedKind } from './sniff.js';
export { resolveLimits } from './limits.js';

export interface OpenTargetOptions {
  /** Relative targets resolve from here; archive display names are relative to it. */
  cwd: string;
  limits?: Partial<ScanLimits>;
}

/**
 * Container formats, tried in order on a file's sniffed shape. Readers for wasm, zip/crx or
 * asar register here; each yields entries like the tarball reader does.
 */
interface ContainerFormat {
  claims(shape: FileShape): boolean;
  open(display: string, absPath: string, shape: FileShape, ctx: ReaderContext): TargetReader;
}

const CONTAINERS: ContainerFormat[] = [
  {
    claims: (shape) => shape.kind === 'tarball',
    open: (display, absPath, shape, ctx) => openTarball(display, absPath, shape.kind === 'tarball' && shape.gzip, ctx),
  },
];

/**
 * Opens a scan target: a directory, a tarball (gzipped or not, recognised by content), or any
 * other single file. Never rejects for bad input: a target that cannot be opened gives a
 * reader whose `errors` say why and whose `entries()` is empty. Throws only for invalid
 * `limits` (a programming error).
 */
export async function openTarget(target: string, opts: OpenTargetOptions): Promise<TargetReader> {
  const limits = resolveLimits(opts.limits);
  const absPath = resolve(opts.cwd, target);
  const display = displayName(target, absPath, opts.cwd);
  const summary = (kind: TargetSummary['kind']): TargetSummary => ({ target, kind, files: 0, bytes: 0 });
  const context = (kind: TargetSummary['kind']): ReaderContext => ({ summary: summary(kind), errors: [], limits });
  const guessedKind = hasArchiveName(target) ? 'tarball' : 'file';

  let realPath: string;
  let stats;
  try {
    realPath = await realpath(absPath);
    stats = await stat(realPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return failedReader(summary(guessedKind), scanError(display, 'not-found', `${display}: no such file or directory`));
    }
    return failedReader(summary(guessedKind), scanError(display, 'unreadable', `${display}: ${describeFsError(err)}`));
  }

  if (stats.isDirectory()) return openDirectory(display, realPath, context('directory'));
  if (!stats.isFile()) {
    return failedReader(summary('file'), scanError(display, 'unreadable', `${display}: not a regular file or directory`));
  }

  let shape: FileShape;
  try {
    shape = await sniffFile(realPath);
  } catch (err) {
    return failedReader(summary(guessedKind), scanError(display, 'unreadable', `${display}: cannot read: ${describeFsError(err)}`));
  }
  const container = CONTAINERS.find((c) => c.claims(shape));
  if (container) return container.open(display, realPath, shape, context('tarball'));
  const archiveNamed = hasArchiveName(target);
  switch (shape.kind) {
    case 'corrupt-gzip':
      if (archiveNamed) {
        return failedReader(
          summary('tarball'),
          scanError(display, 'corrupt-archive', `${display}: gzip data is corrupt or truncated: ${shape.reason}`),
        );
      }
      break;
    case 'gzip-not-tar':
      if (archiveNamed) {
        return failedReader(
          summary('tarball'),
          scanError(display, 'not-an-archive', `${display}: gzip data that does not hold a tar archive`),
        );
      }
      break;
    case 'other':
      if (archiveNamed) {
        const what = shape.size === 0 ? 'an empty file' : shape.sniffed === 'unknown' ? 'neither gzip nor tar' : `${shape.sniffed} data, not gzip or tar`;
        return failedReader(
          summary('tarball'),
          scanError(display, 'not-an-archive', `${display}: not a tarball (${what}); only plain and gzip-compressed tarballs are read`),
        );
      }
      break;
  }
  // Anything else is scanned as one file; compressed maps (`x.map.gz`) are the rules' job.
  return openSingleFile(display, realPath, stats.size, context('file'));
}

/** The target as given, made relative to cwd when it is an absolute path inside it. */
function displayName(target: string, absPath: string, cwd: string): string {
  if (isAbsolute(target)) {
    const rel = relative(cwd, absPath);
    if (rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel)) return toPosix(rel);
  }
  return target === '' ? '.' : toPosix(target);
}
