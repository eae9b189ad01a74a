import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NameIndex } from '../src/decoys/names.js';
import { scanChunk } from '../src/decoys/scan.js';

// The decoy scanner is WebAssembly compiled from wasm/decoy-scanner/scanner.ts; the module is
// committed as src/decoys/scanner-wasm.generated.ts so that no build needs the compiler.

describe('the decoy scanner module', () => {
  it('is what its source compiles to (run `npm run build:wasm` after editing the source)', () => {
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

  it('scans text with characters outside Latin-1 at the right offsets', () => {
    const code = 'const t="日本語のテキスト";function handle(request){return request}';
    const scan = scanChunk(code);
    expect(scan.hosts.map((h) => [h.param, code.slice(h.bodyStart, h.bodyEnd)])).toEqual([['request', 'return request']]);
  });
});
