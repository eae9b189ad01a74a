import { FINDING_CODES } from '../core/codes.js';
import type { Finding } from '../core/findings.js';
import { fingerprint } from '../core/fingerprint.js';
import { formatCount as count } from '../core/format-count.js';
import type { ReleaseShape } from './tap.js';

// --compare-previous: what grew against the release before. The incident's release unpacked to
// several times its predecessor because one new 60 MB file (the map) had joined it.
//
// Thresholds (README "Release gate"):
// - the whole release: unpacked size at least GROWTH_RATIO times the previous one's, and at
//   least GROWTH_MIN_BYTES more (so a 4 KB package that reaches 12 KB is not news);
// - a single file: new since the previous release (or grown from nothing) and at least
//   NEW_FILE_MIN_BYTES, or an existing file grown by NEW_FILE_MIN_BYTES and GROWTH_RATIO times.

export const GROWTH_RATIO = 2;
export const GROWTH_MIN_BYTES = 256 * 1024;
export const NEW_FILE_MIN_BYTES = 1024 * 1024;

export interface GrowthFinding {
  finding: Finding;
  /** Path within the package, for `allow` globs. */
  packagePath: string;
}

export interface GrowthContext {
  /** How the report names the release (`npm:acme@2.1.88`, `acme@2.1.88`). */
  label: string;
  /** Display path of a file of this release (`acme-2.1.88.tgz!package/cli.js.map`). */
  display(packagePath: string): string;
}

export function compareReleases(current: ReleaseShape, previous: ReleaseShape, ctx: GrowthContext): GrowthFinding[] {
  const out: GrowthFinding[] = [];
  const before = total(previous);
  const after = total(current);
  const prevLabel = previous.version ?? 'the previous release';
  if (after >= before * GROWTH_RATIO && after - before >= GROWTH_MIN_BYTES) {
    const ratio = before > 0 ? Math.round((after / before) * 10) / 10 : undefined;
    out.push(
      make('package.json', ctx.label, `${ctx.label} unpacks to ${bytes(after)}, ${ratio !== undefined ? `${ratio}×` : 'up from nothing in'} ${prevLabel} (${bytes(before)}); ${count(current.files.length)} files, ${count(previous.files.length)} before`, {
        form: 'release',
        previousVersion: previous.version,
        previousBytes: before,
        currentBytes: after,
        ratio,
        previousFiles: previous.files.length,
        currentFiles: current.files.length,
      }, { kind: 'release', previous: previous.version }),
    );
  }
  const sizes = new Map(previous.files.map((f) => [f.path, f.size]));
  for (const file of [...current.files].sort((a, b) => b.size - a.size)) {
    const old = sizes.get(file.path);
    if (old === undefined && file.size >= NEW_FILE_MIN_BYTES) {
      out.push(
        make(file.path, ctx.display(file.path), `${file.path} (${bytes(file.size)}) is new since ${prevLabel}`, {
          form: 'new-file',
          previousVersion: previous.version,
          currentBytes: file.size,
        }, { kind: 'new-file' }),
      );
    } else if (old !== undefined && file.size - old >= NEW_FILE_MIN_BYTES && file.size >= old * GROWTH_RATIO) {
      out.push(
        make(file.path, ctx.display(file.path), `${file.path} grew from ${bytes(old)} in ${prevLabel} to ${bytes(file.size)}`, {
          form: 'grown-file',
          previousVersion: previous.version,
          previousBytes: old,
          currentBytes: file.size,
        }, { kind: 'grown-file', previous: previous.version }),
      );
    }
  }
  return out;
}

function make(packagePath: string, path: string, message: string, evidence: Record<string, unknown>, identity: unknown): GrowthFinding {
  const clean = Object.fromEntries(Object.entries(evidence).filter(([, v]) => v !== undefined));
  return {
    packagePath,
    finding: {
      code: 'release-size-growth',
      severity: FINDING_CODES['release-size-growth'].severity,
      path,
      message,
      evidence: clean,
      // Tied to the previous version: the same growth is news once, not in every later scan.
      fingerprint: fingerprint('release-size-growth', packagePath, identity),
    },
  };
}

function total(shape: ReleaseShape): number {
  return shape.files.reduce((sum, f) => sum + f.size, 0);
}


/** 1.5 MB style, decimal units as npm prints them. */
export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : Math.round(v * 10) / 10} ${units[i]}`;
}
