import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScanError } from '../src/core/findings.js';
import type { ScanEntry, ScanLimits, TargetReader } from '../src/scan/types.js';
import { openTarget } from '../src/scan/readers/index.js';

export interface ReadEntry {
  path: string;
  packagePath: string;
  size: number;
  bytes?: Buffer;
  failed?: string;
}

export interface Drained {
  reader: TargetReader;
  entries: ReadEntry[];
  errors: ScanError[];
}

/** Reads every entry the way the scan engine does: await read() before asking for the next. */
export async function drain(reader: TargetReader, keepBytes = true): Promise<Drained> {
  const entries: ReadEntry[] = [];
  for await (const entry of reader.entries()) entries.push(await readOne(entry, keepBytes));
  return { reader, entries, errors: reader.errors };
}

async function readOne(entry: ScanEntry, keepBytes: boolean): Promise<ReadEntry> {
  const out: ReadEntry = { path: entry.path, packagePath: entry.packagePath, size: entry.size };
  try {
    const bytes = await entry.read();
    if (bytes.length !== entry.size) throw new Error(`${entry.path}: read ${bytes.length} bytes, size says ${entry.size}`);
    if (keepBytes) out.bytes = bytes;
  } catch (err) {
    out.failed = (err as Error).name;
  }
  return out;
}

export async function scanTarget(target: string, cwd: string, limits?: Partial<ScanLimits>): Promise<Drained> {
  return drain(await openTarget(target, { cwd, limits }));
}

export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `pillbox-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const codes = (d: Drained) => d.errors.map((e) => e.code);
