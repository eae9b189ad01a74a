import type { Report } from '../core/findings.js';
import type { ForbidRule } from '../core/config-types.js';
import type { ResolvedDecoys } from '../core/plugin-options.js';
import type { AnyMap } from '../maps/sourcemap.js';
import type { OutputFile } from './pairing.js';

// The two engines the harden core drives: the decoy engine (src/decoys) and the scanner
// (src/scan). Kept behind this file so the session does not depend on their internals.

export interface DecoyChunk {
  fileName: string;
  code: string;
  map?: AnyMap;
}

export interface PlantOutcome {
  chunks: DecoyChunk[];
  manifestPath: string;
  planted: number;
  decoyNames: string[];
}

export async function plantWithEngine(chunks: DecoyChunk[], decoys: ResolvedDecoys, manifestDir: string): Promise<PlantOutcome> {
  void chunks;
  void decoys;
  void manifestDir;
  throw new Error('pillbox: the decoy engine (src/decoys) is not available yet');
}

/** Scan files held in memory (paths relative to the output dir) as the scanner scans a directory. */
export async function scanOutputFiles(files: readonly OutputFile[], opts: { displayRoot: string; forbid: ForbidRule[] }): Promise<Report> {
  void files;
  void opts;
  throw new Error('pillbox: the scanner (src/scan) is not available yet');
}
