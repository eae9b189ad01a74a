import { ALPHABET, CODE, T_DIGIT, symbols } from './fold.js';

// Aho–Corasick over the folded alphabet, compiled to a dense byte-indexed DFA: one table load
// per raw byte, with the folding built into the table (both cases of a letter lead to the same
// state, a separator byte leaves the state alone, and a backslash or a non-ASCII byte leads to
// SPECIAL, where the matcher decodes the escape or NFKC-normalises the run and feeds the
// result). States that end a pattern are numbered last, so one comparison spots them.
//
// Our own rather than an npm package: the search runs fused with the folding in one pass over
// raw bytes, which no string-based library can do without first materialising a folded copy of
// the input and a position map. bench/detect.mjs measures modern-ahocorasick over a pre-folded
// string beside this for the record.

export const SPECIAL = 0xffff;
/** States per automaton, so that a state fits in 16 bits with SPECIAL to spare. */
export const MAX_STATES = 0xfff0;

export interface Automaton {
  /** table[state << 8 | byte] = next state, or SPECIAL. */
  table: Uint16Array;
  /** States >= hot end at least one pattern. */
  hot: number;
  /** Pattern ids ending in state s (s >= hot): outputs[outputStart[s - hot] .. outputStart[s - hot + 1]). */
  outputStart: Int32Array;
  outputs: Int32Array;
  states: number;
}

/** Build from folded patterns (a-z0-9 only); `ids[k]` is the id reported for patterns[k]. */
export function buildAutomaton(patterns: readonly string[], ids: readonly number[] = patterns.map((_, k) => k)): Automaton {
  // Trie in a dense table (-1: no child); states never exceed 1 + the total pattern length.
  const capacity = 1 + patterns.reduce((n, p) => n + p.length, 0);
  if (capacity > MAX_STATES) throw new Error(`automaton too large (${capacity} states); split the patterns`);
  const next = new Int32Array(capacity * ALPHABET).fill(-1);
  const terminal: number[][] = [[]];
  let states = 1;
  patterns.forEach((pattern, k) => {
    if (pattern.length === 0) return;
    let s = 0;
    for (const sym of symbols(pattern)) {
      let t = next[s * ALPHABET + sym];
      if (t === -1) {
        t = states++;
        terminal.push([]);
        next[s * ALPHABET + sym] = t;
      }
      s = t;
    }
    terminal[s].push(ids[k]);
  });
  // Failure links, breadth first, folded into the table: a missing child becomes the failure
  // target's transition (settled earlier, being shallower).
  const fail = new Int32Array(states);
  const outLists = terminal.map((list) => list.slice());
  const order: number[] = [];
  for (let sym = 0; sym < ALPHABET; sym++) {
    const t = next[sym];
    if (t === -1) next[sym] = 0;
    else order.push(t);
  }
  for (let head = 0; head < order.length; head++) {
    const s = order[head];
    const f = fail[s];
    if (outLists[f].length > 0) outLists[s].push(...outLists[f]);
    for (let sym = 0; sym < ALPHABET; sym++) {
      const t = next[s * ALPHABET + sym];
      if (t === -1) next[s * ALPHABET + sym] = next[f * ALPHABET + sym];
      else {
        fail[t] = next[f * ALPHABET + sym];
        order.push(t);
      }
    }
  }
  // Renumber: quiet states first (root stays 0: no empty pattern), output states last.
  const renum = new Int32Array(states);
  let n = 0;
  for (let s = 0; s < states; s++) if (outLists[s].length === 0) renum[s] = n++;
  const hot = n;
  for (let s = 0; s < states; s++) if (outLists[s].length > 0) renum[s] = n++;
  const table = new Uint16Array(states * 256);
  const outputStart = new Int32Array(states - hot + 1);
  const flat: number[] = [];
  const byNew: number[] = new Array(states);
  for (let s = 0; s < states; s++) byNew[renum[s]] = s;
  // Bytes that are letters or digits, and their symbols: everything else keeps the state
  // (a separator) or is SPECIAL (a backslash, or any byte of a non-ASCII character).
  const alnumBytes: number[] = [];
  for (let b = 0; b < 128; b++) {
    const type = CODE[b] >> 6;
    if (type >= 1 && type <= T_DIGIT) alnumBytes.push(b);
  }
  for (let ns = 0; ns < states; ns++) {
    const s = byNew[ns];
    const row = ns << 8;
    table.fill(ns, row, row + 128);
    table.fill(SPECIAL, row + 128, row + 256);
    table[row | 0x5c] = SPECIAL;
    const from = s * ALPHABET;
    for (const b of alnumBytes) table[row | b] = renum[next[from + (CODE[b] & 63)]];
    if (ns >= hot) {
      outputStart[ns - hot] = flat.length;
      for (const id of outLists[s]) flat.push(id);
    }
  }
  outputStart[states - hot] = flat.length;
  return { table, hot, outputStart, outputs: Int32Array.from(flat), states };
}

/** Split patterns over as many automata as needed to keep each within 16-bit states. */
export function buildAutomata(patterns: readonly string[]): Automaton[] {
  const groups: Array<{ patterns: string[]; ids: number[]; size: number }> = [];
  let group = { patterns: [] as string[], ids: [] as number[], size: 1 };
  patterns.forEach((pattern, id) => {
    if (group.size + pattern.length > MAX_STATES && group.patterns.length > 0) {
      groups.push(group);
      group = { patterns: [], ids: [], size: 1 };
    }
    group.patterns.push(pattern);
    group.ids.push(id);
    group.size += pattern.length;
  });
  groups.push(group);
  return groups.map((g) => buildAutomaton(g.patterns, g.ids));
}
