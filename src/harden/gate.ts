import type { Finding, Report } from '../core/findings.js';
import type { SourcemapMode } from '../core/plugin-options.js';

// The build gate (`failOnLeak`): the scanner's report over the emitted files, judged by what
// the mode promised. strip/hidden: no map and no reference; nosources/poison: no real
// sourcesContent and no local paths; every mode: no forbidden string, no private pillbox file.

const ALWAYS = ['forbidden-string', 'pillbox-private-file', 'original-source-recoverable'];
const NO_MAPS = [
  'source-map-with-content',
  'inline-source-map-with-content',
  'source-map',
  'inline-source-map',
  'dangling-reference',
  'remote-reference',
  'local-path',
  'remote-source',
  'source-url',
];

export const BROKEN_PROMISES: Record<SourcemapMode, ReadonlySet<string>> = {
  strip: new Set([...ALWAYS, ...NO_MAPS, 'debug-id']),
  // hidden keeps debugId comments on purpose (error trackers match maps by it).
  hidden: new Set([...ALWAYS, ...NO_MAPS]),
  nosources: new Set([...ALWAYS, 'source-map-with-content', 'inline-source-map-with-content', 'local-path']),
  poison: new Set([...ALWAYS, 'source-map-with-content', 'inline-source-map-with-content', 'local-path']),
  keep: new Set(ALWAYS),
};

export interface GateResult {
  ok: boolean;
  /** Findings that break the mode's promise. */
  violations: Finding[];
  /** The full scanner report over the emitted files. */
  report: Report;
  /** Readable text to fail the build with (empty when ok). Never holds a forbidden string or a key. */
  message: string;
}

export interface JudgeContext {
  mode: SourcemapMode;
  bundler: string;
  /**
   * poison: maps whose only sources with content are decoys the session added; their
   * content findings are the poison itself, not a leak. Keyed by output path (as the report has it).
   */
  poisonedMaps?: ReadonlySet<string>;
}

export function judgeReport(report: Report, ctx: JudgeContext): GateResult {
  const broken = BROKEN_PROMISES[ctx.mode];
  const violations = report.findings.filter((f) => {
    if (!broken.has(f.code)) return false;
    if (ctx.mode === 'poison' && f.code === 'source-map-with-content' && ctx.poisonedMaps?.has(f.path)) return false;
    return true;
  });
  const errors = report.errors;
  const ok = violations.length === 0 && errors.length === 0;
  return { ok, violations, report, message: ok ? '' : formatGateMessage(violations, errors, ctx) };
}

function formatGateMessage(violations: Finding[], errors: Report['errors'], ctx: JudgeContext): string {
  const lines = [`pillbox (${ctx.bundler}): the build output breaks what sourcemaps: '${ctx.mode}' promises (failOnLeak).`];
  for (const f of violations) {
    const at = f.line ? `${f.path}:${f.line}` : f.path;
    lines.push(`  ${f.severity.padEnd(8)} ${f.code.padEnd(32)} ${at}  ${f.message}`);
  }
  for (const e of errors) lines.push(`  error    ${e.code.padEnd(32)} ${e.path}  ${e.message}`);
  lines.push('Fix the build, or set failOnLeak: false to only warn.');
  return lines.join('\n');
}
