import { FINDING_CODES, type FindingCode } from '../../core/codes.js';
import type { Evidence, Finding } from '../../core/findings.js';
import { fingerprint } from '../../core/fingerprint.js';
import type { FileFacts, PackageFacts, Position } from '../facts.js';
import type { PackageLinks } from '../link.js';
import { formatCount } from '../../core/format-count.js';

// One rule per finding code. A rule reads the facts of one target (a package) and emits
// findings; it never touches the file system or the raw bytes.

export interface RuleContext {
  pkg: PackageFacts;
  links: PackageLinks;
  emit(finding: FindingInput): void;
}

export interface FindingInput {
  code: FindingCode;
  file: FileFacts;
  message: string;
  evidence: Evidence;
  /** What makes this finding the same one across releases (see src/core/fingerprint.ts). */
  identity: unknown;
  position?: Position;
}

export interface Rule {
  code: FindingCode;
  run(ctx: RuleContext): void;
}

export function toFinding(input: FindingInput): Finding {
  const finding: Finding = {
    code: input.code,
    severity: FINDING_CODES[input.code].severity,
    path: input.file.path,
    message: input.message,
    evidence: withoutUndefined(input.evidence),
    fingerprint: fingerprint(input.code, input.file.packagePath, input.identity),
  };
  if (input.position) {
    finding.line = input.position.line;
    finding.column = input.position.column;
  }
  return finding;
}

export const fmt = formatCount;
export const plural = (n: number, one: string, many = `${one}s`): string => `${fmt(n)} ${n === 1 ? one : many}`;

/** At most `n` distinct examples, in first-seen order. */
export function examples(values: Iterable<string>, n = 5): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (!out.includes(v)) out.push(v);
    if (out.length >= n) break;
  }
  return out;
}

function withoutUndefined(evidence: Evidence): Evidence {
  const out: Evidence = {};
  for (const [k, v] of Object.entries(evidence)) if (v !== undefined) out[k] = v;
  return out;
}
