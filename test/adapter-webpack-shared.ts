import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SourceMapConsumer } from 'source-map';
import type { ManifestPlaintext } from '../src/core/decoy-types.js';
import { parseKey } from '../src/core/key.js';
import { openManifest } from '../src/core/manifest-envelope.js';
import { listFiles } from './harden-helpers.js';

// Checks shared by the esbuild, webpack and rspack adapter tests.

/** The one manifest a build wrote under manifestDir, opened with the test key. */
export function readManifest(manifestDir: string, key: string): ManifestPlaintext {
  const found: string[] = [];
  for (const channel of readdirSync(manifestDir)) {
    for (const file of readdirSync(join(manifestDir, channel))) found.push(join(manifestDir, channel, file));
  }
  if (found.length !== 1) throw new Error(`expected one manifest under ${manifestDir}, found ${found.length}`);
  return openManifest<ManifestPlaintext>(parseKey(key), JSON.parse(readFileSync(found[0], 'utf8')));
}

/**
 * Plain search of the output for the decoys the manifest says were planted: every placement's
 * decoy name is in its file; control decoys (never shipped) are in no file.
 */
export function decoyPresence(
  outDir: string,
  manifest: ManifestPlaintext,
): { placed: string[]; missing: string[]; controlsFound: string[] } {
  const byId = new Map(manifest.decoys.map((d) => [d.id, d]));
  const texts = new Map(listFiles(outDir).map((f) => [f, readFileSync(join(outDir, f), 'utf8')]));
  const placed: string[] = [];
  const missing: string[] = [];
  for (const p of manifest.placements) {
    const decoy = byId.get(p.decoyId);
    if (!decoy) throw new Error(`placement of unknown decoy ${p.decoyId}`);
    if (texts.get(p.file)?.includes(decoy.name)) placed.push(`${p.file}:${decoy.name}`);
    else missing.push(`${p.file}:${decoy.name}`);
  }
  const all = [...texts.values()].join('\n');
  const controlsFound = manifest.decoys.filter((d) => d.control && new RegExp(`\\b${d.name}\\b`).test(all)).map((d) => d.name);
  return { placed, missing, controlsFound };
}

/**
 * Where a map sends the generated position of `needle` (the first occurrence in a line of
 * `code`, `offset` chars into it). For checking nosources/poison maps against the sources.
 */
export async function originalOf(
  code: string,
  map: unknown,
  needle: string,
  offset = 0,
): Promise<{ source: string | null; line: number | null; column: number | null }> {
  const lines = code.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  if (line === -1) throw new Error(`${needle} is not in the code`);
  const column = lines[line].indexOf(needle) + offset;
  const pos = await SourceMapConsumer.with(map as never, null, (c) =>
    c.originalPositionFor({ line: line + 1, column, bias: SourceMapConsumer.LEAST_UPPER_BOUND }),
  );
  return { source: pos.source, line: pos.line, column: pos.column };
}

/** Output files by extension, for quick shape checks. */
export function byExtension(dir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of listFiles(dir)) {
    const ext = f.slice(f.lastIndexOf('.'));
    (out[ext] ??= []).push(f);
  }
  return out;
}

/** Every `sources` entry of every map in a directory. */
export function mapSources(dir: string): Set<string> {
  const out = new Set<string>();
  for (const f of listFiles(dir).filter((n) => n.endsWith('.map'))) {
    for (const s of JSON.parse(readFileSync(join(dir, f), 'utf8')).sources as string[]) out.add(s);
  }
  return out;
}
