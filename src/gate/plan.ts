import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ScanError } from '../core/findings.js';
import { openTarget, resolveLimits } from '../scan/readers/index.js';
import type { ScanLimits, TargetReader } from '../scan/types.js';
import { compareReleases, type GrowthFinding } from './growth.js';
import { gzipUncompressedSize } from './gzip-size.js';
import { managerFromUserAgent, type PackageManager } from './managers.js';
import { NESTED_ENV, openPublished } from './published.js';
import { fetchRelease, parseNpmTarget, previousVersion, publishedVersions, releaseShape } from './registry.js';
import { prefixReader, tapReader, type Tapped } from './tap.js';
import { listWorkspaces, WorkspaceError } from './workspaces.js';

// Turns `pillbox scan`'s targets and gate flags into readers for the scan engine: the package
// as its manager publishes it (no target), every workspace package (--workspaces), published
// releases (npm:<name>@<version>), and, with --compare-previous, the size comparison with the
// release before each one, computed once the engine has read them.

export interface PlanOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  limits?: Partial<ScanLimits>;
  workspaces?: boolean;
  comparePrevious?: boolean;
  /** One line for stderr (never the report). */
  note(line: string): void;
}

export interface ScanPlan {
  readers: TargetReader[];
  /** Bytes to read, when every target knows it up front (progress). */
  expectedBytes?: number;
  /** Findings and errors that need the targets read first (--compare-previous). */
  after(): Promise<{ findings: GrowthFinding[]; errors: ScanError[] }>;
  /** Removes temporary tarballs. */
  cleanup(): Promise<void>;
}

/** A wrong call (exit 2) found while planning. */
export class GateUsageError extends Error {
  override name = 'GateUsageError';
}

/** True inside a packer that the gate itself started: the outer pillbox scans the result. */
export function isNestedPack(env: NodeJS.ProcessEnv): boolean {
  return env[NESTED_ENV] === '1';
}

interface Planned {
  reader: TargetReader;
  /** Where npm commands about this package run (its .npmrc applies). */
  npmCwd: string;
}

export async function planScan(targets: string[], opts: PlanOptions): Promise<ScanPlan> {
  const limits = resolveLimits(opts.limits);
  const manager: PackageManager = managerFromUserAgent(opts.env.npm_config_user_agent) ?? 'npm';
  const planned: Planned[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const early: ScanError[] = [];
  let expected: number | undefined = 0;
  const addExpected = (n: number | undefined) => {
    expected = expected === undefined || n === undefined ? undefined : expected + n;
  };

  const published = async (dir: string, prefix: string) => {
    const target = await openPublished(dir, { env: opts.env, limits, manager });
    cleanups.push(target.cleanup);
    for (const line of target.notes) opts.note(prefix === '.' ? line : `${prefix}: ${line}`);
    addExpected(target.expectedBytes);
    planned.push({ reader: prefixReader(target.reader, prefix), npmCwd: dir });
  };

  try {
    if (opts.workspaces) {
      if (targets.length > 0) throw new GateUsageError('--workspaces scans the workspace packages of this folder; give no targets with it');
      let list;
      try {
        list = listWorkspaces(opts.cwd);
      } catch (err) {
        if (err instanceof WorkspaceError) throw new GateUsageError(`--workspaces: ${err.message}`);
        throw err;
      }
      const publishable = list.packages.filter((p) => !p.private);
      for (const p of list.packages.filter((p) => p.private)) opts.note(`${p.rel === '.' ? 'the root package' : p.rel} (${p.name}) is private: never published, not scanned`);
      if (publishable.length === 0) throw new GateUsageError(`--workspaces: every package in ${list.source} is private; nothing would be published`);
      for (const p of publishable) await published(p.dir, p.rel);
    } else if (targets.length === 0) {
      await published(opts.cwd, '.');
    }

    for (const target of targets) {
      const npmTarget = parseNpmTarget(target);
      if (npmTarget === undefined) {
        planned.push({ reader: await openTarget(target, { cwd: opts.cwd, limits }), npmCwd: opts.cwd });
        addExpected(await gzipUncompressedSize(resolve(opts.cwd, target)));
        continue;
      }
      if ('error' in npmTarget) throw new GateUsageError(npmTarget.error);
      const fetched = await fetchRelease(npmTarget, opts.cwd, opts.env);
      if ('error' in fetched) {
        early.push(fetched.error);
        continue;
      }
      cleanups.push(() => rm(fetched.dir, { recursive: true, force: true }));
      const reader = await openTarget(fetched.tarball, { cwd: fetched.dir, limits });
      reader.summary.target = target;
      reader.summary.kind = 'npm';
      addExpected(fetched.shape.files.reduce((sum, f) => sum + f.size, 0));
      planned.push({ reader, npmCwd: opts.cwd });
    }
  } catch (err) {
    await Promise.all(cleanups.map((c) => c()));
    throw err;
  }

  const tapped: Array<Tapped & { npmCwd: string }> = [];
  const readers = planned.map((p) => {
    if (!opts.comparePrevious) return p.reader;
    const t = tapReader(p.reader);
    tapped.push({ ...t, npmCwd: p.npmCwd });
    return t.reader;
  });

  return {
    readers,
    expectedBytes: expected,
    after: async () => {
      const findings: GrowthFinding[] = [];
      const errors: ScanError[] = [...early];
      for (const t of tapped) await compareOne(t, opts, findings, errors);
      return { findings, errors };
    },
    cleanup: async () => {
      await Promise.all(cleanups.map((c) => c()));
    },
  };
}

async function compareOne(t: Tapped & { npmCwd: string }, opts: PlanOptions, findings: GrowthFinding[], errors: ScanError[]): Promise<void> {
  const label = t.reader.summary.target;
  // A target that could not be read is already an error; comparing half of it would mislead.
  if (t.reader.errors.length > 0) return;
  const { name, version } = t.shape;
  if (!name || !version) {
    errors.push({ path: label, code: 'bad-usage', message: `${label}: --compare-previous needs a package (a package.json with name and version), and this target has none` });
    return;
  }
  const versions = await publishedVersions(name, t.npmCwd, opts.env);
  if ('error' in versions) {
    if (versions.notPublished) opts.note(`${name} is not published yet: nothing to compare ${label} with`);
    else errors.push({ path: label, code: 'pack-failed', message: `${label}: cannot list the published versions of ${name}: ${versions.error}` });
    return;
  }
  const previous = previousVersion(versions, version);
  if (!previous) {
    opts.note(`${name}: no published version before ${version}; nothing to compare with`);
    return;
  }
  const shape = await releaseShape(name, previous, t.npmCwd, opts.env);
  if ('error' in shape) {
    errors.push({ path: label, code: 'pack-failed', message: `${label}: cannot read ${name}@${previous}: ${shape.error}` });
    return;
  }
  opts.note(`compared ${label} with ${name}@${previous}`);
  findings.push(...compareReleases(t.shape, shape, { label, display: (p) => t.display.get(p) ?? p }));
}
