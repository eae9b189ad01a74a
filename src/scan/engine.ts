import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import picomatch from 'picomatch';
import type { ResolvedConfig } from '../core/config-types.js';
import { DEFAULT_CONFIG } from '../core/config-types.js';
import { SEVERITY_RANK, type Exposure, type Finding, type Report, type ScanError, type TargetSummary } from '../core/findings.js';
import { VERSION } from '../core/version.js';
import { EarlyAnalysis } from './early-analysis.js';
import { ExposureCounter, exposureSummary } from './exposure.js';
import type { FileFacts, PackageFacts } from './facts.js';
import { compileForbid, redact, type CompiledForbid } from './forbidden.js';
import { linkPackage } from './link.js';
import { openPackedPackage, openTarget, ReadFailure, resolveLimits } from './readers/index.js';
import { RULES } from './rules/index.js';
import { AnalysisPool, defaultWorkerUrl } from './worker-pool.js';
import { toFinding, type FindingInput } from './rules/types.js';
import type { ReadObserver, ScanLimits, TargetReader } from './types.js';

// The scan engine: open each target, analyse every file while it streams by, then run the
// package-level rules per target, apply the config (allow, baseline) and build the report.

export interface ScanOptions {
  cwd: string;
  config?: ResolvedConfig;
  limits?: Partial<ScanLimits>;
  onProgress?: (p: { files: number; bytes: number }) => void;
  /**
   * Findings and errors computed outside the rules once every target has been read (the
   * release gate's --compare-previous). Its findings go through allow, baseline and redaction
   * like any other; `packagePath` is what `allow` globs match.
   */
  after?: () => Promise<{ findings: Array<{ finding: Finding; packagePath: string }>; errors: ScanError[] }>;
  /**
   * Analyse large files on a worker thread while reading goes on: `true` uses the built
   * dist/scan-worker.js, a URL another build of src/scan/worker.ts. Off by default: archives are
   * already decompressed on a worker (the readers), and on a 2-core machine a third busy thread
   * measured slower than analysing in-process. Results are identical either way.
   */
  analysisWorker?: boolean | URL;
}

/**
 * Scans `targets` (directories, files, tarballs); no targets = the package in `cwd` as the
 * package manager would publish it. Never rejects for bad input: what cannot be read is in
 * `report.errors` (exit 2).
 */
export async function scan(targets: string[], options: ScanOptions): Promise<Report> {
  const limits = resolveLimits(options.limits);
  const readers: TargetReader[] = [];
  if (targets.length === 0) readers.push(await openPackedPackage(options.cwd, { limits }));
  for (const target of targets) readers.push(await openTarget(target, { cwd: options.cwd, limits }));
  return scanReaders(readers, { ...options, limits });
}

