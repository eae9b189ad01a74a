import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScanError, TargetSummary } from '../../core/findings.js';
import { parsePackJson } from '../../core/npm-pack-json.js';
import { failureSummary, runCommand } from '../../core/run-command.js';
import type { ScanLimits, TargetReader } from '../types.js';
import { diskEntry, failedReader, makeReader, overFileLimit, type ReaderContext } from './common.js';
import { checkEntryName } from './entry-names.js';
import { describeFsError, scanError } from './errors.js';
import { resolveLimits } from './limits.js';

// "This package as it would be published": ask the real packer which files it would ship,
// then read exactly those from disk. Listing and reading are separate functions so that the
// release gate can supply a list computed another way (after lifecycle scripts) and reuse
// the reading.

export interface PackList {
  name: string;
  version: string;
  /** Package-relative, `/`-separated paths, as the packer reports them. */
  files: string[];
}

export class PackFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackFailed';
  }
}

const PACK_TIMEOUT_MS = 120_000;

/** Runs `npm pack --dry-run --json --ignore-scripts` in `dir`. Rejects with PackFailed. */
async function npmPackList(dir: string): Promise<PackList> {
  const result = await runCommand('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, timeoutMs: PACK_TIMEOUT_MS });
  if (result.code !== 0) throw new PackFailed(`npm pack failed (${result.code}): ${failureSummary(result)}`);
  const parsed = parsePackJson(result.stdout);
  if (!parsed) throw new PackFailed(`npm pack --json gave no file list (no [0].files[].path): ${failureSummary(result)}`);
  return { name: parsed.name, version: parsed.version, files: parsed.files.map((f) => f.path) };
}

export interface OpenPackedOptions {
  limits?: Partial<ScanLimits>;
}

/** The package in `dir` as npm would publish it. Never rejects for bad input. */
export async function openPackedPackage(dir: string, opts: OpenPackedOptions = {}): Promise<TargetReader> {
  const limits = resolveLimits(opts.limits);
  let list: PackList;
  try {
    list = await npmPackList(dir);
  } catch (err) {
    const message = err instanceof PackFailed ? err.message : `npm pack could not run: ${describeFsError(err)}`;
    const summary: TargetSummary = { target: dir, kind: 'package', files: 0, bytes: 0 };
    return failedReader(summary, scanError(dir, 'pack-failed', message));
  }
  return openPackList(dir, list, limits);
}

/** Reads the files of a pack list from `dir` (the same limits as any other reader). */
export function openPackList(dir: string, list: PackList, limits: ScanLimits): TargetReader {
  const summary: TargetSummary = { target: `${list.name}@${list.version}`, kind: 'package', files: 0, bytes: 0 };
  const errors: ScanError[] = [];
  const ctx: ReaderContext = { summary, errors, limits };
  return makeReader(ctx, async function* () {
    for (const path of list.files) {
      // A list from elsewhere (the release gate) is checked like archive entry names.
      const checked = checkEntryName(path);
      if (!checked.ok || checked.name === '') {
        errors.push(scanError(path, 'unsafe-entry', `${path}: listed path leaves the package (${checked.ok ? 'empty' : checked.reason}); not read`));
        continue;
      }
      const abs = join(dir, path);
      let size: number;
      try {
        const stats = await stat(abs);
        if (!stats.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
        size = stats.size;
      } catch (err) {
        errors.push(scanError(path, 'unreadable', `${path}: listed by the packer but cannot be read: ${describeFsError(err)}`));
        continue;
      }
      if (!overFileLimit(ctx, path, size)) yield diskEntry(ctx, abs, path, path, size);
    }
    if (list.files.length === 0) {
      errors.push(scanError(summary.target, 'empty-target', `${summary.target}: the packer lists no files; nothing was scanned`));
    }
  });
}
