import { codeInfo } from '../../core/codes.js';
import type { Finding, Report, Severity } from '../../core/findings.js';
import { evidenceSummary, findRepoRoot, locateFinding, verdict, type FormatOptions } from './shared.js';

// GitHub Actions workflow commands (annotations): `::error file=...,line=...,title=CODE::message`.

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { critical: 'error', high: 'error', medium: 'warning', low: 'notice' };

/** Escaping for the message part, as in @actions/core. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escaping for property values: also `:` and `,`, which separate properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(report: Report, options: FormatOptions): string {
  const repoRoot = findRepoRoot(options.cwd);
  const lines: string[] = [];
  for (const e of report.errors) {
    lines.push(command('error', { title: `pillbox ${e.code}` }, `scan incomplete — ${e.path}: ${e.message}`));
  }
  for (const f of report.findings) {
    const loc = locateFinding(f.path, report.targets, options.cwd, repoRoot);
    lines.push(command(COMMAND[f.severity], { file: loc.path, line: f.line, col: f.column, title: f.code }, findingMessage(f)));
  }
  const v = verdict(report, options.failOn);
  lines.push(command(v.exitCode === 0 ? 'notice' : 'error', { title: 'pillbox' }, `${v.line}. Exposure: ${report.exposure.summary}`));
  return lines.join('\n') + '\n';
}

function findingMessage(f: Finding): string {
  const parts = [`[${f.severity}] ${f.message}`, `at ${f.path}`];
  const evidence = evidenceSummary(f.evidence);
  if (evidence) parts.push(evidence);
  const fix = codeInfo(f.code)?.fix;
  if (fix) parts.push(`Fix: ${fix}`);
  return parts.join('\n');
}

function command(name: string, props: Record<string, string | number | undefined>, message: string): string {
  const list = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${list ? ` ${list}` : ''}::${escapeData(message)}`;
}
