import type { FailOn } from './findings.js';

// The resolved configuration the scanner works with. Loading and validating it (from
// pillbox.config.json|mjs|js, --config, or package.json#pillbox) is src/cli/config.ts's job;
// applying it (allow, forbid, baseline) is the scan engine's.

export interface AllowRule {
  /** Glob relative to the package root (inside archives too), matched with picomatch. */
  path: string;
  /** Only this finding code; all codes when omitted. */
  code?: string;
  /** Why this is allowed. Required: an allow without a reason is a config error. */
  reason: string;
}

export interface ForbidRule {
  /** How reports name it, e.g. `forbid[2]`. The string itself never appears in any output. */
  label: string;
  /** A literal string, or a RegExp (config `"/regex/flags"`). */
  pattern: string | RegExp;
}

export interface ResolvedConfig {
  failOn: FailOn;
  allow: AllowRule[];
  forbid: ForbidRule[];
  /** Path to a previous JSON report: findings whose fingerprints it holds are suppressed. */
  baseline?: string;
  /** The file the config came from, for messages (or `package.json#pillbox`). */
  source?: string;
}

export const DEFAULT_CONFIG: ResolvedConfig = { failOn: 'high', allow: [], forbid: [] };
