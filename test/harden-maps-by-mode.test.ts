import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from '@jridgewell/sourcemap-codec';
import type { RawSourceMap } from 'source-map';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHardenSession, type OutputFile } from '../src/harden/index.js';
import { buildWithEsbuild, mappingSpans, mappingsOf, tempDir, TEST_KEY, type Build } from './decoys-helpers.js';

// The harden core hands maps to decoy planting only where they survive: strip deletes them
// (so they are neither parsed nor shifted), hidden keeps them privately (so they must still map
// every real position where it was). Real esbuild output, checked with source-map's consumer.

const KEY = 'pbk1_' + TEST_KEY.toString('base64url');
let built: Build;
let files: OutputFile[];

beforeAll(async () => {
  built = await buildWithEsbuild('cjs', true, true);
  files = built.files.flatMap((f) => [
    { fileName: f.fileName, source: `${f.code}//# sourceMappingURL=${f.fileName}.map\n` },
    { fileName: `${f.fileName}.map`, source: new TextEncoder().encode(JSON.stringify(f.map)) },
  ]);
});

describe('maps handed to decoy planting by mode', () => {
  it('hidden + decoys: the hidden map still maps every real position to the same original one', async () => {
    const root = tempDir();
    const session = createHardenSession({ sourcemaps: 'hidden', hiddenDir: join(root, 'hidden'), manifestDir: join(root, 'm'), decoys: { key: KEY, channel: 'npm', release: '1.0.0' } }, { production: true, projectRoot: root, outDir: join(root, 'dist'), bundler: 'test' });
    const result = await session.processOutput(files, { outDir: join(root, 'dist') });
    expect(result.gate?.ok).toBe(true);
    const file = built.files[0];
    const planted = result.updates.get(file.fileName)!;
    expect(result.summary.decoys?.files).toContain(file.fileName);
    const hidden = JSON.parse(readFileSync(join(root, 'hidden', 'dist', `${file.fileName}.map`), 'utf8')) as RawSourceMap;
    // An insertion splits a span in two, each piece keeping the span's original position: so
    // every span of the hidden map is (a piece of) a span with the same original position before.
    const before = new Map<string, string[]>();
    const original = await mappingsOf(file.map as object);
    for (const m of mappingSpans(file.code, original, 200)) if (m.key) before.set(m.key, [...(before.get(m.key) ?? []), m.text]);
    const after = mappingSpans(planted, await mappingsOf(hidden), 200);
    expect(after.filter((m) => m.key).length).toBeGreaterThanOrEqual(original.filter((m) => m.key).length);
    expect(planted.length).toBeGreaterThan(file.code.length);
    for (const m of after) if (m.key) expect(before.get(m.key)?.some((text) => text.includes(m.text)), `${m.key} ${m.text}`).toBe(true);
    // Every original position is still mapped from somewhere.
    const kept = new Set(after.map((m) => m.key));
    expect([...before.keys()].filter((key) => !kept.has(key))).toEqual([]);
    // And read independently of source-map (which passes over a segment naming a source that
    // does not exist): every segment's indexes exist.
    const broken = decode(hidden.mappings).flatMap((line, l) =>
      line.filter((seg) => seg.length > 1 && (seg[1]! >= hidden.sources.length || seg[1]! < 0 || seg[2]! < 0 || seg[3]! < 0 || (seg.length === 5 && seg[4]! >= hidden.names.length))).map((seg) => `${l}:${seg.join(',')}`),
    );
    expect(broken).toEqual([]);
  });

  it('strip + decoys: maps deleted, none rewritten, even one that only the scanner reads as a map', async () => {
    const root = tempDir();
    const session = createHardenSession({ manifestDir: join(root, 'm'), decoys: { key: KEY, channel: 'npm', release: '1.0.0' } }, { production: true, projectRoot: root, outDir: join(root, 'dist'), bundler: 'test' });
    // version 3 and mappings, no `sources`: a map to the scanner (and so to the gate).
    const odd = { fileName: 'odd.json', source: '{"version":3,"mappings":"AAAA"}' };
    const result = await session.processOutput([...files, odd], { outDir: join(root, 'dist') });
    expect(result.gate?.ok, result.gate?.message).toBe(true);
    expect(result.deletes.sort()).toEqual([...built.files.map((f) => `${f.fileName}.map`), 'odd.json'].sort());
    expect([...result.updates.keys()].every((name) => !name.endsWith('.map'))).toBe(true);
    const planted = result.updates.get(built.files[0].fileName)!;
    expect(planted).not.toContain('sourceMappingURL');
    expect(result.summary.decoys?.planted).toBeGreaterThan(0);
    expect(existsSync(join(root, 'hidden'))).toBe(false);
  });

  it('strip deletes a map its code points at even when cut short, and leaves a look-alike nobody points at', async () => {
    const root = tempDir();
    const session = createHardenSession({}, { production: true, projectRoot: root, outDir: join(root, 'dist'), bundler: 'test' });
    const f = built.files[0];
    const whole = JSON.stringify(f.map);
    const cut = [
      { fileName: f.fileName, source: `${f.code}//# sourceMappingURL=${f.fileName}.map\n` },
      { fileName: `${f.fileName}.map`, source: whole.slice(0, whole.length >> 1) },
      // Named like a map, starts like one, referenced by nobody: the scanner's full sniff decides.
      { fileName: 'notes.map', source: '{"sources": "not a map at all"}' },
    ];
    const result = await session.processOutput(cut, { outDir: join(root, 'dist') });
    expect(result.deletes).toEqual([`${f.fileName}.map`]);
    expect(result.updates.get(f.fileName)).toBe(f.code);
    expect(result.gate?.ok, result.gate?.message).toBe(true);
  });
});
