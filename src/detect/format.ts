import type { Log, ReportingDescriptor, Result } from 'sarif';
import { formatCount } from '../core/format-count.js';
import type { DecoyHit, DetectReport, ScopeResult } from './detect.js';
import type { HitLocation } from './search.js';

// detect's report as text (for people), JSON (the DetectReport itself) and SARIF 2.1.0.
// Nothing here ever sees the key: the report holds its id only.

export const DETECT_FORMATS = ['text', 'json', 'sarif'] as const;
export type DetectFormat = (typeof DETECT_FORMATS)[number];

export function formatDetect(format: DetectFormat, report: DetectReport): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  if (format === 'sarif') return JSON.stringify(toSarif(report), null, 2) + '\n';
  return formatText(report);
}

export function probability(p: number): string {
  if (p >= 0.01) return p >= 1 ? '1' : p.toPrecision(2);
  if (p === 0) return '< 1e-300';
  return p.toExponential(1);
}

function where(l: HitLocation): string {
  const at = l.record !== undefined ? `${l.path} record ${l.record}, column ${l.column}` : `${l.path}:${l.line}:${l.column}`;
  return `${at} (${l.form})`;
}

function hitLines(hits: DecoyHit[]): string[] {
  const lines: string[] = [];
  for (const h of hits) {
    const more = h.occurrences > 1 ? `, ${h.occurrences} occurrences` : '';
    lines.push(`    ${h.kind} ${h.name}  [${h.id}${more}]`);
    for (const l of h.locations.slice(0, 3)) lines.push(`      at ${where(l)}`);
    if (h.locations.length > 3) lines.push(`      ... and ${h.occurrences - 3} more`);
  }
  return lines;
}

export function verdictLine(report: DetectReport): string {
  if (report.errors.length > 0) return `pillbox detect: ${report.errors.length} input${report.errors.length === 1 ? '' : 's'} could not be read: the result is incomplete`;
  const sig = report.scopes.filter((s) => s.significant);
  if (sig.length === 0) return `pillbox detect: no significant match (threshold ${probability(report.threshold)})`;
  return `pillbox detect: significant — ${sig.map((s) => s.meaning).join('; ')}`;
}

export function formatText(report: DetectReport): string {
  const out: string[] = [];
  const s = report.search;
  out.push(
    `pillbox detect: key ${report.keyId}, ${report.manifests.length} manifest${report.manifests.length === 1 ? '' : 's'}, ` +
      `${report.scopesTested} scope${report.scopesTested === 1 ? '' : 's'} tested, threshold ${probability(report.threshold)}`,
  );
  out.push(
    `read ${report.inputs.reduce((n, i) => n + i.files, 0)} file(s), ${formatCount(s.bytes)} bytes, ` +
      `${formatCount(s.candidates)} candidate strings; ${s.controlsSearched} controls searched, ${s.controlsFound} found`,
  );
  for (const w of report.warnings) out.push(`warning: ${w}`);
  out.push('');
  for (const scope of report.scopes) out.push(...scopeLines(scope, report.scopesTested));
  if (report.controlHits.length > 0) {
    out.push('CONTROLS FOUND (never shipped: the bound is not trustworthy)');
    out.push(...hitLines(report.controlHits));
    out.push('');
  }
  for (const e of report.errors) out.push(`error: ${e.message}`);
  out.push(verdictLine(report));
  return out.join('\n') + '\n';
}

function scopeLines(scope: ScopeResult, tested: number): string[] {
  const head = scope.significant ? 'SIGNIFICANT' : scope.found > 0 ? 'not significant' : 'none found';
  const lines = [`${head}  ${scope.meaning}`];
  lines.push(
    `  ${scope.found} of ${scope.shipped} decoys found; P(by chance) <= ${probability(scope.bound)}` +
      (tested > 1 ? `, x ${tested} scopes = ${probability(scope.adjusted)}` : '') +
      ` (per-decoy null rate <= ${probability(scope.p0)})`,
  );
  lines.push(...hitLines(scope.hits));
  lines.push('');
  return lines;
}

const RULES: Array<{ id: string; text: string }> = [
  { id: 'decoy-product', text: 'Product decoys found: the text was derived from this product.' },
  { id: 'decoy-channel', text: 'Channel decoys found: the text was derived from a build of this channel.' },
  { id: 'decoy-release', text: 'Release decoys found: the text was derived from this release of this channel.' },
  { id: 'decoy-control', text: 'A control decoy (never shipped) was found: the false-positive bound is not trustworthy.' },
];

export function toSarif(report: DetectReport): Log {
  const rules: ReportingDescriptor[] = RULES.map((r) => ({ id: r.id, shortDescription: { text: r.text }, helpUri: 'https://www.npmjs.com/package/pillbox#detect' }));
  const results: Result[] = [];
  const push = (ruleId: string, level: Result.level, text: string, hit: DecoyHit, properties: Record<string, unknown>) => {
    for (const l of hit.locations) {
      const [file, inner] = l.path.includes('!') ? [l.path.slice(0, l.path.indexOf('!')), l.path] : [l.path, undefined];
      results.push({
        ruleId,
        ruleIndex: RULES.findIndex((r) => r.id === ruleId),
        level,
        message: { text },
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: file === '<stdin>' ? 'stdin' : file }, region: { startLine: l.line, startColumn: l.column } },
            ...(inner ? { logicalLocations: [{ fullyQualifiedName: inner, kind: 'resource' }] } : {}),
          },
        ],
        properties: { decoy: hit.id, kind: hit.kind, match: l.match, form: l.form, ...properties },
      });
    }
  };
  for (const scope of report.scopes) {
    for (const hit of scope.hits) {
      push(
        `decoy-${scope.tier}`,
        scope.significant ? 'error' : 'note',
        `${scope.meaning}: decoy ${hit.name} (${scope.found} of ${scope.shipped} found, P <= ${probability(scope.adjusted)} after correction; ${scope.significant ? 'significant' : 'not significant'})`,
        hit,
        { tier: scope.tier, channel: scope.channel, release: scope.release, bound: scope.bound, adjusted: scope.adjusted, significant: scope.significant },
      );
    }
  }
  for (const hit of report.controlHits) push('decoy-control', 'warning', `control decoy ${hit.name} found: the bound is not trustworthy`, hit, {});
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'pillbox', version: report.tool.version, semanticVersion: report.tool.version, informationUri: 'https://www.npmjs.com/package/pillbox', rules } },
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            ...(report.errors.length
              ? { toolExecutionNotifications: report.errors.map((e) => ({ level: 'error' as const, message: { text: e.message }, descriptor: { id: e.code } })) }
              : {}),
          },
        ],
        results,
        properties: {
          keyId: report.keyId,
          threshold: report.threshold,
          significant: report.significant,
          scopes: report.scopes.map(({ hits: _hits, ...s }) => s),
          warnings: report.warnings,
        },
      },
    ],
  };
}
