import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAutomata, buildAutomaton } from '../src/detect/automaton.js';
import { foldBytes } from '../src/detect/fold-bytes.js';
import { fold } from '../src/detect/patterns.js';
import { controlNullRate, entropyNullRate, logElementarySymmetric, poissonUpper95, tailBound } from '../src/detect/stats.js';
import { MAX_GAP, MIN_CHUNK, StreamMatcher, type RawHit } from '../src/detect/stream-matcher.js';
import { TRANSFORMS } from './detect-helpers.js';

// The matcher against the reference folding, and the statistics against their definitions.

function search(patterns: string[], input: Buffer, chunkSizes: number[] = [input.length || 1], internalChunk?: number): RawHit[] {
  const folded = patterns.map(fold);
  const hits: RawHit[] = [];
  const m = new StreamMatcher(buildAutomata(folded), folded, (h) => hits.push(h), { chunkSize: internalChunk });
  m.beginEntry();
  let at = 0;
  let k = 0;
  while (at < input.length) {
    const size = Math.max(1, chunkSizes[k++ % chunkSizes.length]);
    m.write(input.subarray(at, at + size));
    at += size;
  }
  m.endEntry();
  return hits;
}

/** The definition, by brute force over the reference folding of the whole input. */
function reference(patterns: string[], input: Buffer): RawHit[] {
  const f = foldBytes(input);
  const hits: RawHit[] = [];
  patterns.map(fold).forEach((p, id) => {
    if (p.length === 0) return;
    for (let at = f.text.indexOf(p); at !== -1; at = f.text.indexOf(p, at + 1)) {
      const end = at + p.length - 1;
      if (f.boundary[at] !== 1) continue;
      if (end + 1 < f.text.length && f.boundary[end + 1] !== 1) continue;
      let ok = true;
      for (let q = at; q < end; q++) if (f.offsets[q + 1] - f.offsets[q] > MAX_GAP) ok = false;
      if (ok) hits.push({ pattern: id, start: f.offsets[at], end: f.offsets[end] });
    }
  });
  return hits;
}

const key = (h: RawHit) => `${h.pattern}@${h.start}-${h.end}`;
const sorted = (hs: RawHit[]) => hs.map(key).sort();

describe('folding and matching', () => {
  const name = 'syncLedgerSnapshot';
  it.each(Object.entries(TRANSFORMS))('finds a name after %s', (_label, transform) => {
    const text = Buffer.from(`const a = 1; x(${transform(name)}); return`);
    const hits = search([name], text);
    expect(hits).toHaveLength(1);
    // The hit points at the transformed text in the raw input.
    const first = text.indexOf(transform(name).charAt(0) === '"' ? '"' : transform(name).slice(0, 1));
    expect(hits[0].start).toBeGreaterThanOrEqual(first);
  });

  it('requires token boundaries at both ends', () => {
    for (const text of ['async_ledger_snapshot', 'syncLedgerSnapshots', 'sync_ledger_snapshotx', 'xsyncLedgerSnapshot']) {
      expect(search([name], Buffer.from(text)), text).toEqual([]);
    }
    for (const text of ['HTTPSyncLedgerSnapshot', 'sync_ledger_snapshot_v2', 'sync_ledger_snapshot2', 'getSyncLedgerSnapshot()', 'SYNC_LEDGER_SNAPSHOTBuilder']) {
      expect(search([name], Buffer.from(text)), text).toHaveLength(1);
    }
  });

  it('does not assemble a match from letters scattered far apart', () => {
    expect(search([name], Buffer.from(`sync ledger ${' '.repeat(MAX_GAP + 1)}snapshot`))).toEqual([]);
    expect(search([name], Buffer.from(`sync ledger ${' '.repeat(MAX_GAP - 2)}snapshot`))).toHaveLength(1);
  });

  it('decodes an escape that hides a letter next to the name', () => {
    // \x41 is "A": "AsyncLedgerSnapshot" reads as one token, not a boundary before "sync".
    expect(search([name], Buffer.from('\\x41syncLedgerSnapshot'))).toEqual([]);
    expect(search([name], Buffer.from('\\x2esyncLedgerSnapshot'))).toHaveLength(1);
  });

  it('gives line and column of a hit', () => {
    const folded = [fold(name)];
    const found: Array<{ line: number; column: number }> = [];
    const m = new StreamMatcher(buildAutomata(folded), folded, (h) => found.push(m.locate(h.start)));
    m.beginEntry();
    m.write(Buffer.from('line one\nline two\n  xx sync_ledger_snapshot\n'));
    m.endEntry();
    expect(found).toEqual([{ line: 3, column: 6 }]);
  });

  it('gives the right line and column across internal chunk edges', () => {
    const folded = [fold(name)];
    const lines = Array.from({ length: 6000 }, (_, i) => (i % 37 === 5 ? `${'x '.repeat(i % 11)}"sync_ledger_snapshot" at ${i}` : `filler line ${i} ${'y'.repeat(i % 50)}`));
    const input = Buffer.from(lines.join('\n'));
    const found: Array<{ line: number; column: number }> = [];
    const m = new StreamMatcher(buildAutomata(folded), folded, (h) => found.push(m.locate(h.start)), { chunkSize: MIN_CHUNK });
    m.beginEntry();
    for (let at = 0; at < input.length; at += 5000) m.write(input.subarray(at, at + 5000));
    m.endEntry();
    const expected = lines.flatMap((l, i) => (l.includes('sync_ledger') ? [{ line: i + 1, column: l.indexOf('sync') + 1 }] : []));
    expect(input.length).toBeGreaterThan(8 * MIN_CHUNK);
    // A candidate near a chunk's start is settled once the chunk is read: order may differ, places may not.
    expect(found.sort((a, b) => a.line - b.line)).toEqual(expected);
  });

  it('agrees with the reference folding on random text, whatever the chunking (property)', () => {
    const pieces = fc.constantFrom(
      'sync', 'Sync', 'SYNC', 'ledger', 'Ledger', 'LEDGER', 'snap', 'shot', 'Snapshot', '_', '-', ' ', '"+"', '\n', 'x', 'X', '9',
      '\\u0053', '\\x4c', '\\\\n', '\\n', 'ｓｙｎｃ', 'é', '\u00a0', 'ﬁ', 'HTTP', '.', '\\',
    );
    const patterns = ['syncLedgerSnapshot', 'ledger_snap', 'snapshot', 'sync9', 'httpSync'];
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }), (parts, chunks) => {
        const input = Buffer.from(parts.join(''));
        expect(sorted(search(patterns, input, chunks))).toEqual(sorted(reference(patterns, input)));
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with the reference across internal chunk edges, escapes and characters cut in two', () => {
    const unit = 'lorem ipsum "sync"+"Ledger"+"Snapshot" dolor \\u0073ync_ledger_snapshot ｓｙｎｃ_ledger_snapshot ledger_snap sit amet\n';
    const input = Buffer.from(unit.repeat(2_500)); // ~300 kB
    const patterns = ['syncLedgerSnapshot', 'ledger_snap'];
    // Internal chunks of MIN_CHUNK bytes: about thirty edges, at every kind of place in the unit.
    const got = search(patterns, input, [65_536, 100_003], MIN_CHUNK);
    expect(got.length).toBe(4 * 2_500);
    expect(sorted(got)).toEqual(sorted(reference(patterns, input)));
    expect(sorted(search(patterns, input, [7, 4093], MIN_CHUNK + 13))).toEqual(sorted(got));
  });

  it('splits large pattern sets over several automata and still finds every pattern', () => {
    const many = Array.from({ length: 3000 }, (_, i) => `pattern_${i.toString(36)}_words_long_enough_${(i * 7919).toString(36)}`);
    const automata = buildAutomata(many.map(fold));
    expect(automata.length).toBeGreaterThan(1);
    const text = Buffer.from(`${many[0]} and ${many[2999]} and ${many[1000]}`);
    expect(search(many, text).map((h) => h.pattern).sort((a, b) => a - b)).toEqual([0, 1000, 2999]);
  });

  it('builds a dense DFA whose quiet states never report', () => {
    const a = buildAutomaton(['abc', 'bc'].map(fold));
    expect(a.states).toBe(6);
    expect(a.hot).toBe(4);
    expect(a.outputs.length).toBe(3); // abc, bc, and bc again as a suffix of abc
  });
});

