import type { Log, Notification, ReportingDescriptor, Result } from 'sarif';
import { FINDING_CODES, type CodeInfo } from '../../core/codes.js';
import type { Finding, Report, Severity } from '../../core/findings.js';
import { evidenceSummary, findRepoRoot, locateFinding, type FormatOptions } from './shared.js';

// SARIF 2.1.0 for code scanning: one run, a rule for every finding code (not only the ones
// found, so rule indexes and help stay stable), repository-relative locations where possible.

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://www.npmjs.com/package/pillbox';
export const FINGERPRINT_KEY = 'pillbox/v1';

const LEVEL: Record<Severity, Result.level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
// GitHub code scanning ranks security alerts by this CVSS-like score.
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.0', low: '2.0' };

export function formatSarif(report: Report, options: FormatOptions): string {
  return JSON.stringify(toSarif(report, options), null, 2) + '\n';
}

export function toSarif(report: Report, options: FormatOptions): Log {
  const codes = Object.keys(FINDING_CODES);
  const rules: ReportingDescriptor[] = codes.map((id) => rule(id, (FINDING_CODES as Record<string, CodeInfo>)[id]));
  const repoRoot = findRepoRoot(options.cwd);
  let usesSrcRoot = false;
  const results: Result[] = report.findings.map((f) => {
    const loc = locateFinding(f.path, report.targets, options.cwd, repoRoot);
    if (loc.uriBaseId) usesSrcRoot = true;
    return result(f, codes.indexOf(f.code), loc);
  });
  const notifications: Notification[] = report.errors.map((e) => ({
    level: 'error',
    message: { text: `${e.path}: ${e.message}` },
    descriptor: { id: e.code },
    properties: { path: e.path },
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pillbox',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        // Named but not given: the consumer (code scanning) knows where its checkout is, and a
        // report should not carry this machine's absolute paths.
        ...(usesSrcRoot ? { originalUriBaseIds: { SRCROOT: { description: { text: 'The root of the git repository that was scanned.' } } } } : {}),
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        results,
        properties: { exposure: report.exposure, targets: report.targets, ...(report.suppressed ? { suppressed: report.suppressed } : {}) },
      },
    ],
  };
}

function rule(id: string, info: CodeInfo): ReportingDescriptor {
  return {
    id,
    name: id.replace(/(^|-)([a-z])/g, (_, __, ch: string) => ch.toUpperCase()),
    shortDescription: { text: info.title },
    fullDescription: { text: `${info.title} Severity: ${info.severity}.` },
    help: { text: info.fix, markdown: `**Fix:** ${info.fix}` },
    helpUri: `${INFORMATION_URI}#finding-codes`,
    defaultConfiguration: { level: LEVEL[info.severity] },
    properties: { tags: ['security', 'source-map'], severity: info.severity, 'security-severity': SECURITY_SEVERITY[info.severity] },
  };
}

function result(f: Finding, ruleIndex: number, loc: ReturnType<typeof locateFinding>): Result {
  const evidence = evidenceSummary(f.evidence);
  const region = f.line ? { startLine: f.line, ...(f.column ? { startColumn: f.column } : {}) } : undefined;
  return {
    ruleId: f.code,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    level: LEVEL[f.severity],
    message: { text: evidence ? `${f.message} (${evidence})` : f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: loc.uri, ...(loc.uriBaseId ? { uriBaseId: loc.uriBaseId } : {}) },
          ...(region ? { region } : {}),
        },
        // The display path says which archive it came from; the URI cannot.
        ...(loc.path !== f.path ? { logicalLocations: [{ fullyQualifiedName: f.path, kind: 'resource' }] } : {}),
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties: { severity: f.severity, path: f.path, evidence: f.evidence },
  };
}
