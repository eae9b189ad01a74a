import type { Report } from '../../core/findings.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import type { FormatOptions, ReportFormat } from './shared.js';
import { formatText } from './text.js';

export { REPORT_FORMATS, redactReport, redactText, verdict, type FormatOptions, type ReportFormat } from './shared.js';

/** Render a report. Redact it first (redactReport): formatters print what they are given. */
export function formatReport(format: ReportFormat, report: Report, options: FormatOptions): string {
  switch (format) {
    case 'text':
      return formatText(report, options);
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, options);
    case 'github':
      return formatGithub(report, options);
  }
}
