import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetSummary } from '../core/findings.js';
import { parsePackJson, type NpmPackJson } from '../core/npm-pack-json.js';
import { openPackList, openTarget, type PackList } from '../scan/readers/index.js';
import { failedReader } from '../scan/readers/common.js';
import { scanError } from '../scan/readers/errors.js';
import type { ScanLimits, TargetReader } from '../scan/types.js';
import { gzipUncompressedSize } from './gzip-size.js';
import { managerCommand, MANAGER_LABEL, type PackageManager } from './managers.js';
import { failureSummary, runCommand } from '../core/run-command.js';

// "This package exactly as the package manager publishes it". Inside the gate (a `postpack`
// script, or the end of Yarn Berry's `prepack`) the tree on disk is the tree being packed,
// build output included; each manager is asked, with scripts off, what it packs from it:
// - npm (and Yarn, which cannot pack without running `prepack` again): `npm pack --dry-run
//   --json --ignore-scripts` lists the files, which are read from disk;
// - pnpm and Bun: their own packer writes a real tarball into a temporary folder (they rewrite
//   package.json, honour `publishConfig.directory`...), and that tarball is scanned.

/** Set in the environment of the packers we start, so a pillbox they re-enter stands aside. */
export const NESTED_ENV = 'PILLBOX_GATE_PACKING';

export interface OpenPublishedOptions {
  env: NodeJS.ProcessEnv;
  limits: ScanLimits;
  manager: PackageManager;
}

export interface PublishedTarget {
  reader: TargetReader;
  /** Bytes the scan will read, when known up front (progress). */
  expectedBytes?: number;
  /** Lines for stderr (how the list was made). */
  notes: string[];
  cleanup(): Promise<void>;
}

export async function openPublished(dir: string, opts: OpenPublishedOptions): Promise<PublishedTarget> {
  const env = { ...opts.env, [NESTED_ENV]: '1' };
  if (opts.manager === 'pnpm' || opts.manager === 'bun') return packToTarball(dir, opts.manager, env, opts.limits);
  const notes =
    opts.manager === 'yarn'
      ? ['Yarn Berry cannot pack without running prepack again: the files are listed by npm\'s packer rules (files, .npmignore, .gitignore)']
      : [];
  const listed = await npmPackFiles(dir, env);
  if ('error' in listed) return { reader: failed(dir, listed.error), notes, cleanup: async () => {} };
  const list: PackList = { name: listed.name, version: listed.version, files: listed.files.map((f) => f.path) };
  const expectedBytes = listed.files.reduce((sum, f) => sum + f.size, 0);
  return { reader: openPackList(dir, list, opts.limits), expectedBytes, notes, cleanup: async () => {} };
}

/** `npm pack --dry-run --json --ignore-scripts` in `dir`, with file sizes. */
export async function npmPackFiles(dir: string, env: NodeJS.ProcessEnv): Promise<NpmPackJson | { error: string }> {
  const npm = managerCommand('npm', env);
  let result;
  try {
    result = await runCommand(npm.command, [...npm.prefix, 'pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, env });
  } catch (err) {
    return { error: `npm could not be started: ${(err as Error).message}` };
  }
  if (result.code !== 0) return { error: `npm pack failed: ${failureSummary(result)}` };
  const parsed = parsePackJson(result.stdout);
  return parsed ?? { error: 'npm pack --json gave an unexpected shape (no [0].files[].path)' };
}

async function packToTarball(dir: string, manager: 'pnpm' | 'bun', env: NodeJS.ProcessEnv, limits: ScanLimits): Promise<PublishedTarget> {
  const dest = await mkdtemp(join(tmpdir(), 'pillbox-pack-'));
  const cleanup = () => rm(dest, { recursive: true, force: true });
  const cli = managerCommand(manager, env);
  const args =
    manager === 'pnpm'
      ? ['pack', '--pack-destination', dest, '--ignore-scripts']
      : ['pm', 'pack', '--destination', dest, '--ignore-scripts', '--quiet'];
  let result;
  try {
    result = await runCommand(cli.command, [...cli.prefix, ...args], { cwd: dir, env });
  } catch (err) {
    await cleanup();
    return { reader: failed(dir, `${MANAGER_LABEL[manager]} could not be started: ${(err as Error).message}`), notes: [], cleanup: async () => {} };
  }
  const tarballs = result.code === 0 ? (await readdir(dest)).filter((f) => f.endsWith('.tgz')) : [];
  if (tarballs.length !== 1) {
    await cleanup();
    const why = result.code === 0 ? `it wrote ${tarballs.length} tarballs` : failureSummary(result);
    return { reader: failed(dir, `${MANAGER_LABEL[manager]} pack failed: ${why}`), notes: [], cleanup: async () => {} };
  }
  const file = tarballs[0];
  const reader = await openTarget(file, { cwd: dest, limits });
  const manifest = await readManifest(dir);
  if (manifest) {
    reader.summary.target = `${manifest.name}@${manifest.version}`;
    reader.summary.kind = 'package';
  }
  const expectedBytes = await gzipUncompressedSize(join(dest, file));
  return { reader, expectedBytes, notes: [`packed by ${MANAGER_LABEL[manager]} into ${file} (scripts off)`], cleanup };
}

async function readManifest(dir: string): Promise<{ name: string; version: string } | undefined> {
  try {
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    return { name: String(pkg.name ?? ''), version: String(pkg.version ?? '') };
  } catch {
    return undefined;
  }
}

function failed(dir: string, message: string): TargetReader {
  const summary: TargetSummary = { target: dir, kind: 'package', files: 0, bytes: 0 };
  return failedReader(summary, scanError(dir, 'pack-failed', message));
}
