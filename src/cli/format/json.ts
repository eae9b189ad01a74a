import type { Report } from '../../core/findings.js';

// The JSON report is the Report itself (schema/report.schema.json describes it), so a later
// scan can read it back as a --baseline.
export function formatJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}
