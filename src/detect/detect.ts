import type { Tier } from '../core/decoy-types.js';
import { keyId } from '../core/key.js';
import { VERSION } from '../core/version.js';
import { readInputs, type InputError, type InputSummary } from './inputs.js';
import { loadManifests, type Scope } from './manifests.js';
import { compileTargets, lengthFactor, type Compiled } from './patterns.js';
import { REFERENCE, type ReferenceCalibration } from './reference.js';
import { DecoySearch, type HitLocation } from './search.js';
import { controlNullRate, entropyNullRate, tailBound } from './stats.js';

// `pillbox detect`: load the manifests, search the inputs, and judge each scope
// (tier × channel × release) against the threshold with a Bonferroni correction.

export const DEFAULT_THRESHOLD = 1e-6;

export interface DetectOptions {
  inputs: string[];
  key: Buffer;
  /** Absolute, or relative to cwd. */
  manifestDir: string;
  channels?: string[];
  releases?: string[];
  threshold?: number;
  cwd: string;
  stdin?: NodeJS.ReadableStream;
  /** The reference corpus measurement; the committed one by default. */
  reference?: ReferenceCalibration;
}

export interface DecoyHit {
  /** The decoy's id in its manifest (e.g. `release/npm/2.1.88/3`). */
  id: string;
  kind: 'tool' | 'flag';
  /** The name as shipped (it is in the input: that is the evidence). */
  name: string;
  /** Per-decoy null rate used in the bound. */
  p0: number;
  occurrences: number;
  locations: HitLocation[];
}

export interface ScopeResult {
  tier: Tier;
  channel?: string;
  release?: string;
  /** `product decoys: this is our product`, `channel decoys: from channel npm`, ... */
  meaning: string;
  shipped: number;
  found: number;
  /** Largest per-decoy null rate in the scope. */
  p0: number;
  /** P(X >= found) under H0, before and after the correction for the number of scopes. */
  bound: number;
  adjusted: number;
  significant: boolean;
  hits: DecoyHit[];
}

export interface DetectReport {
  version: 1;
  tool: { name: 'pillbox'; version: string };
  keyId: string;
  threshold: number;
  inputs: InputSummary[];
  manifests: Array<{ channel: string; release: string; path: string }>;
  search: {
    bytes: number;
    tokens: number;
    /** Candidate strings a decoy name could equal (token starts × name lengths): the m of the controls' bound. */
    candidates: number;
    controlsSearched: number;
    controlsFound: number;
    reference: ReferenceCalibration;
    /** The controls' per-decoy null rate for this input. */
    controlRate: number;
  };
  scopesTested: number;
  scopes: ScopeResult[];
  /** Controls found in the input: each makes the bound untrustworthy. */
  controlHits: DecoyHit[];
  significant: boolean;
  warnings: string[];
  errors: InputError[];
}

export function meaningOf(scope: { tier: Tier; channel?: string; release?: string }): string {
  if (scope.tier === 'product') return 'product decoys: this is our product';
  if (scope.tier === 'channel') return `channel decoys: from channel ${scope.channel}`;
  return `release decoys: from release ${scope.release} of channel ${scope.channel}`;
}

export async function detect(options: DetectOptions): Promise<DetectReport> {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold > 0 && threshold < 1)) throw new RangeError('threshold must be a probability between 0 and 1');
  const loaded = loadManifests({
    dir: options.manifestDir,
    key: options.key,
    channels: options.channels,
    releases: options.releases,
    cwd: options.cwd,
  });
  const compiled = compileTargets(loaded.scopes);
  const search = new DecoySearch(compiled);
  const errors: InputError[] = [];
  const summaries: InputSummary[] = [];
  const ctx = { cwd: options.cwd, stdin: options.stdin ?? process.stdin, errors, summaries };
  for await (const entry of readInputs(options.inputs, ctx)) await search.searchEntry(entry.path, entry.chunks, entry.jsonl);
  const report = judge({
    compiled,
    scopes: loaded.scopes,
    search,
    threshold,
    reference: options.reference ?? REFERENCE,
  });
  return {
    version: 1,
    tool: { name: 'pillbox', version: VERSION },
    keyId: keyId(options.key),
    threshold,
    inputs: summaries,
    manifests: loaded.manifests,
    ...report,
    warnings: [...loaded.warnings, ...report.warnings],
    errors,
  };
}

type Judged = Pick<DetectReport, 'search' | 'scopesTested' | 'scopes' | 'controlHits' | 'significant' | 'warnings'>;

/** The statistics over a finished search. */
export function judge(input: { compiled: Compiled; scopes: Scope[]; search: DecoySearch; threshold: number; reference: ReferenceCalibration }): Judged {
  const { compiled, search, threshold, reference } = input;
  // Candidate strings a name could equal; the controls' rate is measured per name candidate.
  const candidates = search.tokens * Math.max(1, compiled.lengths.name);
  const controls = compiled.targets.filter((t) => t.decoy.control);
  const controlHits: DecoyHit[] = [];
  for (const t of controls) {
    const h = search.hits.get(t.index);
    if (h) controlHits.push({ id: t.decoy.id, kind: t.decoy.kind, name: t.decoy.name, p0: 1, occurrences: h.occurrences, locations: h.locations });
  }
  const controlRate = controlNullRate({
    candidates,
    controlsSearched: controls.length,
    controlsFound: controlHits.length,
    referenceTrials: reference.trials,
    referenceHits: reference.hits,
  });
  const warnings: string[] = [];
  if (controlHits.length > 0) {
    warnings.push(
      `${controlHits.length} control decoy${controlHits.length === 1 ? ' was' : 's were'} found in the input. Controls are never shipped, ` +
        'so the text matches decoy-like names by chance or by design: the bounds below are not trustworthy.',
    );
  }
  const tested = input.scopes.filter((s) => s.decoys.length > 0);
  const scopes: ScopeResult[] = tested.map((scope) => {
    const targets = compiled.targets.filter((t) => t.scopeId === scope.id && !t.decoy.control);
    const rates = targets.map((t) => Math.max(entropyNullRate(t.decoy.entropyBits, search.tokens, lengthFactor(compiled, t)), controlRate));
    const hits: DecoyHit[] = [];
    targets.forEach((t, i) => {
      const h = search.hits.get(t.index);
      if (h) hits.push({ id: t.decoy.id, kind: t.decoy.kind, name: t.decoy.name, p0: rates[i], occurrences: h.occurrences, locations: h.locations });
    });
    const bound = tailBound(rates, hits.length);
    const adjusted = Math.min(1, bound * tested.length);
    return {
      tier: scope.tier,
      ...(scope.channel !== undefined ? { channel: scope.channel } : {}),
      ...(scope.release !== undefined ? { release: scope.release } : {}),
      meaning: meaningOf(scope),
      shipped: targets.length,
      found: hits.length,
      p0: rates.reduce((a, b) => Math.max(a, b), 0),
      bound,
      adjusted,
      significant: hits.length > 0 && adjusted <= threshold,
      hits,
    };
  });
  return {
    search: {
      bytes: search.bytes,
      tokens: search.tokens,
      candidates,
      controlsSearched: controls.length,
      controlsFound: controlHits.length,
      reference,
      controlRate,
    },
    scopesTested: tested.length,
    scopes,
    controlHits,
    significant: scopes.some((s) => s.significant),
    warnings,
  };
}
