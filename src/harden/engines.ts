import type { Report, TargetSummary } from '../core/findings.js';
import { DEFAULT_CONFIG } from '../core/config-types.js';
import { scanReaders } from '../scan/engine.js';
import { makeReader } from '../scan/readers/common.js';
import { resolveLimits } from '../scan/readers/limits.js';
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

/** Scan files held in memory (fileNames relative to the output dir) as the scanner scans a directory. */
export async function scanOutputFiles(files: readonly OutputFile[], opts: { displayRoot: string; forbid: ForbidRule[] }): Promise<Report> {
  const prefix = opts.displayRoot && opts.displayRoot !== '.' ? opts.displayRoot.replace(/\/+$/, '') + '/' : '';
  const summary: TargetSummary = { target: opts.displayRoot || '.', kind: 'directory', files: 0, bytes: 0 };
  const reader = makeReader({ summary, errors: [], limits: resolveLimits(undefined) }, async function* () {
    for (const f of files) {
      const bytes = typeof f.source === 'string' ? Buffer.from(f.source, 'utf8') : Buffer.from(f.source.buffer, f.source.byteOffset, f.source.byteLength);
      yield { path: prefix + f.fileName, packagePath: f.fileName, size: bytes.length, read: async () => bytes };
    }
  });
  return scanReaders([reader], { cwd: process.cwd(), config: { ...DEFAULT_CONFIG, failOn: 'low', forbid: opts.forbid } });
}
