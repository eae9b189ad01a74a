import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { ForbidRule } from '../../core/config-types.js';
import { atOrAbove, type Evidence, type FailOn, type Report, type TargetSummary } from '../../core/findings.js';
import { formatCount } from '../../core/format-count.js';
import { KEY_PATTERN } from '../../core/key.js';

// Helpers shared by the text, json, sarif and github formatters.

export type ReportFormat = 'text' | 'json' | 'sarif' | 'github';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'sarif', 'github'];

export interface FormatOptions {
  /** The scan's working directory: relative targets and paths resolve from here. */
  cwd: string;
  /** The threshold the verdict is judged against. */
  failOn: FailOn;
  /** Colours in the text format (off for files, non-TTYs and NO_COLOR). */
  color?: boolean;
}

const KEY_GLOBAL = new RegExp(KEY_PATTERN.source, 'g');

/** A function that replaces every forbidden string (and anything shaped like a decoy key) by the name of its config entry. */
export function makeRedactor(forbid: readonly ForbidRule[]): (text: string) => string {
  const matchers = forbid.map((rule) => ({
    replacement: `[redacted: ${rule.label}]`,
    regex: typeof rule.pattern === 'string' ? new RegExp(escapeRegExp(rule.pattern), 'g') : new RegExp(rule.pattern.source, rule.pattern.flags.replace('g', '') + 'g'),
  }));
  return (text) => {
    let out = text.replace(KEY_GLOBAL, '[redacted key]');
    for (const { regex, replacement } of matchers) out = out.replace(regex, replacement);
    return out;
  };
}

/**
 * A deep copy of the report with every forbidden string (and anything shaped like a decoy key)
 * replaced by the name of its config entry. The scan engine never puts them in a report; this
 * is the last line of defence, applied before any formatting so no format can truncate a match
 * into an unrecognisable fragment. Fingerprints are hashes and left alone.
 */
export function redactReport(report: Report, forbid: readonly ForbidRule[]): Report {
  const redact = makeRedactor(forbid);
  const walk = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') return key === 'fingerprint' ? value : redact(value);
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[redact(k)] = walk(v, k);
      return out;
    }
    return value;
  };
  return walk(report) as Report;
}