/** The engine behind `scan()`, for callers that open their own readers (build gate, tests). */
export async function scanReaders(readers: TargetReader[], options: ScanOptions): Promise<Report> {
  const config = options.config ?? DEFAULT_CONFIG;
  const limits = resolveLimits(options.limits);
  const forbid = compileForbid(config.forbid);
  const errors: ScanError[] = [];
  const targets: TargetSummary[] = [];
  const raw: Array<{ finding: Finding; packagePath: string }> = [];
  const progress = { files: 0, bytes: 0 };
  const exposure = new ExposureCounter();
  let maps = 0;
  let mapsWithContent = 0;

  const pool = new AnalysisPool({ forbid, maxBytes: limits.maxFileBytes }, options.analysisWorker instanceof URL ? options.analysisWorker : options.analysisWorker ? defaultWorkerUrl() : undefined);
  const onFile = (bytes: number) => {
    progress.files++;
    progress.bytes += bytes;
    options.onProgress?.({ ...progress });
  };
  // The next targets are read while this one is analysed, so that their decompression (or file
  // reads) overlaps this one's analysis, and a target that is slow to decompress but cheap to
  // analyse (binaries) leaves the main thread to the ones after it; results are taken in target
  // order, so the report is the same as reading one after the other.
  const reads: Array<Promise<PackageRead>> = [];
  // Entry buffers, reused from target to target (see readPackage).
  const scratches: ScratchBuffer[] = [];
  const startRead = (i: number) => {
    if (i < readers.length && reads[i] === undefined) reads[i] = readPackageSettled(readers[i], pool, scratches, onFile);
  };
  try {
    for (let i = 0; i < readers.length; i++) {
      const reader = readers[i];
      for (let ahead = 0; ahead <= READ_AHEAD; ahead++) startRead(i + ahead);
      const read = await reads[i];
      if ('failure' in read) throw read.failure;
      const pkg = read.pkg;
      for (const error of read.errors) errors.push(error);
      targets.push(reader.summary);
      for (const error of reader.errors) errors.push(error);
      const links = linkPackage(pkg);
      const emitted: FindingInput[] = [];
      for (const rule of RULES) rule.run({ pkg, links, emit: (f) => emitted.push(f) });
      for (const input of emitted) raw.push({ finding: toFinding(input), packagePath: input.file.packagePath });
      for (const file of pkg.files) {
        for (const map of file.fileMap ? [file.fileMap, ...file.inlineMaps] : file.inlineMaps) {
          maps++;
          if (map.exposure.sourcesWithContent > 0) mapsWithContent++;
          exposure.add(map.sources);
        }
      }
    }
  } finally {
    // A target read ahead must finish before the pool closes under it.
    await Promise.all(reads);
    await pool.close();
  }

  if (options.after) {
    const late = await options.after();
    raw.push(...late.findings);
    errors.push(...late.errors);
  }

  const suppressed = { allowed: 0, baseline: 0 };
  const baseline = config.baseline ? await readBaseline(config.baseline, options.cwd, errors) : undefined;
  const allow = config.allow.map((rule) => ({ rule, match: picomatch(rule.path, { dot: true }) }));
  const findings: Finding[] = [];
  for (const { finding, packagePath } of raw) {
    if (allow.some(({ rule, match }) => (rule.code === undefined || rule.code === finding.code) && match(packagePath))) {
      suppressed.allowed++;
      continue;
    }
    if (baseline?.has(finding.fingerprint)) {
      suppressed.baseline++;
      continue;
    }
    findings.push(forbid.length > 0 ? redactFinding(forbid, finding) : finding);
  }
  findings.sort(compareFindings);

  const totals = exposure.totals();
  const reportExposure: Exposure = { ...totals, maps, mapsWithContent, summary: exposureSummary(maps, mapsWithContent, totals) };
  return {
    version: 1,
    tool: { name: 'pillbox', version: VERSION },
    targets,
    findings,
    suppressed,
    exposure: forbid.length > 0 ? redactDeep(forbid, reportExposure) : reportExposure,
    errors: forbid.length > 0 ? errors.map((e) => redactDeep(forbid, e)) : errors,
  };
}

type PackageRead = { pkg: PackageFacts; errors: ScanError[] } | { failure: unknown };

/** Never rejects: a target read ahead must not fail while nobody awaits it. */
async function readPackageSettled(reader: TargetReader, pool: AnalysisPool, scratches: ScratchBuffer[], onFile: (bytes: number) => void): Promise<PackageRead> {
  const errors: ScanError[] = [];
  try {
    return { pkg: await readPackage(reader, pool, scratches, errors, onFile), errors };
  } catch (failure) {
    return { failure };
  }
}

/** Targets read ahead of the one whose results are taken (each holds at most one entry buffer). */
const READ_AHEAD = 2;

/** Entries this large are partly analysed as their bytes arrive; smaller ones gain nothing. */
const EARLY_MIN_BYTES = 512 * 1024;

/** Files analysed on the worker while reading goes on; more than this waits (memory bound). */
const MAX_IN_FLIGHT = 2;

