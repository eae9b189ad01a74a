import { lstat, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ScanError } from '../core/findings.js';
import type { PillboxOptions } from '../core/plugin-options.js';
import { openTarget, ReadFailure } from '../scan/readers/index.js';
import { createHardenSession, type HardenResult, type OutputFile } from './index.js';

// `pillbox harden <dir>`: the plugins' work over a directory some other tool built (tsc, Bun,
// Parcel, a framework export). Files are read through the scanner's directory reader (links,
// limits and unreadable files handled as the scanner does), maps are recognised by content,
// and the edits are written back in place. Always a production build.

export interface HardenDirectoryOptions {
  /** Where relative option paths start, and whose package.json gives the default release. */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  keyFile?: string;
}

export interface HardenDirectoryOutcome {
  /** Present when the directory could be read and processed. */
  result?: HardenResult;
  /** Anything unreadable or unwritable: exit 2 (fail closed). */
  errors: ScanError[];
}

export async function hardenDirectory(dir: string, options: PillboxOptions, opts: HardenDirectoryOptions): Promise<HardenDirectoryOutcome> {
  const outDir = resolve(opts.cwd, dir);
  // Options first: a bad option or a missing key must fail before anything is touched.
  const session = createHardenSession(options, { production: true, projectRoot: opts.cwd, outDir, bundler: 'harden', env: opts.env, keyFile: opts.keyFile });

  const reader = await openTarget(dir, { cwd: opts.cwd });
  const errors: ScanError[] = [];
  if (reader.summary.kind !== 'directory' && reader.errors.length === 0) {
    return { errors: [{ path: dir, code: 'bad-usage', message: `${dir} is not a directory (harden rewrites a build output directory in place)` }] };
  }
  const files: OutputFile[] = [];
  for await (const entry of reader.entries()) {
    try {
      files.push({ fileName: entry.packagePath, source: await entry.read() });
    } catch (err) {
      if (!(err instanceof ReadFailure)) errors.push({ path: entry.path, code: 'unreadable', message: `${entry.path}: ${(err as Error).message}` });
    }
  }
  errors.push(...reader.errors);
  if (errors.length > 0) return { errors };
  if (files.length === 0) return { errors: [{ path: dir, code: 'empty-target', message: `${dir} holds no files: nothing to harden` }] };

  const result = await session.processOutput(files, { outDir });
  errors.push(...(await writeEdits(outDir, result)));
  return { result, errors };
}

/** Apply a HardenResult to files on disk under `outDir`; never through a symbolic link. */
export async function writeEdits(outDir: string, result: HardenResult): Promise<ScanError[]> {
  const errors: ScanError[] = [];
  // Never write through a link: the file it points at may live outside the directory.
  for (const name of result.updates.keys()) {
    const abs = join(outDir, ...name.split('/'));
    if ((await lstat(abs)).isSymbolicLink()) {
      errors.push({ path: name, code: 'unsafe-entry', message: `${name} is a symbolic link; pillbox does not write through links (replace it with the file itself)` });
    }
  }
  if (errors.length > 0) return errors;
  for (const [name, text] of result.updates) {
    try {
      await writeFile(join(outDir, ...name.split('/')), text);
    } catch (err) {
      errors.push({ path: name, code: 'unreadable', message: `${name}: cannot write: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    }
  }
  for (const name of result.deletes) {
    try {
      await rm(join(outDir, ...name.split('/')), { force: true });
    } catch (err) {
      errors.push({ path: name, code: 'unreadable', message: `${name}: cannot delete: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    }
  }
  return errors;
}
