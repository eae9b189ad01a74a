// The false-positive bound (research/decoys.md §7.3).
//
// H0: the text never saw our artefacts, so it is independent of the key. Under H0 a decoy d
// turns up by chance with probability at most p0(d), the larger of:
//   - the generator's bound: d is one of 2^entropyBits equally likely values, and the input
//     holds at most (token starts × L) candidate strings it could equal, L the number of lengths
//     its strings can take, summed over the ways it can match (name, description, schema: a
//     union bound); so P <= token starts · L · 2^-entropyBits;
//   - the controls' bound: controls are generated exactly like decoys and never shipped, so
//     their hit rate per candidate measures the real-text null rate, generator quirks included.
//     x control hits over T = (controls searched here × m) + (trials of the reference corpus)
//     give a rate <= U(x) / T at 95% (U(0) = 3: the rule of three), hence P <= U(x) / T · m.
// With k distinct decoys of a scope found out of n shipped, P(X >= k) <= e_k(p0(d1), ...,
// p0(dn)), the sum over k-subsets of the product of their rates (a union bound over which k
// turned up; it equals C(n,k)·p0^k when all rates are equal). Bonferroni: times the number of
// scopes tested.

/** Poisson 95% one-sided upper limits for x = 0, 1, 2, ... observed events. */
const POISSON_UPPER_95 = [2.996, 4.744, 6.296, 7.754, 9.154, 10.513, 11.842, 13.148, 14.435, 15.705, 16.962];

export function poissonUpper95(x: number): number {
  if (x < POISSON_UPPER_95.length) return POISSON_UPPER_95[x];
  // Wilson–Hilferty approximation, good to a few percent beyond 10.
  const z = 1.645;
  const n = x + 1;
  return n * Math.pow(1 - 1 / (9 * n) + z / (3 * Math.sqrt(n)), 3);
}

/** log of e_k(p_1..p_n) (elementary symmetric polynomial), computed in log space. */
export function logElementarySymmetric(ps: readonly number[], k: number): number {
  if (k === 0) return 0;
  if (k > ps.length) return -Infinity;
  const le = new Array<number>(k + 1).fill(-Infinity);
  le[0] = 0;
  for (const p of ps) {
    const lp = Math.log(Math.max(p, 0));
    for (let j = k; j >= 1; j--) le[j] = logAdd(le[j], le[j - 1] + lp);
  }
  return le[k];
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/** P(X >= k) bound for independent Bernoulli(p_i), capped at 1. */
export function tailBound(ps: readonly number[], k: number): number {
  if (k <= 0) return 1;
  return Math.min(1, Math.exp(logElementarySymmetric(ps, k)));
}

export interface NullInputs {
  /** Candidate strings in the input (token starts × possible name lengths). */
  candidates: number;
  /** Controls searched in this input, and how many were found. */
  controlsSearched: number;
  controlsFound: number;
  /** Control trials (controls × candidates) in the reference corpus, and hits there. */
  referenceTrials: number;
  referenceHits: number;
}

/** The controls' per-decoy bound for this input. */
export function controlNullRate(n: NullInputs): number {
  const trials = n.controlsSearched * n.candidates + n.referenceTrials;
  if (trials <= 0) return 1;
  return Math.min(1, (poissonUpper95(n.controlsFound + n.referenceHits) / trials) * n.candidates);
}

/** The generator's per-decoy bound for this input: `lengths` is the decoy's summed length factor (see patterns.ts). */
export function entropyNullRate(entropyBits: number, tokenStarts: number, lengths: number): number {
  return Math.min(1, tokenStarts * Math.max(1, lengths) * Math.pow(2, -entropyBits));
}
