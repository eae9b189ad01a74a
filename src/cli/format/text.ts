import pc from 'picocolors';
import { codeInfo } from '../../core/codes.js';
import { SEVERITIES, type Finding, type Report, type Severity } from '../../core/findings.js';
import { bytes, evidenceSummary, plural, verdict, type FormatOptions } from './shared.js';

// The human report: findings grouped by severity (worst first), each with its code, path,
// message, evidence and fix; then the total exposure, errors, and a closing verdict.

type Colors = ReturnType<typeof pc.createColors>;

export function formatText(report: Report, options: FormatOptions): string {
  const c = pc.createColors(options.color ?? false);
  const out: string[] = [];
  out.push(c.bold(`pillbox ${report.tool.version}`) + ` scanned ${describeTargets(report)}`);

  if (report.errors.length > 0) {
    out.push('');
    out.push(c.bold(c.red(`scan incomplete: ${plural(report.errors.length, 'error')} — this is not a pass`)));
    for (const e of report.errors) out.push(`  ${c.red('✖')} ${c.bold(e.code)} ${e.path}: ${e.message}`);
  }

  for (const severity of SEVERITIES) {
    const group = report.findings.filter((f) => f.severity === severity).sort(byPathThenCode);
    if (group.length === 0) continue;
    out.push('');
    out.push(paint(c, severity, c.bold(`${severity.toUpperCase()} (${group.length})`)));
    for (const f of group) out.push(...findingLines(c, f));
  }

  out.push('');
  if (report.findings.length === 0 && report.errors.length === 0) out.push(c.green('No leaks found.'));
  out.push(`${c.bold('Exposure:')} ${report.exposure.summary}`);
  if (report.suppressed && (report.suppressed.allowed || report.suppressed.baseline)) {
    out.push(`${c.bold('Suppressed:')} ${report.suppressed.allowed} allowed by config, ${report.suppressed.baseline} in the baseline`);
  }
  const v = verdict(report, options.failOn);
  out.push(v.exitCode === 0 ? c.green(c.bold(v.line)) : c.red(c.bold(v.line)));
  return out.join('\n') + '\n';
}

function findingLines(c: Colors, f: Finding): string[] {
  const where = f.line ? `${f.path}:${f.line}${f.column ? `:${f.column}` : ''}` : f.path;
  const lines = [`  ${paint(c, f.severity, mark(f.severity))} ${c.bold(f.code)}  ${where}`, `      ${f.message}`];
  const evidence = evidenceSummary(f.evidence);
  if (evidence) lines.push(`      ${c.dim(evidence)}`);
  const fix = codeInfo(f.code)?.fix;
  if (fix) lines.push(`      ${c.cyan('fix:')} ${fix}`);
  return lines;
}

function describeTargets(report: Report): string {
  if (report.targets.length === 0) return 'nothing';
  return report.targets.map((t) => `${t.target} (${t.kind}, ${plural(t.files, 'file')}, ${bytes(t.bytes)})`).join(', ');
}

function mark(severity: Severity): string {
  return severity === 'critical' || severity === 'high' ? '✖' : severity === 'medium' ? '▲' : '•';
}

function paint(c: Colors, severity: Severity, text: string): string {
  switch (severity) {
    case 'critical':
      return c.bold(c.red(text));
    case 'high':
      return c.red(text);
    case 'medium':
      return c.yellow(text);
    case 'low':
      return c.blue(text);
  }
}

function byPathThenCode(a: Finding, b: Finding): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
