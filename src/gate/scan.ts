import type { ResolvedConfig } from '../core/config-types.js';
import type { Report } from '../core/findings.js';
import { redactText } from '../cli/format/index.js';
import { scanReaders } from '../scan/engine.js';
import type { ScanLimits } from '../scan/types.js';
import { planScan } from './plan.js';
import { createProgress } from './progress.js';

// What `pillbox scan` runs: plan the targets (packed package, workspaces, npm: releases), scan
// them with the engine while showing progress on a terminal, then clean up temporary tarballs.

export interface GateScanOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  config: ResolvedConfig;
  workspaces?: boolean;
  comparePrevious?: boolean;
  /** stderr is a terminal: show progress. */
  isTTY: boolean;
  stderr(text: string): void;
  limits?: Partial<ScanLimits>;
  /** Progress clock, for tests. */
  now?: () => number;
}

/** Throws GateUsageError for a wrong call; everything unreadable is in `report.errors`. */
export async function gateScan(targets: string[], opts: GateScanOptions): Promise<Report> {
  const plan = await planScan(targets, {
    cwd: opts.cwd,
    env: opts.env,
    limits: opts.limits,
    workspaces: opts.workspaces,
    comparePrevious: opts.comparePrevious,
    // Notes name packages and paths: forbidden strings never reach any output.
    note: (line) => opts.stderr(`pillbox: ${redactText(line, opts.config.forbid)}\n`),
  });
  const progress = createProgress({ write: opts.stderr, isTTY: opts.isTTY, expectedBytes: plan.expectedBytes, now: opts.now });
  try {
    return await scanReaders(plan.readers, {
      cwd: opts.cwd,
      config: opts.config,
      limits: opts.limits,
      onProgress: (p) => progress.update(p),
      after: plan.after,
    });
  } finally {
    progress.done();
    await plan.cleanup();
  }
}