describe('statistics', () => {
  const choose = (n: number, k: number) => {
    let c = 1;
    for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
    return c;
  };

  it('equals C(n,k)·p^k when every decoy has the same rate', () => {
    for (const [n, p, k] of [
      [64, 1e-4, 2],
      [64, 1e-4, 3],
      [32, 1e-3, 4],
      [128, 1e-5, 3],
      [8, 0.2, 8],
    ]) {
      const expected = choose(n, k) * p ** k;
      expect(tailBound(Array(n).fill(p), k) / expected).toBeCloseTo(1, 9);
    }
    // The table of research/decoys.md §7.3.
    expect(tailBound(Array(64).fill(1e-4), 3)).toBeCloseTo(4.2e-8, 9);
  });

  it('sums over k-subsets when rates differ, and stays finite far below 1e-300', () => {
    const ps = [0.1, 0.2, 0.3];
    expect(Math.exp(logElementarySymmetric(ps, 2))).toBeCloseTo(0.1 * 0.2 + 0.1 * 0.3 + 0.2 * 0.3, 12);
    expect(logElementarySymmetric(Array(40).fill(1e-20), 40)).toBeCloseTo(40 * Math.log(1e-20), 6);
    expect(tailBound([0.5], 0)).toBe(1);
    expect(tailBound([0.9, 0.9], 1)).toBe(1);
  });

  it('uses the rule of three for no control hits and grows with hits', () => {
    expect(poissonUpper95(0)).toBeCloseTo(3, 1);
    for (let x = 0; x < 30; x++) expect(poissonUpper95(x + 1)).toBeGreaterThan(poissonUpper95(x));
    const base = { candidates: 1e6, controlsSearched: 10, controlsFound: 0, referenceTrials: 1e12, referenceHits: 0 };
    expect(controlNullRate(base)).toBeCloseTo((poissonUpper95(0) / (1e7 + 1e12)) * 1e6, 12);
    expect(controlNullRate({ ...base, controlsFound: 2 })).toBeGreaterThan(controlNullRate(base));
    // With no reference, only the input's own controls: 3 / controls.
    expect(controlNullRate({ ...base, referenceTrials: 0 })).toBeCloseTo(0.3, 2);
    expect(entropyNullRate(32, 2 ** 20, 24)).toBeCloseTo(24 * 2 ** -12, 12);
    expect(entropyNullRate(10, 2 ** 20, 1)).toBe(1);
  });
});
