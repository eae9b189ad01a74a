import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NameIndex } from '../src/decoys/names.js';
import { ScanBatch, scanChunk } from '../src/decoys/scan.js';

// The decoy scanner is WebAssembly compiled from wasm/decoy-scanner/scanner.ts; the module is
// committed as src/decoys/scanner-wasm.generated.ts so that no build needs the compiler. (That
// its ASCII and UTF-16 builds agree is checked in decoys-scan.test.ts, on its real samples.)

describe('the decoy scanner module', () => {
  it('is what its source compiles to, as is the map walker’s string loop (run `npm run build:wasm` after editing either)', () => {
    const r = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'build-wasm.mjs'), '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('keeps each chunk’s names apart: a later scan does not disturb an earlier one', () => {
    const first = scanChunk('export const a = "workspace_snapshot_reader";');
    const second = scanChunk('export const b = "completely_different_words";'.repeat(2000));
    const index = new NameIndex();
    index.addAll(first.names);
    index.addAll(second.names);
    expect(index.near('workspacesnapshotreaders')).toBe('workspacesnapshotreader');
    expect(index.near('completelydifferentword')).toBe('completelydifferentwords');
    expect(index.near('unrelatedtoolnamehere')).toBeUndefined();
  });

  it('reuses a released batch\'s instances without carrying anything over, and refuses to read released names', () => {
    const big = 'export function workspaceSnapshotReader(request){switch(request){case "alpha_beta_gamma":return 1}}\n'.repeat(5000);
    const small = 'function completelyDifferentWords(input){return input}';
    const wideSmall = small + '// \u00e9\n';
    const fresh = [scanChunk(small), scanChunk(wideSmall)];
    for (let round = 0; round < 2; round++) {
      const first = new ScanBatch();
      const bigScans = [first.scan(big), first.scan(big + '// \u00e9\n')];
      expect(bigScans.map((s) => s.hosts.length)).toEqual([5000, 5000]);
      first.release();
      expect(() => [...bigScans[0].names]).toThrow(/released/);
      expect(() => bigScans[1].names.nearest('workspacesnapshotreaders')).toThrow(/released/);
      // The same instances (ASCII and UTF-16), now holding a much smaller chunk.
      const second = new ScanBatch();
      const again = [second.scan(small), second.scan(wideSmall)];
      for (let i = 0; i < 2; i++) {
        expect(again[i].hosts).toEqual(fresh[i].hosts);
        expect(again[i].switches).toEqual([]);
        expect([...again[i].names].sort()).toEqual([...fresh[i].names].sort());
        expect(again[i].names.nearest('workspacesnapshotreaders')).toBeUndefined();
        expect(again[i].names.nearest('completelydifferentword')).toBe('completelydifferentwords');
      }
      second.release();
    }
  });

  it('scans text with characters outside Latin-1 at the right offsets', () => {
    const code = 'const t="日本語のテキスト";function handle(request){return request}';
    const scan = scanChunk(code);
    expect(scan.hosts.map((h) => [h.param, code.slice(h.bodyStart, h.bodyEnd)])).toEqual([['request', 'return request']]);
  });
});