async function readPackage(
  reader: TargetReader,
  pool: AnalysisPool,
  scratches: ScratchBuffer[],
  errors: ScanError[],
  onFile: (bytes: number) => void,
): Promise<PackageFacts> {
  // One buffer for the entries of this target, each analysed before the next is read: filling
  // memory that is already mapped costs a fraction of faulting in a fresh allocation per entry.
  // Passed on to a later target once this one is read (1 + READ_AHEAD are read at a time).
  const scratch = scratches.pop() ?? new ScratchBuffer();
  // Results land in entry order whatever finishes first, so reports stay deterministic.
  const slots: Array<{ facts: FileFacts; errors: ScanError[] } | undefined> = [];
  const inFlight: Array<Promise<void>> = [];
  try {
    for await (const entry of reader.entries()) {
      let buf: Buffer;
      // A large entry that streams in (from a tarball) is partly analysed while it arrives.
      const early = entry.size >= EARLY_MIN_BYTES ? new EarlyAnalysis(entry.packagePath) : undefined;
      const observer: ReadObserver = {
        buffer: (size) => scratch.take(size),
        begin: (b) => early?.begin(b),
        progress: (filled) => early?.progress(filled),
      };
      try {
        buf = await entry.read(observer);
      } catch (err) {
        // ReadFailure: the reader already recorded it.
        if (!(err instanceof ReadFailure)) errors.push({ path: entry.path, code: 'unreadable', message: `${entry.path}: ${(err as Error).message}` });
        continue;
      }
      const index = slots.push(undefined) - 1;
      const size = buf.length;
      const result = pool.analyse({ path: entry.path, packagePath: entry.packagePath, size: entry.size }, buf, early?.results(buf));
      if (result instanceof Promise) {
        // The bytes went to the worker (or wait for it): not ours to reuse.
        scratch.drop(buf);
        inFlight.push(result.then((r) => void (slots[index] = r)));
        if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
      } else {
        slots[index] = result;
      }
      onFile(size);
    }
    await Promise.all(inFlight);
  } finally {
    scratches.push(scratch);
  }
  const files: FileFacts[] = [];
  const byPackagePath = new Map<string, FileFacts>();
  for (const slot of slots) {
    if (!slot) continue;
    files.push(slot.facts);
    byPackagePath.set(slot.facts.packagePath, slot.facts);
    for (const error of slot.errors) errors.push(error);
  }
  return { target: reader.summary.target, files, byPackagePath };
}

/**
 * The buffer reused for a target's entries. Safe because the facts of an analysed file keep no
 * reference to its bytes (analyseFile drops map bodies), and an entry handed to the analysis
 * worker is dropped from here.
 */
class ScratchBuffer {
  private buf: Buffer | undefined;

  take(size: number): Buffer {
    // At least 1 MiB, so that a run of growing small entries does not reallocate each time.
    if (!this.buf || this.buf.length < size) this.buf = Buffer.allocUnsafe(Math.max(size, 1024 * 1024));
    return this.buf.subarray(0, size);
  }

  drop(buf: Buffer): void {
    if (this.buf && buf.buffer === this.buf.buffer) this.buf = undefined;
  }
}

async function readBaseline(path: string, cwd: string, errors: ScanError[]): Promise<Set<string> | undefined> {
  const abs = resolve(cwd, path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    errors.push({ path, code: 'unreadable', message: `baseline ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return undefined;
  }
  try {
    const report = JSON.parse(text) as { findings?: Array<{ fingerprint?: unknown }> };
    if (!Array.isArray(report.findings)) throw new Error('it has no findings array');
    return new Set(report.findings.map((f) => f.fingerprint).filter((f): f is string => typeof f === 'string'));
  } catch (err) {
    errors.push({ path, code: 'bad-config', message: `baseline ${path} is not a pillbox JSON report: ${(err as Error).message}` });
    return undefined;
  }
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    cmp(a.path, b.path) ||
    cmp(a.code, b.code) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    cmp(a.fingerprint, b.fingerprint)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Forbidden strings never reach output, not even inside a path or an example. */
function redactFinding(forbid: CompiledForbid[], finding: Finding): Finding {
  return redactDeep(forbid, finding);
}

function redactDeep<T>(forbid: CompiledForbid[], value: T): T {
  if (typeof value === 'string') return redact(forbid, value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(forbid, v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'fingerprint' ? v : redactDeep(forbid, v);
    return out as T;
  }
  return value;
}