/** For text that did not come through a report (error messages, finished output). */
export function redactText(text: string, forbid: readonly ForbidRule[]): string {
  return makeRedactor(forbid)(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A count with thousands separators (core/format-count.ts: no Intl, whose start-up costs ~70 ms). */
export const count = formatCount;

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** One line, e.g. "4,756 sources, 4,756 with content, 512,000 lines (18.2 MB); first-party 1,900 files, 480,000 lines". */
export function evidenceSummary(e: Evidence): string {
  const parts: string[] = [];
  const exposure: string[] = [];
  if (typeof e.sources === 'number') exposure.push(plural(e.sources, 'source'));
  if (typeof e.sourcesWithContent === 'number') exposure.push(`${count(e.sourcesWithContent)} with content`);
  if (typeof e.recoverableLines === 'number') {
    exposure.push(`${plural(e.recoverableLines, 'line')}${typeof e.recoverableBytes === 'number' ? ` (${bytes(e.recoverableBytes)})` : ''}`);
  }
  if (exposure.length) parts.push(exposure.join(', '));
  if (typeof e.firstPartyFiles === 'number') {
    parts.push(`first-party ${plural(e.firstPartyFiles, 'file')}${typeof e.firstPartyLines === 'number' ? `, ${plural(e.firstPartyLines, 'line')}` : ''}`);
  }
  if (typeof e.nodeModulesFiles === 'number' && e.nodeModulesFiles > 0) parts.push(`node_modules ${plural(e.nodeModulesFiles, 'file')}`);
  if (Array.isArray(e.topFolders) && e.topFolders.length) {
    parts.push(`top folders ${e.topFolders.slice(0, 3).map((f) => `${f.folder} (${plural(f.files, 'file')}, ${plural(f.lines, 'line')})`).join(', ')}`);
  }
  if (typeof e.rule === 'string') parts.push(`matched ${e.rule}`);
  if (typeof e.status === 'string') parts.push(`reference ${e.status}${typeof e.url === 'string' ? ` ${e.url}` : ''}`);
  else if (typeof e.url === 'string') parts.push(`url ${e.url}`);
  if (typeof e.target === 'string') parts.push(`map ${e.target}`);
  if (typeof e.where === 'string') parts.push(`in ${e.where}`);
  if (typeof e.form === 'string') parts.push(`form ${e.form}`);
  if (typeof e.count === 'number') parts.push(`${plural(e.count, 'occurrence')}`);
  if (Array.isArray(e.examples) && e.examples.length) parts.push(`e.g. ${e.examples.slice(0, 3).join(', ')}`);
  return parts.join('; ');
}

/** Where a finding is, as code scanning and annotations want it. */
export interface FindingLocation {
  /** Repository-relative (with uriBaseId SRCROOT) when the file is inside the git repository; the in-package path otherwise. */
  uri: string;
  uriBaseId?: 'SRCROOT';
  /** The same, as a plain `/`-separated path (for GitHub annotations). */
  path: string;
}

/** The nearest directory at or above `from` holding `.git` (a directory, or a file in worktrees). */
export function findRepoRoot(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(resolve(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function locateFinding(displayPath: string, targets: readonly TargetSummary[], cwd: string, repoRoot: string | undefined): FindingLocation {
  const bang = displayPath.indexOf('!');
  if (bang >= 0) {
    // Inside an archive: the path inside the package (npm tarballs root everything at package/).
    const inner = displayPath.slice(bang + 1).replace(/^package\//, '');
    return { uri: encodePath(inner), path: inner };
  }
  const onDisk = resolveOnDisk(displayPath, targets, cwd);
  if (onDisk && repoRoot) {
    const rel = relative(repoRoot, onDisk);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) {
      const path = rel.split(sep).join('/');
      return { uri: encodePath(path), uriBaseId: 'SRCROOT', path };
    }
  }
  const path = displayPath.split(sep).join('/').replace(/^\.\//, '');
  return { uri: encodePath(path), path };
}

function resolveOnDisk(displayPath: string, targets: readonly TargetSummary[], cwd: string): string | undefined {
  for (const t of targets) {
    if (t.kind === 'directory' || t.kind === 'package') {
      const candidate = resolve(cwd, t.target, displayPath);
      if (isFile(candidate)) return candidate;
    } else if (t.kind === 'file' && (displayPath === t.target || displayPath === basename(t.target))) {
      return resolve(cwd, t.target);
    }
  }
  const fromCwd = resolve(cwd, displayPath);
  return isFile(fromCwd) ? fromCwd : undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Severity counts, worst first, e.g. "2 critical, 1 high". */
export function severityCounts(report: Report): string {
  const counts = new Map<string, number>();
  for (const f of report.findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  return ['critical', 'high', 'medium', 'low']
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(', ');
}

export interface Verdict {
  exitCode: 0 | 1 | 2;
  /** One line, e.g. "FAIL: 3 findings at or above high (2 critical, 1 high)". */
  line: string;
}

/** The closing verdict, judged exactly as the exit code is (errors win: a partial scan is never a pass). */
export function verdict(report: Report, failOn: FailOn): Verdict {
  const failing = report.findings.filter((f) => atOrAbove(f.severity, failOn));
  const threshold = failOn === 'none' ? 'the threshold (--fail-on none)' : `--fail-on ${failOn}`;
  if (report.errors.length > 0) {
    return {
      exitCode: 2,
      line: `INCOMPLETE: ${plural(report.errors.length, 'error')} — this is not a pass; ${plural(report.findings.length, 'finding')} reported (threshold ${failOn})`,
    };
  }
  if (failing.length > 0) {
    return { exitCode: 1, line: `FAIL: ${plural(failing.length, 'finding')} at or above ${threshold} (${severityCounts({ ...report, findings: failing })})` };
  }
  const below = report.findings.length;
  return { exitCode: 0, line: `PASS: nothing at or above ${threshold}${below ? ` (${plural(below, 'finding')} below it: ${severityCounts(report)})` : ''}` };
}
