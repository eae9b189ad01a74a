// The findings model shared by the scanner, the build gate, the CLI and every formatter.
// Shapes here are pinned by the design ("Interfaces"): change them only with the JSON Schema
// in schema/report.schema.json and the README.

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type FailOn = Severity | 'none';

/** Higher is worse. */
export const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

export function atOrAbove(severity: Severity, threshold: FailOn): boolean {
  if (threshold === 'none') return false;
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

export function isFailOn(value: unknown): value is FailOn {
  return value === 'none' || (SEVERITIES as readonly unknown[]).includes(value);
}

/** What a source map (or a group of them) exposes. All counts are of distinct sources. */
export interface MapExposure {
  /** Entries in `sources` (index maps: summed over sections). */
  sources: number;
  /** Entries with a non-empty string in `sourcesContent`. */
  sourcesWithContent: number;
  /** Lines of original source recoverable from `sourcesContent`. */
  recoverableLines: number;
  /** UTF-8 bytes of original source recoverable from `sourcesContent`. */
  recoverableBytes: number;
  /** Sources with content outside `node_modules/`: the product's own code. */
  firstPartyFiles: number;
  firstPartyLines: number;
  /** Sources with content under `node_modules/`. */
  nodeModulesFiles: number;
  /** Top first-party folders by recoverable lines. */
  topFolders: Array<{ folder: string; files: number; lines: number }>;
}

/**
 * Evidence is rule-specific, but these keys mean the same thing everywhere. Evidence never
 * holds a forbidden string or a decoy key; a forbidden-string finding names its config entry.
 */
export interface Evidence extends Partial<MapExposure> {
  /** How the map was found: file, inline data URI, string literal, compressed, prefixed... */
  form?: string;
  /** For references: the raw URL as written (data: URIs are summarised, never copied). */
  url?: string;
  /** For references: linked (target shipped), dangling, remote, inline. */
  status?: 'linked' | 'dangling' | 'remote' | 'inline';
  /** Package-relative path of the map a reference or original source is tied to. */
  target?: string;
  /** The config entry a forbidden string came from, e.g. `forbid[2]`. */
  rule?: string;
  /** Where inside a map the match or path was (e.g. `sourcesContent[3]`). */
  where?: string;
  /** Example offending values (paths only; never source text, never forbidden strings). */
  examples?: string[];
  count?: number;
  [key: string]: unknown;
}

export interface Finding {
  /** Stable kebab-case code; see src/core/codes.ts and the README. */
  code: string;
  severity: Severity;
  /** Display path; inside archives `archive.tgz!package/dist/x.js.map`. */
  path: string;
  message: string;
  evidence: Evidence;
  /** Hash of code, path within the package and the evidence's identity. */
  fingerprint: string;
  /** 1-based, when the finding points into a text file. */
  line?: number;
  column?: number;
}

/** Something that could not be read. Any error makes the exit code 2 (fail closed). */
export interface ScanError {
  path: string;
  code: string;
  message: string;
}

export interface TargetSummary {
  /** As given on the command line (or `.` / the package name for the default target). */
  target: string;
  kind: 'directory' | 'file' | 'tarball' | 'package' | 'npm';
  files: number;
  bytes: number;
}

export interface Exposure extends MapExposure {
  maps: number;
  mapsWithContent: number;
  /** One human line, e.g. "1 map exposes 1,240 first-party files, 310,000 lines". */
  summary: string;
}

export interface Report {
  version: 1;
  tool: { name: 'pillbox'; version: string };
  targets: TargetSummary[];
  findings: Finding[];
  /** Findings suppressed by `allow` or the baseline (kept out of `findings`, counted here). */
  suppressed?: { allowed: number; baseline: number };
  exposure: Exposure;
  errors: ScanError[];
}

/** Exit code as pinned: 2 wins over 1; findings are still reported with 2. */
export function exitCodeFor(report: Pick<Report, 'findings' | 'errors'>, failOn: FailOn): 0 | 1 | 2 {
  if (report.errors.length > 0) return 2;
  return report.findings.some((f) => atOrAbove(f.severity, failOn)) ? 1 : 0;
}
